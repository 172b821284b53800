import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { buildDemoEthics } from '../../subgraphs/evaluation/src/db/demo-ethics';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { evaluation } from '../../subgraphs/evaluation/src/index';
import { applyEvent } from '../../subgraphs/shared/src/events';
import { startEvaluation, TEACHER_ENTITIES, type EvaluationService } from './evaluation-service';

/** Training's verdict for the 2024–2028 cycle, as training publishes it (training.cycle-summaries-changed). */
const verdict = (teacherId: string, hours: number, credits: number) => ({
  teacherId, cycleId: '2024-2028', startsOn: '2024-01-01', endsOn: '2028-12-31', provinceCode: '420000',
  hours, credits, requiredHours: 360, requiredCredits: 36, isMet: hours >= 360 && credits >= 36,
});
async function publishTraining(ev: EvaluationService, summaries: ReturnType<typeof verdict>[]) {
  const event = { id: randomUUID(), type: 'training.cycle-summaries-changed' as const, source: 'training', occurredAt: new Date().toISOString(), payload: { summaries } };
  expect(await applyEvent(ev.server.db, evaluation.eventHandlers!, event, pino({ level: 'silent' }))).toBe('applied');
}

const data = buildDemoDataset();
const demoEthics = buildDemoEthics(data);
const withEthics = new Set(demoEthics.map((e) => e.teacher_id));
const COUNTY = '420111';
const lastYear = new Date().getUTCFullYear() - 1;
const years = [lastYear - 2, lastYear - 1, lastYear];
const gradesOf = (teacherId: string) => new Map(data.assessments.filter((a) => a.teacherId === teacherId).map((a) => [a.year, a.grade]));
const inCounty = data.teachers.filter((t) => t.orgPath.includes(`/${COUNTY}/`) && !withEthics.has(t.id));
const strong = inCounty.find((t) => {
  const g = gradesOf(t.id);
  return years.every((y) => ['pass', 'excellent'].includes(g.get(y) ?? '')) && years.some((y) => g.get(y) === 'excellent');
})!;
const weak = inCounty.find((t) => years.some((y) => ['basic_pass', 'fail'].includes(gradesOf(t.id).get(y) ?? '')))!;
const noExcellent = inCounty.find((t) => {
  const g = gradesOf(t.id);
  return years.every((y) => g.get(y) === 'pass');
})!;

const CREATE = `#graphql
  mutation ($input: CreateAwardProgrammeInput!) { createAwardProgramme(input: $input) {
    programme { id name level organiser { id } minYearsPassOrBetter minExcellentInThoseYears requiresTrainingComplete version } errors { code field } } }`;
const NOMINATE = `#graphql
  mutation ($input: NominateForAwardInput!) { nominateForAward(input: $input) { nomination { id stage programme { name } teacher { id } version } errors { code field message } } }`;
const DECIDE = `#graphql
  mutation ($input: DecideAwardNominationInput!) { decideAwardNomination(input: $input) { nomination { id stage awardedOn documentRef version } errors { code field } } }`;
const programmeInput = {
  name: '湖北省优秀教师',
  issuer: '湖北省教育厅',
  nominationOpensOn: '2026-01-01',
  nominationClosesOn: '2030-12-31',
  minYearsPassOrBetter: 3,
  minExcellentInThoseYears: 1,
  requiresTrainingComplete: true,
};

describe('awards', () => {
  let ev: EvaluationService;
  let programmeId: string;
  const province = () => ev.viewer('province_info_admin', '420000');
  const county = () => ev.viewer('county_info_admin', COUNTY);

  beforeAll(async () => {
    ev = await startEvaluation();
    // Training complete for the teachers the assessment gates are about.
    await publishTraining(ev, [strong, weak, noExcellent].map((t) => verdict(t.id, 400, 40)));
  });
  afterAll(async () => {
    await ev?.stop();
  });

  it('creates a programme at the organiser\'s level; bad input names each field and stores nothing', async () => {
    const bad = await ev.call(province(), CREATE, { input: { ...programmeInput, name: ' ', nominationClosesOn: '2025-12-31', minExcellentInThoseYears: 4 } });
    expect(bad.data.createAwardProgramme.errors.map((e: { field: string[] }) => e.field[1])).toEqual(['name', 'nominationClosesOn', 'minExcellentInThoseYears']);
    expect(await ev.server.db.knex(ev.server.db.t('award_programme'))).toHaveLength(0);
    const body = await ev.call(province(), CREATE, { input: programmeInput });
    expect(body.data.createAwardProgramme).toMatchObject({ programme: { level: 'PROVINCIAL', organiser: { id: '420000' }, version: 1 }, errors: [] });
    programmeId = body.data.createAwardProgramme.programme.id;
    const LIST = '{ awardProgrammes { totalCount nodes { id } } }';
    expect((await ev.call(county(), LIST)).data.awardProgrammes).toEqual({ totalCount: 1, nodes: [{ id: programmeId }] });
    expect((await ev.call(ev.viewer('county_info_admin', '110105'), LIST)).data.awardProgrammes).toEqual({ totalCount: 0, nodes: [] });
    // A lookup by id obeys the same scope: Beijing cannot read Hubei's programme through a teacher's eligibility either.
    const beijingTeacher = data.teachers.find((x) => x.orgPath.includes('/110105/'))!;
    const elsewhere = await ev.call(ev.viewer('county_info_admin', '110105'), TEACHER_ENTITIES(`awardEligibility(programmeId: "${programmeId}") { eligible }`), { representations: [{ __typename: 'Teacher', id: beijingTeacher.id, trainingProgress: null }] });
    expect(elsewhere.data._entities[0].awardEligibility).toBeNull();
  });

  it('nominations enforce the assessment, excellent and ethics gates', async () => {
    const ok = await ev.call(county(), NOMINATE, { input: { programmeId, teacherId: strong.id } });
    expect(ok.data.nominateForAward).toMatchObject({ nomination: { stage: 'NOMINATED', programme: { name: '湖北省优秀教师' }, teacher: { id: strong.id } }, errors: [] });
    expect((await ev.call(county(), NOMINATE, { input: { programmeId, teacherId: strong.id } })).data.nominateForAward.errors[0].code).toBe('DUPLICATE');

    const weakBody = await ev.call(county(), NOMINATE, { input: { programmeId, teacherId: weak.id } });
    expect(weakBody.data.nominateForAward.errors[0]).toMatchObject({ code: 'RULE_VIOLATION', field: ['input', 'teacherId'] });
    expect(weakBody.data.nominateForAward.errors[0].message).toMatch(/pass or better/);
    const plain = await ev.call(county(), NOMINATE, { input: { programmeId, teacherId: noExcellent.id } });
    expect(plain.data.nominateForAward.errors).toEqual([expect.objectContaining({ code: 'RULE_VIOLATION', message: expect.stringMatching(/excellent/) })]);

    await ev.call(county(), `#graphql
      mutation ($input: RecordEthicsEntryInput!) { recordEthicsEntry(input: $input) { errors { code } } }`, {
      input: { teacherId: strong.id, kind: 'VIOLATION', sanction: 'WARNING', summary: '违规有偿补课', decidedOn: '2026-01-10', authority: '洪山区教育局', documentRef: '洪教纪〔2026〕1号' },
    });
    // A second programme: the same strong teacher is now barred by the ban.
    const second = (await ev.call(province(), CREATE, { input: { ...programmeInput, name: '湖北省师德标兵' } })).data.createAwardProgramme.programme.id;
    const barred = await ev.call(county(), NOMINATE, { input: { programmeId: second, teacherId: strong.id } });
    expect(barred.data.nominateForAward.errors).toEqual([expect.objectContaining({ code: 'RULE_VIOLATION', message: expect.stringMatching(/ethics sanction bars awards until 2028-01-09/) })]);
    const audit = await ev.server.db.knex(ev.server.db.t('ethics_read_audit')).where({ teacher_id: strong.id, action: 'read_for_award' });
    expect(audit.length).toBeGreaterThanOrEqual(2);

    const outside = await ev.call(ev.viewer('county_info_admin', '110105'), NOMINATE, { input: { programmeId, teacherId: strong.id } });
    expect(outside.data.nominateForAward.errors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'programmeId'] });
  });

  it('enforces the training gate at nomination from training\'s verdict: met → nominated, short of credits or unknown → refused in words', async () => {
    const open = (await ev.call(province(), CREATE, { input: { ...programmeInput, name: '湖北省教学能手', minYearsPassOrBetter: 0, minExcellentInThoseYears: 0 } })).data.createAwardProgramme.programme.id;
    const [met, short, unknown] = inCounty.filter((t) => ![strong.id, weak.id, noExcellent.id].includes(t.id));
    // 360 hours and 36 credits meet 湖北's cycle; 360 hours of online study are only 18 credits (20 h = 1 credit).
    await publishTraining(ev, [verdict(met!.id, 360, 36), verdict(short!.id, 360, 18)]);
    const nominate = (teacherId: string) => ev.call(county(), NOMINATE, { input: { programmeId: open, teacherId } });
    expect((await nominate(met!.id)).data.nominateForAward).toMatchObject({ nomination: { stage: 'NOMINATED' }, errors: [] });
    const refused = (await nominate(short!.id)).data.nominateForAward;
    expect(refused).toEqual({
      nomination: null,
      errors: [{ code: 'RULE_VIOLATION', field: ['input', 'teacherId'], message: 'You have 18 of the 36 training credits your province (420000) requires for the cycle (18 missing).' }],
    });
    const noVerdict = (await nominate(unknown!.id)).data.nominateForAward;
    expect(noVerdict.errors).toEqual([expect.objectContaining({ code: 'RULE_VIOLATION', message: expect.stringMatching(/Training has not reported/) })]);
    // Nothing stored for the refused ones.
    expect(await ev.server.db.knex(ev.server.db.t('award_nomination')).where('programme_id', open).pluck('teacher_id')).toEqual([met!.id]);

    // The eligibility shown beforehand gives the same answer as the nomination, whatever the federated hours say.
    const shown = await ev.call(county(), TEACHER_ENTITIES(`awardEligibility(programmeId: "${open}") { eligible gates { key met detail } }`), {
      representations: [{ __typename: 'Teacher', id: short!.id, trainingProgress: { isComplete: true } }],
    });
    expect(shown.data._entities[0].awardEligibility.gates.find((g: { key: string }) => g.key === 'training')).toEqual({ key: 'training', met: false, detail: refused.errors[0].message });

    // A malformed verdict is skipped, the rest of the event applied.
    await publishTraining(ev, [{ ...verdict(short!.id, 400, 40), hours: -1 }, verdict(unknown!.id, 10, 1)]);
    expect((await nominate(unknown!.id)).data.nominateForAward.errors[0].message).toBe('You have 10 of the 360 training hours the cycle requires (350 missing). You have 1 of the 36 training credits your province (420000) requires for the cycle (35 missing).');
    expect((await nominate(short!.id)).data.nominateForAward.errors[0].message).toBe(refused.errors[0].message);

    // Training catches up (an older, redelivered verdict does not undo it): the teacher can be nominated.
    await publishTraining(ev, [verdict(short!.id, 400, 40)]);
    await applyEvent(ev.server.db, evaluation.eventHandlers!, { id: randomUUID(), type: 'training.cycle-summaries-changed', source: 'training', occurredAt: '2020-01-01T00:00:00Z', payload: { summaries: [verdict(short!.id, 1, 1)] } }, pino({ level: 'silent' }));
    expect((await nominate(short!.id)).data.nominateForAward.errors).toEqual([]);
  });

  it('eligibility falls back to the hours read through federation only until training\'s verdict has arrived', async () => {
    const query = TEACHER_ENTITIES(`awardEligibility(programmeId: "${programmeId}") { eligible gates { key met } }`);
    const noVerdict = inCounty.filter((t) => ![strong.id, weak.id, noExcellent.id].includes(t.id))[5]!;
    const rep = (isComplete: boolean) => ({ __typename: 'Teacher', id: noVerdict.id, trainingProgress: { isComplete } });
    const body = await ev.call(county(), query, { representations: [rep(true), rep(false)] });
    expect(body.errors).toBeUndefined();
    const [complete, incomplete] = body.data._entities.map((e: { awardEligibility: { gates: { key: string; met: boolean }[] } }) => Object.fromEntries(e.awardEligibility.gates.map((g) => [g.key, g.met])));
    expect(complete.training).toBe(true);
    expect(incomplete.training).toBe(false);
  });

  it('the organiser records the result, which flows to the registry through the outbox', async () => {
    const nomination = (await ev.call(county(), TEACHER_ENTITIES('awardNominations { id version }'), { representations: [{ __typename: 'Teacher', id: strong.id }] })).data._entities[0].awardNominations[0];
    const notOrganiser = await ev.call(county(), DECIDE, { input: { nominationId: nomination.id, version: 1, awarded: true, awardedOn: '2026-09-10', documentRef: '鄂教师〔2026〕9号' } });
    expect(notOrganiser.data.decideAwardNomination.errors[0].code).toBe('NOT_FOUND');
    const missing = await ev.call(province(), DECIDE, { input: { nominationId: nomination.id, version: 1, awarded: true } });
    expect(missing.data.decideAwardNomination.errors.map((e: { field: string[] }) => e.field[1])).toEqual(['awardedOn', 'documentRef']);
    const awarded = await ev.call(province(), DECIDE, { input: { nominationId: nomination.id, version: 1, awarded: true, awardedOn: '2026-09-10', documentRef: '鄂教师〔2026〕9号' } });
    expect(awarded.data.decideAwardNomination).toEqual({ nomination: { id: nomination.id, stage: 'AWARDED', awardedOn: '2026-09-10', documentRef: '鄂教师〔2026〕9号', version: 2 }, errors: [] });
    const events = await ev.server.db.knex(ev.server.db.t('outbox')).where({ type: 'evaluation.award-granted' });
    expect(events).toEqual([
      expect.objectContaining({
        consumer: 'teacher-registry',
        payload: { teacherId: strong.id, awardName: '湖北省优秀教师', level: 'provincial', issuer: '湖北省教育厅', awardedOn: '2026-09-10', documentRef: '鄂教师〔2026〕9号' },
      }),
    ]);
    const again = await ev.call(province(), DECIDE, { input: { nominationId: nomination.id, version: 2, awarded: false } });
    expect(again.data.decideAwardNomination.errors[0].code).toBe('INVALID_STATE');
  });
});
