import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';

/**
 * The viewer model shared by the gateway and every subgraph.
 *
 * Administrators exist at five levels (national … school) in three account kinds; the
 * other principals are teachers (their own record only), partner applications (named
 * scopes), analysts (statistics only) and auditors (the audit trail only).
 */
export const ORG_LEVELS = ['national', 'province', 'city', 'county', 'school'] as const;
export type OrgLevel = (typeof ORG_LEVELS)[number];

export const ACCOUNT_KINDS = ['system_admin', 'info_admin', 'query'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export const PRINCIPAL_ROLES = ['teacher', 'partner', 'analyst', 'auditor'] as const;
export type PrincipalRole = (typeof PRINCIPAL_ROLES)[number];

/** `county_info_admin`, `school_query`, … plus the principal roles. */
export type AdminRole = `${OrgLevel}_${AccountKind}`;
export type Role = AdminRole | PrincipalRole;

export const ADMIN_ROLES: readonly AdminRole[] = ORG_LEVELS.flatMap((level) =>
  ACCOUNT_KINDS.map((kind) => `${level}_${kind}` as AdminRole),
);
export const ROLES: readonly Role[] = [...ADMIN_ROLES, ...PRINCIPAL_ROLES];

export interface Viewer {
  /** Stable subject id from the identity provider (account id, client id). */
  subject: string;
  role: Role;
  /** Organisation the account belongs to (GB/T 2260 code or 10-digit school code). */
  orgId: string;
  /** Materialised organisation path, e.g. `/CN/420000/420100/420111/`; the root of the viewer's scope. */
  orgPath: string;
  /** Set for role `teacher`: the only teacher record this viewer may see. */
  teacherId?: string;
  /** Set for role `partner`: the registered partner client. */
  clientId?: string;
  /** Named scopes granted to a partner client (e.g. `dossier:read`). */
  scopes: string[];
}

export function parseAdminRole(role: Role): { level: OrgLevel; kind: AccountKind } | null {
  for (const level of ORG_LEVELS) {
    for (const kind of ACCOUNT_KINDS) {
      if (role === `${level}_${kind}`) return { level, kind };
    }
  }
  return null;
}

const orgPathPattern = /^\/(?:[A-Za-z0-9]+\/)+$/;

export const viewerSchema = z
  .object({
    subject: z.string().min(1),
    role: z.enum(ROLES as [Role, ...Role[]]),
    orgId: z.string().regex(/^[A-Za-z0-9]+$/),
    orgPath: z.string().regex(orgPathPattern, 'must look like /CN/110000/…/'),
    teacherId: z.string().min(1).optional(),
    clientId: z.string().min(1).optional(),
    scopes: z.array(z.string()).default([]),
  })
  .superRefine((v, ctx) => {
    if (!v.orgPath.endsWith(`/${v.orgId}/`)) {
      ctx.addIssue({ code: 'custom', path: ['orgPath'], message: 'must end with the viewer organisation' });
    }
    if (v.role === 'teacher' && !v.teacherId) {
      ctx.addIssue({ code: 'custom', path: ['teacherId'], message: 'required for role teacher' });
    }
    if (v.role === 'partner' && !v.clientId) {
      ctx.addIssue({ code: 'custom', path: ['clientId'], message: 'required for role partner' });
    }
    const admin = parseAdminRole(v.role);
    if (admin && levelOfOrgCode(v.orgId) !== admin.level) {
      ctx.addIssue({ code: 'custom', path: ['role'], message: `a ${admin.level} account must belong to a ${admin.level}-level organisation` });
    }
  });

/**
 * The level of an organisation code: `CN` is national; six-digit GB/T 2260 codes name a province
 * (xx0000), a prefecture (xxxx00) or a county (anything else); ten-digit codes are schools.
 * Province-administered county-level units (e.g. 429004 仙桃市) use the 90 city block and are counties.
 */
export function levelOfOrgCode(code: string): OrgLevel | null {
  if (code === 'CN') return 'national';
  if (/^\d{10}$/.test(code)) return 'school';
  if (!/^\d{6}$/.test(code)) return null;
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00') && code.slice(2, 4) !== '90') return 'city';
  return 'county';
}

/** The header the gateway uses to pass the verified viewer to subgraphs. */
export const INTERNAL_IDENTITY_HEADER = 'x-internal-identity';
const INTERNAL_AUDIENCE = 'teacher-platform-subgraphs';
const INTERNAL_ISSUER = 'teacher-platform-gateway';

export class InvalidIdentityError extends Error {
  constructor(readonly reason: string) {
    super(`invalid internal identity: ${reason}`);
  }
}

function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** Signs the viewer into a short-lived HS256 token only the gateway and subgraphs can produce. */
export async function signInternalIdentity(viewer: Viewer, secret: string, ttlSeconds: number): Promise<string> {
  return new SignJWT({ viewer })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(INTERNAL_ISSUER)
    .setAudience(INTERNAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(secretKey(secret));
}

/**
 * Verifies the gateway's signature and expiry, then validates the viewer shape.
 * Verified headers are cached until they expire: the gateway reuses one header for many
 * subgraph fetches of the same operation, and HMAC plus schema checks on every fetch add up.
 */
export function createInternalIdentityVerifier(secret: string, cacheSize = 5000) {
  const key = secretKey(secret);
  const cache = new Map<string, { viewer: Viewer; expiresAt: number }>();
  return async function verify(token: string | undefined): Promise<Viewer> {
    if (!token) throw new InvalidIdentityError('missing');
    const now = Date.now();
    const hit = cache.get(token);
    if (hit && hit.expiresAt > now) return hit.viewer;
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        issuer: INTERNAL_ISSUER,
        audience: INTERNAL_AUDIENCE,
      });
      const parsed = viewerSchema.safeParse((payload as { viewer?: unknown }).viewer);
      if (!parsed.success) throw new InvalidIdentityError('malformed viewer');
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(token, { viewer: parsed.data, expiresAt: (payload.exp ?? 0) * 1000 });
      return parsed.data;
    } catch (error) {
      if (error instanceof InvalidIdentityError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new InvalidIdentityError('expired');
      throw new InvalidIdentityError('bad signature');
    }
  };
}
