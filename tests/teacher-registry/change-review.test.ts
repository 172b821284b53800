import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { startRegistry, type RegistryHarness } from './harness';

const data = buildDemoDataset();
const school = '1142000101';
const [me, colleague] = data.teachers.filter((t) => t.schoolId === school);

const CR = `changeRequest { id status version changes { field before after } returnReason history { action actor actorRole comment } }`;
const propose = `mutation($input: ProposeTeacherChangeInput!) { proposeTeacherChange(input: $input) { ${CR} errors { code message field } } }`;
const step = (name: string) => `mutation($input: ChangeRequestStepInput!) { ${name}(input: $input) { ${CR} errors { code message field } } }`;
const giveBack = `mutation($input: ReturnChangeRequestInput!) { returnChangeRequest(input: $input) { ${CR} errors { code message field } } }`;
const revise = `mutation($input: ReviseChangeRequestInput!) { reviseChangeRequest(input: $input) { ${CR} errors { code message field } } }`;

describe('change review: propose, submit (locks), school review, county approval or return', () => {
  let h: RegistryHarness;
  const teacher = () => h.viewer('teacher', school, { teacherId: me!.id });
  const schoolAdmin = () => h.viewer('school_info_admin', school);
  const countyAdmin = () => h.viewer('county_info_admin', '420111');
  const readTeacher = async (id: string) =>
    (
      await h.graphql(
        countyAdmin(),
        `query($id: ID!) { teacher(id: $id) { name formerNames subject version politicalAffiliation { code } fieldProvenance { field sourceSystem enteredBy enteredRole verified authority }
          changeHistory { action field before after actor actorRole authority comment } } }`,
        { id },
      )
    ).data.teacher;
  beforeAll(async () => {
    h = await startRegistry();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('runs the whole review: the teacher proposes, fields lock, the school passes it on, the county returns, the teacher revises, the county approves', async () => {
    const before = await readTeacher(me!.id);
    const proposed = (await h.graphql(teacher(), propose, { input: { teacherId: me!.id, teacherVersion: before.version, changes: { formerNames: '旧名', subject: '数学' }, reason: '更正' } })).data.proposeTeacherChange;
    expect(proposed.errors).toEqual([]);
    expect(proposed.changeRequest).toMatchObject({ status: 'DRAFT', changes: expect.arrayContaining([{ field: 'formerNames', before: null, after: '旧名' }]) });
    let request = proposed.changeRequest;

    const submitted = (await h.graphql(teacher(), step('submitChangeRequest'), { input: { id: request.id, version: request.version } })).data.submitChangeRequest;
    expect(submitted.changeRequest.status).toBe('SUBMITTED');
    request = submitted.changeRequest;

    // Submitted fields are locked: an administrator cannot propose another change to them meanwhile.
    const clash = (await h.graphql(schoolAdmin(), propose, { input: { teacherId: me!.id, teacherVersion: before.version, changes: { subject: '英语' } } })).data.proposeTeacherChange;
    expect(clash.errors).toEqual([expect.objectContaining({ code: 'LOCKED', field: ['input', 'changes', 'subject'] })]);

    // The county cannot skip the school's review, and a stale version is a conflict that changes nothing.
    const skipped = (await h.graphql(countyAdmin(), step('countyApproveChangeRequest'), { input: { id: request.id, version: request.version } })).data.countyApproveChangeRequest;
    expect(skipped.errors).toEqual([expect.objectContaining({ code: 'INVALID_STATE' })]);
    const stale = (await h.graphql(schoolAdmin(), step('schoolApproveChangeRequest'), { input: { id: request.id, version: request.version - 1 } })).data.schoolApproveChangeRequest;
    expect(stale.errors).toEqual([expect.objectContaining({ code: 'CONFLICT', field: ['input', 'version'] })]);

    const passed = (await h.graphql(schoolAdmin(), step('schoolApproveChangeRequest'), { input: { id: request.id, version: request.version } })).data.schoolApproveChangeRequest;
    expect(passed.changeRequest.status).toBe('SCHOOL_REVIEWED');
    request = passed.changeRequest;

    const noReason = (await h.graphql(countyAdmin(), giveBack, { input: { id: request.id, version: request.version, reason: '  ' } })).data.returnChangeRequest;
    expect(noReason.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'reason'] })]);
    const returned = (await h.graphql(countyAdmin(), giveBack, { input: { id: request.id, version: request.version, reason: '请附曾用名证明' } })).data.returnChangeRequest;
    expect(returned.changeRequest).toMatchObject({ status: 'RETURNED', returnReason: '请附曾用名证明' });
    request = returned.changeRequest;

    const revised = (await h.graphql(teacher(), revise, { input: { id: request.id, version: request.version, changes: { formerNames: '旧名', subject: '数学' }, reason: '已附证明' } })).data.reviseChangeRequest;
    expect(revised.changeRequest.status).toBe('DRAFT');
    request = revised.changeRequest;
    request = (await h.graphql(teacher(), step('submitChangeRequest'), { input: { id: request.id, version: request.version } })).data.submitChangeRequest.changeRequest;
    request = (await h.graphql(schoolAdmin(), step('schoolApproveChangeRequest'), { input: { id: request.id, version: request.version } })).data.schoolApproveChangeRequest.changeRequest;
    const approved = (await h.graphql(countyAdmin(), step('countyApproveChangeRequest'), { input: { id: request.id, version: request.version, comment: '核准' } })).data.countyApproveChangeRequest;
    expect(approved.errors).toEqual([]);
    expect(approved.changeRequest.status).toBe('APPROVED');
    expect(approved.changeRequest.history.map((e: any) => e.action)).toEqual(
      ['proposed', 'submitted', 'school_approved', 'returned', 'revised', 'submitted', 'school_approved', 'field_changed', 'field_changed', 'approved'],
    );

    const after = await readTeacher(me!.id);
    expect(after).toMatchObject({ formerNames: '旧名', subject: '数学', version: before.version + 1 });
    expect(after.fieldProvenance).toContainEqual({
      field: 'formerNames', sourceSystem: 'teacher-registry', enteredBy: teacher().subject, enteredRole: 'teacher', verified: true, authority: `change_request:${request.id}`,
    });
    expect(after.changeHistory).toContainEqual(
      expect.objectContaining({ action: 'field_changed', field: 'subject', before: before.subject, after: '数学', actor: countyAdmin().subject, actorRole: 'county_info_admin', authority: `change_request:${request.id}` }),
    );

    // Once approved, the fields are free again, and the old teacher version is stale.
    const old = (await h.graphql(schoolAdmin(), propose, { input: { teacherId: me!.id, teacherVersion: before.version, changes: { subject: '英语' } } })).data.proposeTeacherChange;
    expect(old.errors).toEqual([expect.objectContaining({ code: 'CONFLICT', field: ['input', 'teacherVersion'] })]);
    const fresh = (await h.graphql(schoolAdmin(), propose, { input: { teacherId: me!.id, teacherVersion: after.version, changes: { subject: '英语' } } })).data.proposeTeacherChange;
    expect(fresh.errors).toEqual([]);
  });

  it('refuses bad proposals with the field named and stores nothing', async () => {
    const count = async () => Number((await h.server.db.knex(h.server.db.t('change_request')).count('* as c'))[0]!.c);
    const before = await count();
    const current = await readTeacher(colleague!.id);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ idDocumentNumber: '420111199003150026' }, 'INVALID_INPUT', 'idDocumentNumber'],
      [{ birthDate: '1950-01-01' }, 'INVALID_INPUT', 'birthDate'],
      [{ politicalAffiliation: '99' }, 'INVALID_INPUT', 'politicalAffiliation'],
      [{ name: '名'.repeat(60) }, 'INVALID_INPUT', 'name'],
      [{ subject: current.subject }, 'INVALID_INPUT', 'changes'],
    ];
    for (const [changes, code, field] of cases) {
      const { data: body } = await h.graphql(schoolAdmin(), propose, { input: { teacherId: colleague!.id, teacherVersion: current.version, changes } });
      expect(body.proposeTeacherChange.errors).toContainEqual(expect.objectContaining({ code, field: field === 'changes' ? ['input', 'changes'] : ['input', 'changes', field] }));
    }
    // A teacher cannot propose what the school enters, nor touch a colleague's record.
    const colleagueSelf = h.viewer('teacher', school, { teacherId: colleague!.id });
    const schoolField = (await h.graphql(colleagueSelf, propose, { input: { teacherId: colleague!.id, teacherVersion: current.version, changes: { onQuota: false } } })).data.proposeTeacherChange;
    expect(schoolField.errors).toEqual([expect.objectContaining({ code: 'RULE_VIOLATION', field: ['input', 'changes', 'onQuota'] })]);
    const foreign = (await h.graphql(teacher(), propose, { input: { teacherId: colleague!.id, teacherVersion: current.version, changes: { subject: '美术' } } })).data.proposeTeacherChange;
    expect(foreign.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
    expect(await count()).toBe(before);
  });

  it('lets only the right level review: a teacher cannot approve, a neighbouring county sees nothing', async () => {
    const current = await readTeacher(colleague!.id);
    let request = (await h.graphql(schoolAdmin(), propose, { input: { teacherId: colleague!.id, teacherVersion: current.version, changes: { ethnicity: '15' } } })).data.proposeTeacherChange.changeRequest;
    request = (await h.graphql(schoolAdmin(), step('submitChangeRequest'), { input: { id: request.id, version: request.version } })).data.submitChangeRequest.changeRequest;
    const byTeacher = await h.graphql(h.viewer('teacher', school, { teacherId: colleague!.id }), step('schoolApproveChangeRequest'), { input: { id: request.id, version: request.version } });
    expect(byTeacher.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const byCounty = (await h.graphql(countyAdmin(), step('schoolApproveChangeRequest'), { input: { id: request.id, version: request.version } })).data.schoolApproveChangeRequest;
    expect(byCounty.errors).toEqual([expect.objectContaining({ code: 'RULE_VIOLATION' })]);
    const neighbour = (await h.graphql(h.viewer('county_info_admin', '420115'), giveBack, { input: { id: request.id, version: request.version, reason: 'x' } })).data.returnChangeRequest;
    expect(neighbour.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
    const list = await h.graphql(h.viewer('county_info_admin', '420115'), '{ changeRequests(status: SUBMITTED) { nodes { id } } }');
    expect(list.data.changeRequests.nodes).toEqual([]);
    const own = await h.graphql(countyAdmin(), '{ changeRequests(status: SUBMITTED) { nodes { id teacher { id } } } }');
    expect(own.data.changeRequests.nodes).toContainEqual({ id: request.id, teacher: { id: colleague!.id } });
  });
});
