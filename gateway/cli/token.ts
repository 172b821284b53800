import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROLES } from '../../subgraphs/shared/src/identity';
import { DevTokenError, mintDevToken } from '../src/dev-token';
import { REPO_ROOT } from '../src/config';
import { loadOrCreateDevSecrets } from '../src/dev-secrets';

const USAGE = `Mint a development bearer token.

  npm run token -- --role <role> --org <code> [options]

  --role      ${ROLES.join(', ')}
  --org       organisation code (CN, a GB/T 2260 code such as 420111, or a 10-digit school code)
  --teacher   teacher id (role teacher; default: the first demo teacher, whose school sets --org)
  --client    partner client id (role partner; default demo-partner)
  --scope     space-separated partner scopes (default "dossier:read org:read")
  --org-path  organisation path when --org is not in the demo tree, e.g. /CN/420000/420100/420111/
  --ttl       lifetime, e.g. 30m, 8h (default 8h)

The signing secret is JWT_SECRET, or the development secret in .data/dev-secrets.json.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      org: { type: 'string' },
      teacher: { type: 'string' },
      client: { type: 'string' },
      scope: { type: 'string' },
      'org-path': { type: 'string' },
      ttl: { type: 'string', default: '8h' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.role) fail('--role is required.');
  const dataDir = resolve(process.env.DATA_DIR ?? resolve(REPO_ROOT, '.data'));
  // Without JWT_SECRET the development secret is used (created here if npm start has not run yet).
  const secret = process.env.JWT_SECRET ?? loadOrCreateDevSecrets(dataDir).jwtSecret;
  let token: string;
  try {
    token = await mintDevToken(
      { role: values.role, org: values.org, orgPath: values['org-path'], teacherId: values.teacher, clientId: values.client, scope: values.scope },
      {
        secret,
        issuer: process.env.JWT_ISSUER ?? 'teacher-platform',
        audience: process.env.JWT_AUDIENCE ?? 'teacher-platform',
        expiresIn: values.ttl ?? '8h',
      },
    );
  } catch (error) {
    if (error instanceof DevTokenError) fail(`Cannot mint: ${error.message}.`);
    throw error;
  }
  process.stdout.write(`${token}\n`);
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
