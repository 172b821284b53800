import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Development secrets, generated on first start and kept in the git-ignored data folder, so a
 * fresh checkout needs no configuration and no secret is ever committed. `npm run token` reads the
 * same file. Production sets JWT_SECRET / JWT_PUBLIC_KEY and INTERNAL_IDENTITY_SECRET instead.
 */
export interface DevSecrets {
  jwtSecret: string;
  internalIdentitySecret: string;
}

export function devSecretsFile(dataDir: string): string {
  return join(dataDir, 'dev-secrets.json');
}

export function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = devSecretsFile(dataDir);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  mkdirSync(dataDir, { recursive: true });
  const secrets: DevSecrets = {
    jwtSecret: randomBytes(32).toString('base64url'),
    internalIdentitySecret: randomBytes(32).toString('base64url'),
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
