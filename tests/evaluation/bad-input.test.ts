import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import type { Role } from '../../subgraphs/shared/src/identity';
import { startEvaluation, type EvaluationService } from './evaluation-service';

/**
 * Issue #6, "bad input answered with a clear error and nothing stored", for every evaluation
 * mutation: each refusal names the input field and says why, and no table changes (the read audit
 * trails excepted: a refused write that consulted the ethics ledger is still audited).
 */
const data = buildDemoDataset();
const SCHOOL = '1142000102';
const teacher = data.teachers.find((t) => t.schoolId === SCHOOL)!;
const long = (n: number) => '长'.repeat(n);

interface Case {
  mutation: string;
  inputType: string;
  role: Role;
  org: string;
  input: Record<string, unknown>;
  /** The input fields named, in order. */
  fields: string[];
  extra?: Record<string, unknown>;
}

const CASES: Case[] = [
  { mutation: 'enterAnnualAssessment', inputType: 'EnterAnnualAssessmentInput', role: 'school_info_admin', org: SCHOOL, input: { teacherId: 'x', year: 1800, grade: 'EXCELLENT', comment: long(501) }, fields: ['teacherId', 'year', 'comment'] },
  { mutation: 'changeAnnualAssessmentGrade', inputType: 'ChangeAnnualAssessmentGradeInput', role: 'school_info_admin', org: SCHOOL, input: { id: 'x', version: 0, grade: 'PASS', comment: long(501) }, fields: ['id', 'version', 'comment'] },
  {
    mutation: 'recordEthicsEntry', inputType: 'RecordEthicsEntryInput', role: 'county_info_admin', org: '420111',
    input: { teacherId: 'x', kind: 'VIOLATION', summary: ' ', decidedOn: '2999-01-01', authority: ' ', documentRef: long(101) },
    fields: ['teacherId', 'sanction', 'summary', 'decidedOn', 'authority', 'documentRef'],
  },
  { mutation: 'correctEthicsEntry', inputType: 'CorrectEthicsEntryInput', role: 'county_info_admin', org: '420111', input: { id: 'x', version: 0, summary: ' ' }, fields: ['id', 'version', 'summary'] },
  { mutation: 'applyForQualificationRegistration', inputType: 'ApplyForRegistrationInput', role: 'teacher', org: SCHOOL, input: { registrationId: 'x', version: 0 }, fields: ['registrationId', 'version'], extra: { teacherId: teacher.id } },
  { mutation: 'fileQualificationRegistration', inputType: 'RegistrationStepInput', role: 'school_info_admin', org: SCHOOL, input: { registrationId: 'x', version: 0 }, fields: ['registrationId', 'version'] },
  { mutation: 'registerQualification', inputType: 'RegistrationStepInput', role: 'county_info_admin', org: '420111', input: { registrationId: 'x', version: 0 }, fields: ['registrationId', 'version'] },
  { mutation: 'recommendTitleApplication', inputType: 'TitleStepInput', role: 'school_info_admin', org: SCHOOL, input: { applicationId: 'x', version: 0 }, fields: ['applicationId', 'version'] },
  { mutation: 'preReviewTitleApplication', inputType: 'TitleDecisionInput', role: 'county_info_admin', org: '420111', input: { applicationId: 'x', version: 0, approve: false }, fields: ['note', 'applicationId', 'version'] },
  { mutation: 'decideTitleApplication', inputType: 'TitleDecisionInput', role: 'city_info_admin', org: '420100', input: { applicationId: 'x', version: 0, approve: false, note: long(501) }, fields: ['note', 'applicationId', 'version'] },
  { mutation: 'appointTitle', inputType: 'AppointTitleInput', role: 'school_info_admin', org: SCHOOL, input: { applicationId: 'x', version: 0, appointedOn: '2999-01-01', documentRef: ' ' }, fields: ['appointedOn', 'documentRef', 'applicationId', 'version'] },
  {
    mutation: 'createAwardProgramme', inputType: 'CreateAwardProgrammeInput', role: 'province_info_admin', org: '420000',
    input: { name: ' ', issuer: long(201), nominationOpensOn: '2026-06-01', nominationClosesOn: '2026-01-01', minYearsPassOrBetter: 11, minExcellentInThoseYears: 0, requiresTrainingComplete: false },
    fields: ['name', 'issuer', 'nominationClosesOn', 'minYearsPassOrBetter'],
  },
  { mutation: 'nominateForAward', inputType: 'NominateForAwardInput', role: 'county_info_admin', org: '420111', input: { programmeId: 'x', teacherId: 'y' }, fields: ['programmeId', 'teacherId'] },
  { mutation: 'decideAwardNomination', inputType: 'DecideAwardNominationInput', role: 'province_info_admin', org: '420000', input: { nominationId: 'x', version: 0, awarded: true, note: long(501) }, fields: ['nominationId', 'version', 'awardedOn', 'documentRef', 'note'] },
  {
    mutation: 'addExcellentCapRule', inputType: 'AddExcellentCapRuleInput', role: 'province_info_admin', org: '420000',
    input: { unitCategory: 'DEFAULT', maxShare: 1.5, effectiveFrom: '2026-01-01', effectiveTo: '2025-01-01', source: ' ' },
    fields: ['maxShare', 'effectiveTo', 'source'],
  },
];

describe('bad input on every evaluation mutation: the field and the reason, nothing stored', () => {
  let ev: EvaluationService;
  beforeAll(async () => {
    ev = await startEvaluation();
  });
  afterAll(async () => {
    await ev?.stop();
  });

  /** Row counts of every table of the schema except the append-only read audit trails. */
  async function snapshot(): Promise<Record<string, number>> {
    const { db } = ev.server;
    const tables = (await db.knex('information_schema.tables').where({ table_schema: db.schema, table_type: 'BASE TABLE' }).pluck('table_name')) as string[];
    const counts: Record<string, number> = {};
    for (const table of tables.filter((t) => !['ethics_read_audit', 'audit_log', 'knex_migrations', 'schema_migrations'].includes(t)).sort()) {
      counts[table] = Number(((await db.knex(db.t(table)).count('* as n').first()) as { n: string }).n);
    }
    return counts;
  }

  it.each(CASES.map((c) => [c.mutation, c] as const))('%s', async (_name, c) => {
    const before = await snapshot();
    const body = await ev.call(ev.viewer(c.role, c.org, c.extra ?? {}), `mutation ($input: ${c.inputType}!) { ${c.mutation}(input: $input) { errors { code field message } } }`, { input: c.input });
    expect(body.errors).toBeUndefined();
    const errors = body.data[c.mutation].errors as { code: string; field: string[]; message: string }[];
    expect(errors.map((e) => e.field)).toEqual(c.fields.map((f) => ['input', f]));
    for (const e of errors) {
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.message.length).toBeGreaterThan(15); // a sentence, not a code
    }
    expect(await snapshot()).toEqual(before);
  });

  it('malformed scalars and enums are refused by GraphQL before any resolver runs, naming the variable', async () => {
    const before = await snapshot();
    const due = await ev.call(ev.viewer('county_info_admin', '420111'), 'mutation ($input: RegisterDueQualificationsInput!) { registerDueQualifications(input: $input) { registeredCount errors { code } } }', {
      input: { dueBy: '2028-02-30' },
    });
    expect(due.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('dueBy') });
    const title = await ev.call(ev.viewer('teacher', SCHOOL, { teacherId: teacher.id }), 'mutation ($input: ApplyForTitleInput!) { applyForTitle(input: $input) { errors { code } } }', { input: { targetTitle: 'PRINCIPAL' } });
    expect(title.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('targetTitle') });
    expect(await snapshot()).toEqual(before);
  });
});
