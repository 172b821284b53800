import { loadGatewayConfig } from '../../gateway/src/config';
import { bootstrapSystemAdmin } from '../../subgraphs/teacher-registry/src/services/accounts';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

/**
 * REQUIRE_ACCOUNT at the gateway: with it, a token of a role that exists only as an account
 * (administrators, analysts, auditors) works only while the registry holds an active account for
 * its subject with the token's role and organisation; teachers and partners are not affected.
 * Without it (development and test by default) any well-signed token works, disabled accounts aside.
 */
const data = buildDemoDataset();
const teacher = data.teachers.find((t) => t.orgPath.includes('/420111/'))!;
const VIEWER = `{ viewer { subject role } }`;
const CREATE = `mutation($i: CreateAccountInput!) { createAccount(input: $i) { errors { code field } } }`;
const DISABLE = `mutation($i: DisableAccountInput!) { disableAccount(input: $i) { errors { code field } } }`;

describe('REQUIRE_ACCOUNT defaults', () => {
  const base = { JWT_SECRET: 'a-jwt-secret-of-at-least-32-characters!!', INTERNAL_IDENTITY_SECRET: 'an-internal-secret-of-at-least-32-chars!' };
  it('is on in production and off in development and test, and an explicit setting wins', () => {
    expect(loadGatewayConfig({ ...base, NODE_ENV: 'production' }).requireAccount).toBe(true);
    expect(loadGatewayConfig({ ...base, NODE_ENV: 'development' }).requireAccount).toBe(false);
    expect(loadGatewayConfig({ ...base, NODE_ENV: 'test' }).requireAccount).toBe(false);
    expect(loadGatewayConfig({ ...base, NODE_ENV: 'production', REQUIRE_ACCOUNT: 'false' }).requireAccount).toBe(false);
    expect(loadGatewayConfig({ ...base, NODE_ENV: 'test', REQUIRE_ACCOUNT: 'true' }).requireAccount).toBe(true);
  });
});

describe('tokens without an account, REQUIRE_ACCOUNT off (the test default)', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('still work: the identity provider decides who signs in', async () => {
    const { status, body } = await t.graphql(await t.token('county_info_admin', '420111', { sub: 'nobody-registered' }), VIEWER);
    expect(status).toBe(200);
    expect(body.data.viewer).toEqual({ subject: 'nobody-registered', role: 'county_info_admin' });
  });
});

describe('tokens without an account, REQUIRE_ACCOUNT on', () => {
  let t: TestPlatform;
  const registry = () => t.platform.subgraphs.find((s) => s.name === 'teacher-registry')!.db;
  beforeAll(async () => {
    t = await startTestPlatform({ REQUIRE_ACCOUNT: 'true', ACCOUNT_STATUS_REFRESH_MS: '200' });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses an administrator, analyst or auditor token whose subject has no account', async () => {
    for (const [role, org] of [['county_info_admin', '420111'], ['analyst', '420000'], ['auditor', 'CN']] as const) {
      const { status, body } = await t.graphql(await t.token(role, org, { sub: `unknown-${role}` }), VIEWER);
      expect([role, status, body.errors?.[0]?.extensions?.code]).toEqual([role, 401, 'UNAUTHENTICATED']);
      expect(body.errors?.[0]?.message).toMatch(/No account/);
    }
  });

  it('accepts a bootstrapped administrator, the accounts it creates, and only with their own role and organisation', async () => {
    await bootstrapSystemAdmin(registry(), { subject: 'root', name: '国家级系统管理员', role: 'national_system_admin', organisationId: 'CN', operator: 'test' });
    const root = await t.token('national_system_admin', 'CN', { sub: 'root' });
    expect((await t.graphql(root, VIEWER)).body.data.viewer).toEqual({ subject: 'root', role: 'national_system_admin' });
    expect((await t.graphql(root, CREATE, { i: { subject: 'hb-sys', name: '湖北省系统管理员', role: 'province_system_admin', organisationId: '420000' } })).body.data.createAccount.errors).toEqual([]);
    const province = await t.graphql(await t.token('province_system_admin', '420000', { sub: 'hb-sys' }), VIEWER);
    expect(province.body.data.viewer).toEqual({ subject: 'hb-sys', role: 'province_system_admin' });
    // The same person with a token claiming another role or organisation is not that account.
    for (const [role, org] of [['province_info_admin', '420000'], ['province_system_admin', '620000']] as const) {
      const { status, body } = await t.graphql(await t.token(role, org, { sub: 'hb-sys' }), VIEWER);
      expect([role, org, status, body.errors?.[0]?.message]).toEqual([role, org, 401, 'The token does not match its account (role or organisation).']);
    }
    // Disabling still refuses (within ACCOUNT_STATUS_REFRESH_MS).
    const accountId = (await registry().knex(registry().t('account')).first('id').where('subject', 'hb-sys')).id;
    expect((await t.graphql(root, DISABLE, { i: { accountId, reason: '测试：停用账号' } })).body.data.disableAccount.errors).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const disabled = await t.graphql(await t.token('province_system_admin', '420000', { sub: 'hb-sys' }), VIEWER);
    expect([disabled.status, disabled.body.errors?.[0]?.message]).toEqual([401, 'This account is disabled.']);
  });

  it('leaves teachers (no account; their token names their archive) and registered partners alone', async () => {
    const self = await t.graphql(await t.token('teacher', teacher.schoolId, { teacher_id: teacher.id }), VIEWER);
    expect(self.status).toBe(200);
    expect(self.body.data.viewer.role).toBe('teacher');
    const partner = await t.graphql(await t.token('partner', '420000', { client_id: 'title-review-system', scope: 'dossier:read org:read' }), VIEWER);
    expect(partner.status).toBe(200);
    const unknownClient = await t.graphql(await t.token('partner', '420000', { client_id: 'no-such-client', scope: 'dossier:read' }), VIEWER);
    expect(unknownClient.status).toBe(401);
  });
});
