import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import type { Role } from '../../subgraphs/shared/src/identity';
import { mayManageAccount, type TargetOrg } from '../../subgraphs/teacher-registry/src/services/accounts';
import { demoOrgPath, startTestPlatform, type TestPlatform } from '../helpers/platform';

/**
 * Issue #7 item 1 (account management, DOMAIN.md §2): a system administrator manages accounts of
 * its own level and the administrators one level down, never a neighbour's or a higher level's;
 * every change is audited; a disabled account's tokens are refused at the gateway.
 */
const data = buildDemoDataset();
const org = (id: string): TargetOrg => {
  const unit = data.orgUnits.find((o) => o.id === id)!;
  return { id, level: unit.level as TargetOrg['level'], parentId: unit.parentId ?? null, path: unit.path };
};
const COUNTY = '420111';
const NEIGHBOUR = '420115';
const school = data.orgUnits.find((o) => o.level === 'school' && o.path.includes(`/${COUNTY}/`))!.id;
const neighbourSchool = data.orgUnits.find((o) => o.level === 'school' && o.path.includes(`/${NEIGHBOUR}/`))!.id;
const viewer = (role: Role, id: string) => ({ role, orgId: id, orgPath: demoOrgPath(id) });

describe('which accounts a system administrator manages (rule table)', () => {
  const cases: [string, Role, string, Role, string, boolean][] = [
    ['county admin: county info admin of its own county', 'county_system_admin', COUNTY, 'county_info_admin', COUNTY, true],
    ['county admin: another system admin of its own county', 'county_system_admin', COUNTY, 'county_system_admin', COUNTY, true],
    ['county admin: county query account', 'county_system_admin', COUNTY, 'county_query', COUNTY, true],
    ['county admin: auditor and analyst of its own county', 'county_system_admin', COUNTY, 'auditor', COUNTY, true],
    ['county admin: school administrators one level down', 'county_system_admin', COUNTY, 'school_info_admin', school, true],
    ['county admin: school system administrator one level down', 'county_system_admin', COUNTY, 'school_system_admin', school, true],
    ['county admin: not an auditor of a school', 'county_system_admin', COUNTY, 'auditor', school, false],
    ['county admin: not a teacher account', 'county_system_admin', COUNTY, 'teacher', school, false],
    ['county admin: not a neighbouring county', 'county_system_admin', COUNTY, 'county_info_admin', NEIGHBOUR, false],
    ["county admin: not a neighbouring county's school", 'county_system_admin', COUNTY, 'school_info_admin', neighbourSchool, false],
    ['county admin: never a province account', 'county_system_admin', COUNTY, 'province_query', '420000', false],
    ['county admin: a county role cannot sit at a school', 'county_system_admin', COUNTY, 'county_query', school, false],
    ['province admin: a city one level down', 'province_system_admin', '420000', 'city_info_admin', '420100', true],
    ['province admin: 仙桃市, a county directly under the province', 'province_system_admin', '420000', 'county_info_admin', '429004', true],
    ['province admin: not a county two levels down', 'province_system_admin', '420000', 'county_info_admin', COUNTY, false],
    ['province admin: not another province', 'province_system_admin', '420000', 'province_info_admin', '620000', false],
    ['school admin: its own school only', 'school_system_admin', school, 'school_query', school, true],
    ['info admin: manages no accounts', 'county_info_admin', COUNTY, 'school_query', school, false],
  ];
  it.each(cases)('%s', (_name, role, own, targetRole, target, allowed) => {
    expect(mayManageAccount(viewer(role, own), targetRole, org(target)).ok).toBe(allowed);
  });
});

describe('account management through the gateway', () => {
  let t: TestPlatform;
  const registry = () => t.platform.subgraphs.find((s) => s.name === 'teacher-registry')!.db;
  const auditRows = async (action: string) => registry().knex(registry().t('audit_log')).where('action', action).orderBy('id');
  const CREATE = `mutation($i: CreateAccountInput!) { createAccount(input: $i) { account { id subject role status organisation { id } version } errors { code field } } }`;
  const DISABLE = `mutation($i: DisableAccountInput!) { disableAccount(input: $i) { account { id status disabledBy disabledReason } errors { code field } } }`;
  const LIST = `query($status: AccountStatus) { accounts(status: $status, first: 100) { totalCount nodes { subject role organisation { id } status } pageInfo { hasNextPage } } }`;
  let countyAdmin: string;

  beforeAll(async () => {
    t = await startTestPlatform({ ACCOUNT_STATUS_REFRESH_MS: '200' });
    countyAdmin = await t.token('county_system_admin', COUNTY, { sub: 'hongshan-sysadmin' });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('creates accounts of its own level and school administrators below, refuses the rest, and audits both', async () => {
    const ok = [
      { subject: 'hs-info-1', name: '洪山区信息管理员', role: 'county_info_admin', organisationId: COUNTY },
      { subject: 'hs-school-1', name: '学校信息管理员', role: 'school_info_admin', organisationId: school },
      { subject: 'hs-auditor-1', name: '区审计员', role: 'auditor', organisationId: COUNTY },
    ];
    for (const input of ok) {
      const { body } = await t.graphql(countyAdmin, CREATE, { i: input });
      expect(body.data.createAccount.errors).toEqual([]);
      expect(body.data.createAccount.account).toMatchObject({ subject: input.subject, role: input.role, status: 'ACTIVE', organisation: { id: input.organisationId } });
    }
    const refused: [Record<string, string>, string, string[]][] = [
      // Outside the administrator's area (a neighbour, a level above): NOT_FOUND, as for a code that
      // is no unit, so the answer does not reveal that the unit exists.
      [{ subject: 'x-1', name: '邻区', role: 'county_info_admin', organisationId: NEIGHBOUR }, 'NOT_FOUND', ['input', 'organisationId']],
      [{ subject: 'x-2', name: '省级', role: 'province_query', organisationId: '420000' }, 'NOT_FOUND', ['input', 'organisationId']],
      [{ subject: 'x-3', name: '教师', role: 'teacher', organisationId: school }, 'RULE_VIOLATION', ['input', 'role']],
      [{ subject: 'x-4', name: '无此角色', role: 'superuser', organisationId: COUNTY }, 'INVALID_INPUT', ['input', 'role']],
      [{ subject: 'hs-info-1', name: '重复', role: 'county_query', organisationId: COUNTY }, 'DUPLICATE', ['input', 'subject']],
      [{ subject: 'x-5', name: '无此单位', role: 'school_query', organisationId: '9999999999' }, 'NOT_FOUND', ['input', 'organisationId']],
    ];
    for (const [input, code, field] of refused) {
      const { body } = await t.graphql(countyAdmin, CREATE, { i: input });
      expect(body.data.createAccount).toEqual({ account: null, errors: [{ code, field }] });
    }
    const MESSAGE = `mutation($i: CreateAccountInput!) { createAccount(input: $i) { errors { code field message } } }`;
    const messageFor = async (organisationId: string) => (await t.graphql(countyAdmin, MESSAGE, { i: { subject: 'x-7', name: '比较', role: 'county_query', organisationId } })).body.data.createAccount.errors;
    expect(await messageFor(NEIGHBOUR)).toEqual(await messageFor('9999999999'));
    const stored = await registry().knex(registry().t('account')).whereIn('subject', ['x-1', 'x-2', 'x-3', 'x-4', 'x-5', 'x-7']);
    expect(stored).toEqual([]);
    const rows = await auditRows('createAccount');
    expect(rows.map((r: { result: string }) => r.result)).toEqual(['ok', 'ok', 'ok', ...Array(8).fill('refused')]);
    expect(rows[0]).toMatchObject({ subject: 'hongshan-sysadmin', role: 'county_system_admin', org_id: COUNTY });

    const infoAdmin = await t.graphql(await t.token('county_info_admin', COUNTY), CREATE, { i: { subject: 'x-6', name: '越权', role: 'school_query', organisationId: school } });
    expect(infoAdmin.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lists only the accounts the administrator manages', async () => {
    const ours = (await t.graphql(countyAdmin, LIST)).body.data.accounts;
    expect(ours.nodes.map((a: { subject: string }) => a.subject).sort()).toEqual(['hs-auditor-1', 'hs-info-1', 'hs-school-1']);
    expect(ours.totalCount).toBe(3);
    const PAGE = `query($after: String) { accounts(first: 2, after: $after) { nodes { subject } pageInfo { hasNextPage endCursor } } }`;
    const page1 = (await t.graphql(countyAdmin, PAGE)).body.data.accounts;
    const page2 = (await t.graphql(countyAdmin, PAGE, { after: page1.pageInfo.endCursor })).body.data.accounts;
    expect(page1.pageInfo.hasNextPage).toBe(true);
    expect([...page1.nodes, ...page2.nodes].map((a: { subject: string }) => a.subject)).toEqual(['hs-auditor-1', 'hs-info-1', 'hs-school-1']);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    const neighbour = (await t.graphql(await t.token('county_system_admin', NEIGHBOUR), LIST)).body.data.accounts;
    expect(neighbour.totalCount).toBe(0);
    // The province manages cities and 仙桃市, not the district two levels down.
    const province = (await t.graphql(await t.token('province_system_admin', '420000'), LIST)).body.data.accounts;
    expect(province.totalCount).toBe(0);
    const denied = await t.graphql(await t.token('auditor', COUNTY), LIST);
    expect(denied.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it("refuses a disabled account's tokens at the gateway within the refresh interval", async () => {
    const account = await registry().knex(registry().t('account')).first('id').where('subject', 'hs-info-1');
    const token = await t.token('county_info_admin', COUNTY, { sub: 'hs-info-1' });
    const before = await t.graphql(token, `{ viewer { subject } }`);
    expect(before.status).toBe(200);
    expect(before.body.data.viewer.subject).toBe('hs-info-1');

    const self = await t.graphql(await t.token('county_system_admin', COUNTY, { sub: 'hs-sys-2' }), CREATE, {
      i: { subject: 'hs-sys-2', name: '第二系统管理员', role: 'county_system_admin', organisationId: COUNTY },
    });
    expect(self.body.data.createAccount.errors).toEqual([]);
    const own = await t.graphql(await t.token('county_system_admin', COUNTY, { sub: 'hs-sys-2' }), DISABLE, { i: { accountId: self.body.data.createAccount.account.id, reason: '测试：停用自己' } });
    expect(own.body.data.disableAccount.errors).toEqual([{ code: 'RULE_VIOLATION', field: ['input', 'accountId'] }]);
    const neighbour = await t.graphql(await t.token('county_system_admin', NEIGHBOUR), DISABLE, { i: { accountId: account.id, reason: '邻区越权停用' } });
    expect(neighbour.body.data.disableAccount.errors).toEqual([{ code: 'NOT_FOUND', field: ['input', 'accountId'] }]);

    const { body } = await t.graphql(countyAdmin, DISABLE, { i: { accountId: account.id, reason: '人员调离岗位' } });
    expect(body.data.disableAccount).toEqual({ account: { id: account.id, status: 'DISABLED', disabledBy: 'hongshan-sysadmin', disabledReason: '人员调离岗位' }, errors: [] });
    const again = await t.graphql(countyAdmin, DISABLE, { i: { accountId: account.id, reason: '人员调离岗位' } });
    expect(again.body.data.disableAccount.errors).toEqual([{ code: 'INVALID_STATE', field: ['input', 'accountId'] }]);

    let refused: { status: number; body: { errors?: { extensions?: { code?: string } }[] } } | null = null;
    for (let i = 0; i < 50 && !refused; i++) {
      const answer = await t.graphql(token, `{ viewer { subject } }`);
      if (answer.status === 401) refused = answer;
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(refused?.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // Other accounts are untouched.
    expect((await t.graphql(countyAdmin, `{ viewer { subject } }`)).status).toBe(200);
    const audit = await auditRows('disableAccount');
    expect(audit.map((r: { result: string }) => r.result)).toEqual(['refused', 'refused', 'ok', 'refused']);
  });
});
