import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { ROLES, type Role } from '../../subgraphs/shared/src/identity';
import { claimsToViewer, mintToken, type ViewerClaims } from '../src/auth';
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
  const role = values.role as Role | undefined;
  if (!role || !ROLES.includes(role)) fail(`--role must be one of the roles listed below (got ${values.role ?? 'nothing'}).`);

  const demo = buildDemoDataset();
  let org = values.org;
  let teacherId = values.teacher;
  if (role === 'teacher') {
    const teacher = teacherId ? demo.teachers.find((t) => t.id === teacherId) : demo.teachers[0];
    if (!teacher && !values['org-path']) fail(`--teacher ${teacherId} is not a demo teacher; pass --org and --org-path too.`);
    if (teacher) {
      teacherId = teacher.id;
      org ??= teacher.schoolId;
    }
  }
  if (!org) fail('--org is required.');
  const orgPath = values['org-path'] ?? demo.orgUnits.find((o) => o.id === org)?.path;
  if (!orgPath) fail(`--org ${org} is not in the demo tree; pass --org-path as well.`);

  const claims: ViewerClaims = {
    sub: role === 'partner' ? (values.client ?? 'demo-partner') : `dev-${role}-${org}`,
    role,
    org,
    org_path: orgPath,
    ...(teacherId && role === 'teacher' ? { teacher_id: teacherId } : {}),
    ...(role === 'partner' ? { client_id: values.client ?? 'demo-partner', scope: values.scope ?? 'dossier:read org:read' } : {}),
  };
  const check = claimsToViewer(claims as unknown as Record<string, unknown>);
  if ('problem' in check) fail(`Cannot mint: ${check.problem}.`);

  const dataDir = resolve(process.env.DATA_DIR ?? resolve(REPO_ROOT, '.data'));
  // Without JWT_SECRET the development secret is used (created here if npm start has not run yet).
  const secret = process.env.JWT_SECRET ?? loadOrCreateDevSecrets(dataDir).jwtSecret;
  const token = await mintToken(claims, {
    secret,
    issuer: process.env.JWT_ISSUER ?? 'teacher-platform',
    audience: process.env.JWT_AUDIENCE ?? 'teacher-platform',
    expiresIn: values.ttl ?? '8h',
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
