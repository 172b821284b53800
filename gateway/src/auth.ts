import { createPublicKey } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload, type KeyLike } from 'jose';
import { unauthenticated } from '../../subgraphs/shared/src/errors';
import { viewerSchema, type Role, type Viewer } from '../../subgraphs/shared/src/identity';
import type { GatewayConfig } from './config';

/**
 * Bearer tokens come from the identity provider (national unified authentication in production,
 * `npm run token` in development). Claims: `sub`, `role`, `org` (organisation code), `org_path`,
 * and `teacher_id`, `client_id`, `scope` (space-separated) where they apply.
 */
export interface ViewerClaims {
  sub: string;
  role: Role;
  org: string;
  org_path: string;
  teacher_id?: string;
  client_id?: string;
  scope?: string;
}

export function claimsToViewer(payload: JWTPayload): Viewer | { problem: string } {
  const parsed = viewerSchema.safeParse({
    subject: payload.sub,
    role: payload.role,
    orgId: payload.org,
    orgPath: payload.org_path,
    teacherId: payload.teacher_id,
    clientId: payload.client_id,
    scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
  });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return { problem: `token claim ${issue?.path.join('.') || '(unknown)'} ${issue?.message ?? 'is invalid'}` };
}

export function createBearerVerifier(jwt: GatewayConfig['jwt']) {
  const key: Uint8Array | KeyLike = jwt.publicKeyPem
    ? (createPublicKey(jwt.publicKeyPem) as unknown as KeyLike)
    : new TextEncoder().encode(jwt.secret ?? '');
  const algorithms = jwt.publicKeyPem ? ['RS256', 'ES256', 'EdDSA'] : ['HS256'];

  // A client sends the same token with every request until it expires: a verified token is
  // remembered (bounded, until its expiry) so signature and claim checks run once per token, not
  // once per request. Refusals are never cached; expiry is checked on every hit.
  const verified = new Map<string, { viewer: Viewer; expiresAt: number }>();
  const MAX_CACHED_TOKENS = 10_000;

  return async function verifyBearer(authorization: string | undefined): Promise<Viewer> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match?.[1]) throw unauthenticated();
    const token = match[1];
    const hit = verified.get(token);
    if (hit) {
      if (hit.expiresAt > Date.now()) return hit.viewer;
      verified.delete(token);
      throw unauthenticated('The bearer token has expired.');
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, { algorithms, issuer: jwt.issuer, audience: jwt.audience }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw unauthenticated('The bearer token has expired.');
      throw unauthenticated('The bearer token is not valid.');
    }
    const viewer = claimsToViewer(payload);
    if ('problem' in viewer) throw unauthenticated(`The bearer token is not valid: ${viewer.problem}.`);
    // Tokens without an expiry are verified every time rather than remembered for ever.
    if (typeof payload.exp === 'number') {
      if (verified.size >= MAX_CACHED_TOKENS) verified.delete(verified.keys().next().value as string);
      verified.set(token, { viewer, expiresAt: payload.exp * 1000 });
    }
    return viewer;
  };
}

/** Mints an HS256 bearer token (development and tests; production tokens come from the identity provider). */
export async function mintToken(
  claims: ViewerClaims,
  options: { secret: string; issuer: string; audience: string; expiresIn: string },
): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn)
    .sign(new TextEncoder().encode(options.secret));
}
