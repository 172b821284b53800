import { startTestPlatform, type TestPlatform } from '../helpers/platform';
import { checkInvariants, dbsOf, settleEvents } from './invariants';
import { newRegistration, REGISTER_TEACHER } from './support';

/**
 * Two writers on the same record at the same moment, through the gateway (optimistic concurrency):
 * exactly one wins, the other is told CONFLICT, and nothing is written twice.
 */
describe('two writers racing on one record', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ EVENT_RELAY_INTERVAL_MS: '3600000' });
  }, 180000);
  afterAll(async () => {
    await t?.stop();
  });
  const reconcile = async () => {
    await settleEvents(t.platform.subgraphs);
    expect(await checkInvariants(dbsOf(t.platform.subgraphs), { requireDrained: true })).toEqual([]);
  };
  const codes = (answers: { errors: { code: string }[] }[]) => answers.map((a) => a.errors.map((e) => e.code).join(',') || 'ok').sort();

  it('approving one archive twice at once: one approval, the other refused, one version step', async () => {
    const school = await t.token('school_info_admin', '1142000101');
    const registered = await t.graphql(school, REGISTER_TEACHER, { input: newRegistration('并发审核') });
    const teacher = registered.body.data.registerTeacher.teacher as { id: string; version: number };
    const [a, b] = await Promise.all(
      ['county-admin-a', 'county-admin-b'].map(async (sub) =>
        t.graphql(await t.token('county_info_admin', '420111', { sub }), 'mutation($input: TeacherVersionInput!) { approveTeacherRecord(input: $input) { teacher { version recordStatus } errors { code field } } }', {
          input: { id: teacher.id, version: teacher.version },
        }),
      ),
    );
    const answers = [a!.body.data.approveTeacherRecord, b!.body.data.approveTeacherRecord];
    // The loser either lost the version race (CONFLICT) or, arriving a moment later, already read the
    // approved state (INVALID_STATE); either way it wrote nothing.
    const [loser, winner] = codes(answers);
    expect(winner).toBe('ok');
    expect(['CONFLICT', 'INVALID_STATE']).toContain(loser);
    if (loser === 'CONFLICT') expect(answers.find((x) => x.errors.length)!.errors[0]).toMatchObject({ field: ['input', 'version'] });
    const registry = t.platform.subgraphs.find((s) => s.name === 'teacher-registry')!.db;
    const row = await registry.knex(registry.t('teacher')).first('version').where('id', teacher.id);
    expect(row.version).toBe(teacher.version + 1);
    const approvals = await registry.knex(registry.t('teacher_change_log')).where({ teacher_id: teacher.id, action: 'record_approved' }).count('* as n');
    expect(Number(approvals[0]!.n)).toBe(1);
    await reconcile();
  });

  it('changing one employment twice at once: one new employment, one CONFLICT, never two in force', async () => {
    const staffing = t.platform.subgraphs.find((s) => s.name === 'staffing-quota')!.db;
    const current = await staffing
      .knex(staffing.t('employment'))
      .first('id', 'teacher_id', 'version')
      .where({ org_id: '1142000101', on_quota: true })
      .whereNull('ends_on')
      .orderBy('id');
    const before = Number((await staffing.knex(staffing.t('employment')).where('teacher_id', current.teacher_id).count('* as n'))[0]!.n);
    const CHANGE = 'mutation($input: ChangeEmploymentTermsInput!) { changeEmploymentTerms(input: $input) { employment { id } errors { code field } } }';
    const results = await Promise.all(
      ['LABOUR_CONTRACT', 'AGENCY'].map(async (contractKind, i) =>
        t.graphql(await t.token('school_info_admin', '1142000101', { sub: `school-admin-${i}` }), CHANGE, {
          input: { employmentId: current.id, onQuota: true, contractKind, effectiveOn: '2026-12-01', version: current.version },
        }),
      ),
    );
    const answers = results.map((r) => r.body.data.changeEmploymentTerms);
    expect(codes(answers)).toEqual(['CONFLICT', 'ok']);
    const after = await staffing.knex(staffing.t('employment')).where('teacher_id', current.teacher_id).orderBy('starts_on');
    expect(after).toHaveLength(before + 1); // the winner's new terms; the loser added nothing
    expect(after.filter((e: { ends_on: string | null }) => e.ends_on === null)).toHaveLength(1);
    await reconcile();
  });

  /**
   * Every table a user mutation updates in place carries a `version` that its update mutations
   * check. Tables with `updated_at` but no `version` are projections written only by events (a
   * newer fact wins there, by timestamp) — listed here so a new mutable table without a version
   * fails this test.
   */
  it('every mutable table has a version column', async () => {
    const dbs = dbsOf(t.platform.subgraphs);
    const { rows } = await dbs.registry.knex.raw(
      `select c.table_schema as s, c.table_name as t from information_schema.columns c
        join information_schema.tables tb on tb.table_schema = c.table_schema and tb.table_name = c.table_name and tb.table_type = 'BASE TABLE'
        where c.table_schema = any(?) group by 1, 2
        having bool_or(c.column_name = 'updated_at') and not bool_or(c.column_name = 'version')`,
      [Object.values(dbs).map((db) => db.schema)],
    );
    const withoutVersion = (rows as { s: string; t: string }[]).map((r) => r.t).sort();
    // school_profile is reference data written only by the demo loader.
    const EVENT_PROJECTIONS = ['org_scope', 'rotation_projection', 'school_profile', 'teacher_profile', 'teacher_scope'];
    expect([...new Set(withoutVersion)].filter((name) => !EVENT_PROJECTIONS.includes(name))).toEqual([]);
  });
});
