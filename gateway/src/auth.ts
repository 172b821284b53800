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

  return async function verifyBearer(authorization: string | undefined): Promise<Viewer> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match?.[1]) throw unauthenticated();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1], key, { algorithms, issuer: jwt.issuer, audience: jwt.audience }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw unauthenticated('The bearer token has expired.');
      throw unauthenticated('The bearer token is not valid.');
    }
    const viewer = claimsToViewer(payload);
    if ('problem' in viewer) throw unauthenticated(`The bearer token is not valid: ${viewer.problem}.`);
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
