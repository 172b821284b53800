import type { Viewer } from '../../subgraphs/shared/src/identity';
import { headcountsFromRollup } from '../../subgraphs/teacher-registry/src/repositories/headcount-rollup';
import { headcountsByUnit, headcountsByUnitLive, type HeadcountRow } from '../../subgraphs/teacher-registry/src/repositories/teachers';
import { startRegistry, validRegistration, type RegistryHarness } from './harness';

/**
 * The headcount rollup (migration 20261129500000) answers exactly what the live query over every
 * teacher answers, for every unit level and viewer, and stays exact after each kind of write and
 * after the calendar moves teachers into the next age band.
 */
const UNITS = ['CN', '110000', '420000', '420100', '420111', '429004', '620000', '621121'];
const sorted = (rows: HeadcountRow[]) =>
  rows
    .filter((r) => r.count > 0)
    .map((r) => `${r.unitId}|${r.dimension}|${r.code}|${r.count}`)
    .sort();

describe('headcount rollup', () => {
  let h: RegistryHarness;
  const knex = () => h.server.db.knex;
  const t = (table: string) => h.server.db.t(table);
  const db = () => h.server.db;
  let viewers: Viewer[];

  async function expectRollupEqualsLive(): Promise<void> {
    for (const viewer of viewers) {
      const served = await headcountsFromRollup(db(), viewer, UNITS, new Set(['status', 'title', 'ageBand', 'titleAgeBand']));
      expect(served.servedUnits.size).toBe(UNITS.length - 0);
      const fromRollup = sorted(await headcountsByUnit(db(), viewer, UNITS));
      const live = sorted(await headcountsByUnitLive(db(), viewer, UNITS));
      expect(fromRollup.length).toBeGreaterThan(0);
      expect([viewer.orgId, fromRollup]).toEqual([viewer.orgId, live]);
    }
  }

  beforeAll(async () => {
    h = await startRegistry();
    viewers = [h.viewer('national_query', 'CN'), h.viewer('province_query', '420000'), h.viewer('county_info_admin', '420111'), h.viewer('analyst', 'CN')];
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('matches the live query for every level of the tree and every scope after the demo data is loaded', async () => {
    const [rows] = (await knex()(t('headcount_rollup')).count('* as n')) as { n: number }[];
    expect(Number(rows!.n)).toBeGreaterThan(0);
    await expectRollupEqualsLive();
  });

  it('stays exact after a registration through the API, a multi-row insert, updates, a move and a delete', async () => {
    const register = `mutation($input: RegisterTeacherInput!) { registerTeacher(input: $input) { teacher { id } errors { code field } } }`;
    const { data, errors } = await h.graphql(h.viewer('county_info_admin', '420111'), register, { input: validRegistration({ idDocumentNumber: '420111199003150025' }) });
    expect(errors).toBeUndefined();
    expect(data.registerTeacher.errors).toEqual([]);
    await expectRollupEqualsLive();

    // Several rows in one statement: the statement trigger sees them together.
    const template = await knex()(t('teacher')).where('school_id', '1142000102').first();
    const copies = [1, 2, 3].map((i) => ({
      ...template,
      id: `00000000-0000-4000-8000-00000000000${i}`,
      national_teacher_number: `42202699999999${i}`,
      id_document_number: null,
      birth_date: `19${70 + i * 5}-02-0${i}`,
      title: i === 2 ? null : 'first',
    }));
    await knex()(t('teacher')).insert(copies);
    await expectRollupEqualsLive();

    await knex()(t('teacher')).where('id', copies[0]!.id).update({ title: 'senior', status: 'retired' });
    await knex()(t('teacher')).where('id', copies[1]!.id).update({ subject: '数学', education_level: '14', on_quota: false });
    await expectRollupEqualsLive();

    // A move to 甘肃 (another province, another county): both units change.
    await knex()(t('teacher'))
      .where('id', copies[2]!.id)
      .update({ school_id: '1162000101', org_path: '/CN/620000/621100/621121/1162000101/' });
    await expectRollupEqualsLive();

    await knex()(t('teacher')).whereIn('id', [copies[0]!.id, copies[1]!.id]).delete();
    await expectRollupEqualsLive();
  });

  it('recounts a school whose stage or locale changes', async () => {
    await knex()(t('org_unit')).where('id', '1142000101').update({ locale: 'rural', school_stage: 'nine_year' });
    await expectRollupEqualsLive();
  });

  it('moves teachers into their next age band when the date advances, exactly as a recount would', async () => {
    // Pretend the rollup was last current 200 days ago: its age bands are those of that day.
    await knex().raw(`select "${db().schema}".headcount_rollup_rebuild((current_date - 200)::date)`);
    const stale = sorted(await headcountsByUnitLive(db(), viewers[0]!, UNITS));
    const before = sorted(
      (await knex().raw(`select 'CN' as "unitId", dimension, code, sum(count)::int as count from ${t('headcount_rollup')} group by dimension, code`)).rows,
    );
    expect(before.filter((r) => r.includes('|ageBand|'))).not.toEqual(stale.filter((r) => r.startsWith('CN|ageBand|')));
    // The next read advances the bands to today.
    await expectRollupEqualsLive();
    const [state] = (await knex().raw(`select as_of::text = current_date::text as current from ${t('headcount_rollup_state')}`)).rows;
    expect(state.current).toBe(true);
  });
});
