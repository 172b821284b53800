import { randomUUID } from 'node:crypto';
import { describeOnPostgres } from '../helpers/database';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { applyEvent } from '../../subgraphs/shared/src/events';
import { createLogger } from '../../subgraphs/shared/src/logger';
import { training } from '../../subgraphs/training/src';
import { bankUnbankedRecords, completionByOrgIds, completionByOrgIdsLive } from '../../subgraphs/training/src/repositories/credit-bank';
import { listCycles } from '../../subgraphs/training/src/repositories/training';
import { today } from '../../subgraphs/training/src/domain/validation';
import { startTraining, type TrainingHarness } from '../training/harness';

/**
 * The training completion rollup (migration 20261130100000) against the live statement it
 * replaces, for every demo unit and every cycle, after each kind of write that changes a figure:
 * credit deposits (one and many in a statement; the ledger is append-only, so nothing is withdrawn
 * from it), a recognised and a rejected declaration, a move across provinces (with its credit conversion), a teacher leaving the
 * projection, a policy change and a change of day past a policy's start.
 */
const data = buildDemoDataset();
const unitIds = data.orgUnits.map((u) => u.id);
const school = '1142000101';
const teacher = data.teachers.find((t) => t.schoolId === school)!;

describe('training completion rollup equals the live count', () => {
  let h: TrainingHarness;
  const logger = createLogger('test', 'silent');

  beforeAll(async () => {
    h = await startTraining();
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** Every unit, every cycle, as a national reader and as a provincial analyst, on `day`. */
  async function expectRollupEqualsLive(day = today()) {
    const cycles = await listCycles(h.server.db);
    expect(cycles.length).toBeGreaterThan(0);
    let teachers = 0;
    for (const viewer of [h.viewer('national_query', 'CN'), h.viewer('analyst', '420000')]) {
      for (const c of cycles) {
        const cycle = { startsOn: c.startsOn, endsOn: c.endsOn, requiredHours: Number(c.requiredHours) };
        const asOf = cycle.endsOn < day ? cycle.endsOn : day;
        const normalise = (rows: { orgId: string; teacherCount: unknown; metCount: unknown; credits: unknown }[]) =>
          rows.map((r) => ({ orgId: r.orgId, teacherCount: Number(r.teacherCount), metCount: Number(r.metCount), credits: Number(r.credits) })).sort((a, b) => a.orgId.localeCompare(b.orgId));
        const rollup = normalise(await completionByOrgIds(h.server.db, viewer, unitIds, cycle, asOf, day));
        const live = normalise(await completionByOrgIdsLive(h.server.db, viewer, unitIds, cycle, asOf));
        expect(rollup).toEqual(live);
        teachers += live.find((r) => r.orgId === 'CN')?.teacherCount ?? 0;
      }
    }
    // The comparison is about real figures, not two empty answers.
    expect(teachers).toBeGreaterThan(0);
    expect(Number((await h.server.db.knex(h.server.db.t('training_completion_dirty')).count('* as n').first())!.n)).toBe(0);
  }

  const rollupRow = async (cycleId: string, path: string) =>
    h.server.db.knex(h.server.db.t('training_completion_rollup')).first('teacher_count', 'met_count').where({ cycle_id: cycleId, school_path: path });

  it('matches after the demo load', async () => {
    await expectRollupEqualsLive();
  });

  it('matches after a recognised declaration and a rejected one', async () => {
    const DECLARE = `mutation($input: DeclareTrainingInput!) { declareTraining(input: $input) { declaration { id version } errors { code } } }`;
    const REVIEW = `mutation($input: ReviewCreditDeclarationInput!) { reviewCreditDeclaration(input: $input) { declaration { id version } errors { code } } }`;
    const DECIDE = `mutation($input: DecideCreditDeclarationInput!) { decideCreditDeclaration(input: $input) { declaration { status } errors { code } } }`;
    for (const recognise of [true, false]) {
      const input = { clientRequestId: randomUUID(), title: '暑期研修', form: 'CENTRALISED', organiser: '华中师范大学', hours: 400, completedOn: today(), evidenceRef: 'CERT-1' };
      const declared = (await h.graphql(h.viewer('teacher', school, { teacherId: teacher.id }), DECLARE, { input })).data.declareTraining;
      expect(declared.errors).toEqual([]);
      const reviewed = (await h.graphql(h.viewer('school_info_admin', school), REVIEW, { input: { declarationId: declared.declaration.id, version: declared.declaration.version, approve: true } }))
        .data.reviewCreditDeclaration;
      expect(reviewed.errors).toEqual([]);
      const decision = { declarationId: reviewed.declaration.id, version: reviewed.declaration.version, recognise, ...(recognise ? {} : { reason: '证明材料不全' }) };
      const decided = (await h.graphql(h.viewer('county_info_admin', '420111'), DECIDE, { input: decision })).data.decideCreditDeclaration;
      expect(decided.errors).toEqual([]);
      await expectRollupEqualsLive();
    }
  });

  it('matches after many deposits in one statement (bulk banking)', async () => {
    const { db } = h.server;
    const teachers = data.teachers.filter((t) => t.orgPath.startsWith('/CN/620000/')).slice(0, 12);
    await db.knex(db.t('training_record')).insert(
      teachers.map((t) => ({ id: randomUUID(), teacher_id: t.id, title: '国培计划', form: 'centralised', hours: 380, completed_on: today() })),
    );
    await db.knex.transaction((trx) => bankUnbankedRecords(trx, db, 'test'));
    await expectRollupEqualsLive();
  });

  it('matches after a move across provinces and after a teacher leaves the projection (retirement changes nothing here)', async () => {
    const { db } = h.server;
    const mover = data.teachers.find((t) => t.orgPath.includes('/420115/'))!;
    const target = data.orgUnits.find((o) => o.id === '1162000101')!;
    const [cycle] = await listCycles(db);
    const before = await rollupRow(cycle!.id, mover.orgPath);
    const event = {
      id: randomUUID(),
      type: 'teacher.affiliation-changed' as const,
      source: 'teacher-registry',
      occurredAt: new Date().toISOString(),
      payload: { teacherId: mover.id, fromSchoolId: mover.schoolId, toSchoolId: target.id, fromOrgPath: mover.orgPath, orgPath: target.path, effectiveOn: today() },
    };
    expect(await applyEvent(db, training.eventHandlers!, event, logger)).toBe('applied');
    await expectRollupEqualsLive();
    expect((await rollupRow(cycle!.id, mover.orgPath))?.teacher_count ?? 0).toBe(before.teacher_count - 1);
    // The registry sends no event when a teacher retires, so training keeps counting them (live and
    // rollup alike); a teacher_scope row that goes away is the only way out, and is recounted.
    await db.knex(db.t('teacher_scope')).where('teacher_id', teacher.id).delete();
    await expectRollupEqualsLive();
  });

  it('matches after a policy change and on a later day past a policy that starts then', async () => {
    const SET_POLICY = `mutation($i: SetCreditPolicyInput!) { setCreditPolicy(input: $i) { policy { id } errors { code field } } }`;
    const hubei = h.viewer('province_info_admin', '420000');
    // Far stricter from tomorrow: verdicts judged today do not change, those judged later do.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const strict = { provinceCode: '420000', effectiveFrom: tomorrow, cycleRequiredCredits: 9000, cycleRequiredHours: 9000, sourceDocument: '鄂教师〔2026〕9号' };
    expect((await h.graphql(hubei, SET_POLICY, { i: strict })).data.setCreditPolicy.errors).toEqual([]);
    await expectRollupEqualsLive();
    const [{ met }] = (await h.server.db.knex.raw(`select sum(met_count)::int as met from ?? where school_path like '/CN/420000/%'`, [h.server.db.t('training_completion_rollup')])).rows;
    await expectRollupEqualsLive(tomorrow);
    const [{ after }] = (await h.server.db.knex.raw(`select sum(met_count)::int as after from ?? where school_path like '/CN/420000/%'`, [h.server.db.t('training_completion_rollup')])).rows;
    // The running cycle's 湖北 teachers cannot meet 9,000 credits: fewer met than the day before.
    expect(after).toBeLessThan(met);
    await expectRollupEqualsLive();
  });
});

/**
 * A write still open while a reader recounts: the reader must neither count it nor lose its mark.
 * Needs two connections at once, so PostgreSQL only (the embedded database has one).
 */
describeOnPostgres('training completion rollup with a write in flight', () => {
  let h: TrainingHarness;
  beforeAll(async () => {
    h = await startTraining();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('keeps the mark of a write that commits after a reader recounted', async () => {
    const { db } = h.server;
    const national = h.viewer('national_query', 'CN');
    const [c] = (await listCycles(db)).filter((x) => x.startsOn <= today() && x.endsOn >= today());
    const cycle = { id: c!.id, startsOn: c!.startsOn, endsOn: c!.endsOn, requiredHours: Number(c!.requiredHours) };
    const read = async () => (await completionByOrgIds(db, national, [school], cycle, today()))[0]!;
    const live = async () => (await completionByOrgIdsLive(db, national, [school], cycle, today()))[0]!;
    // A mark already committed for the school (an earlier write nobody has read since).
    await db.knex(db.t('training_completion_dirty')).insert({ school_path: teacher.orgPath });
    const before = await live();
    const trx = await db.knex.transaction();
    try {
      await trx(db.t('training_record')).insert({ id: randomUUID(), teacher_id: teacher.id, title: '在途研修', form: 'centralised', hours: 120, completed_on: today() });
      await bankUnbankedRecords(trx, db, 'test', teacher.id);
      // The reader runs while the write is open: it sees the school as before the write.
      expect(Number((await read()).credits)).toBe(Number(before.credits));
      await trx.commit();
    } catch (error) {
      await trx.rollback();
      throw error;
    }
    const after = await live();
    expect(Number(after.credits)).toBeGreaterThan(Number(before.credits));
    // The committed write is counted: its school's mark survived the reader.
    expect(Number((await read()).credits)).toBe(Number(after.credits));
  });
});
