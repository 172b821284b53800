import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { ROLES, type Role } from '../../subgraphs/shared/src/identity';
import { readBody, sendJson, type Route } from '../../subgraphs/shared/src/http-server';
import { claimsToViewer, mintToken, type ViewerClaims } from './auth';
import type { GatewayConfig } from './config';

/**
 * Development tokens for the demo data: `npm run token` and the playground's "mint" button share
 * this. Organisation paths are looked up in the demo tree unless given. Never used in production.
 */
export interface DevTokenRequest {
  role: string;
  org?: string;
  orgPath?: string;
  teacherId?: string;
  clientId?: string;
  scope?: string;
}

export class DevTokenError extends Error {}

export function devClaims(request: DevTokenRequest): ViewerClaims {
  const role = request.role as Role;
  if (!ROLES.includes(role)) throw new DevTokenError(`role must be one of: ${ROLES.join(', ')} (got "${request.role}")`);
  const demo = buildDemoDataset();
  let org = request.org;
  let teacherId = request.teacherId;
  if (role === 'teacher') {
    const teacher = teacherId ? demo.teachers.find((t) => t.id === teacherId) : demo.teachers[0];
    if (!teacher && !request.orgPath) throw new DevTokenError(`teacher ${teacherId} is not a demo teacher; give org and org path too`);
    if (teacher) {
      teacherId = teacher.id;
      org ??= teacher.schoolId;
    }
  }
  if (!org) throw new DevTokenError('org is required');
  const orgPath = request.orgPath ?? demo.orgUnits.find((o) => o.id === org)?.path;
  if (!orgPath) throw new DevTokenError(`org ${org} is not in the demo tree; give its path as well`);
  const claims: ViewerClaims = {
    sub: role === 'partner' ? (request.clientId ?? 'demo-partner') : `dev-${role}-${org}`,
    role,
    org,
    org_path: orgPath,
    ...(teacherId && role === 'teacher' ? { teacher_id: teacherId } : {}),
    ...(role === 'partner' ? { client_id: request.clientId ?? 'demo-partner', scope: request.scope ?? 'dossier:read org:read' } : {}),
  };
  const check = claimsToViewer(claims as unknown as Record<string, unknown>);
  if ('problem' in check) throw new DevTokenError(check.problem);
  return claims;
}

export function mintDevToken(
  request: DevTokenRequest,
  signing: { secret: string; issuer: string; audience: string; expiresIn: string },
): Promise<string> {
  return mintToken(devClaims(request), signing);
}

/**
 * `POST {"role", "org"}` → `{ token }`: the development-only minting endpoint that the playground
 * and the dashboard both offer. Callers mount it only when `config.nodeEnv === 'development'`.
 */
export function devTokenRoute(config: GatewayConfig): Route {
  return async (req, res) => {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST only' });
    let request: { role?: unknown; org?: unknown };
    try {
      request = JSON.parse(await readBody(req, 10_000)) as { role?: unknown; org?: unknown };
    } catch {
      return sendJson(res, 400, { error: 'body must be JSON {"role", "org"}' });
    }
    try {
      const token = await mintDevToken(
        { role: String(request.role ?? ''), org: typeof request.org === 'string' && request.org ? request.org : undefined },
        { secret: config.jwt.secret as string, issuer: config.jwt.issuer, audience: config.jwt.audience, expiresIn: '8h' },
      );
      sendJson(res, 200, { token });
    } catch (error) {
      if (error instanceof DevTokenError) return sendJson(res, 400, { error: error.message });
      throw error;
    }
  };
}
