import { randomUUID } from 'node:crypto';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { applyEvent, EVENT_SIGNATURE_HEADER, EVENTS_PATH, signEventBody, type EventType, type PlatformEvent } from '../../subgraphs/shared/src/events';
import { TEST_INTERNAL_SECRET } from '../helpers/platform';
import { createLogger } from '../../subgraphs/shared/src/logger';
import { teacherRegistry } from '../../subgraphs/teacher-registry/src';
import { startRegistry, type RegistryHarness } from './harness';

const data = buildDemoDataset();
const hongshan = data.teachers.filter((t) => t.schoolId === '1142000101');
const logger = createLogger('test', 'silent');
const event = (type: EventType, source: string, payload: Record<string, unknown>): PlatformEvent => ({ id: randomUUID(), type, source, occurredAt: new Date().toISOString(), payload });

describe('accompanying collection: facts from other subgraphs land in the archive once, with provenance', () => {
  let h: RegistryHarness;
  const apply = (e: PlatformEvent) => applyEvent(h.server.db, teacherRegistry.eventHandlers!, e, logger);
  const read = async (id: string) =>
    (
      await h.graphql(
        h.viewer('national_query', 'CN'),
        `query($id: ID!) { teacher(id: $id) { school { id } status version joinedSchoolOn title { code }
          workHistory { organisationName organisation { id } startsOn endsOn provenance { sourceSystem sourceRef verified } }
          titleAppointments { title { code } appointedOn endsOn documentRef provenance { sourceSystem verified } }
          awards { name level { code label } issuer awardedOn documentRef provenance { sourceSystem sourceRef verified } }
          rotationHistory { hostOrganisation { id } kind startsOn endsOn provenance { sourceSystem } }
          fieldProvenance { field sourceSystem verified authority } changeHistory { action field before after sourceSystem authority } } }`,
        { id },
      )
    ).data.teacher;
  beforeAll(async () => {
    h = await startRegistry();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('moves a transferred teacher to the new school, adds a work-history row and announces the affiliation change; a replay changes nothing', async () => {
    const mover = hongshan[0]!;
    const transfer = event('staffing.transfer-completed', 'staffing-quota', {
      transferId: randomUUID(), teacherId: mover.id, kind: 'transfer_within_province', fromOrgId: mover.schoolId, toOrgId: '1142000202', effectiveOn: '2026-09-01',
    });
    expect(await apply(transfer)).toBe('applied');
    const after = await read(mover.id);
    expect(after).toMatchObject({ school: { id: '1142000202' }, status: 'ACTIVE', joinedSchoolOn: '2026-09-01', version: 2 });
    expect(after.workHistory.at(-1)).toMatchObject({ organisation: { id: '1142000202' }, startsOn: '2026-09-01', endsOn: null, provenance: { sourceSystem: 'staffing-quota', verified: true } });
    expect(after.workHistory.at(-2)).toMatchObject({ organisation: { id: mover.schoolId }, endsOn: '2026-09-01' });
    expect(after.fieldProvenance).toContainEqual({ field: 'schoolId', sourceSystem: 'staffing-quota', verified: true, authority: `event:staffing.transfer-completed:${transfer.id}` });
    expect(after.changeHistory[0]).toMatchObject({ action: 'transferred', field: 'schoolId', before: mover.schoolId, after: '1142000202', sourceSystem: 'staffing-quota' });
    const outbox = await h.server.db.knex(h.server.db.t('outbox')).where('type', 'teacher.affiliation-changed');
    expect(outbox).toHaveLength(3);
    expect(outbox[0].payload).toMatchObject({ teacherId: mover.id, fromSchoolId: mover.schoolId, toSchoolId: '1142000202', orgPath: '/CN/420000/420100/420115/1142000202/', effectiveOn: '2026-09-01' });

    // The neighbouring county now sees the teacher; Hongshan no longer does.
    const jiangxia = await h.graphql(h.viewer('county_query', '420115'), `query($id: ID!) { teacher(id: $id) { id } }`, { id: mover.id });
    expect(jiangxia.data.teacher).toEqual({ id: mover.id });
    const hongshanView = await h.graphql(h.viewer('county_query', '420111'), `query($id: ID!) { teacher(id: $id) { id } }`, { id: mover.id });
    expect(hongshanView.data.teacher).toBeNull();

    expect(await apply(transfer)).toBe('duplicate');
    // The same transfer re-sent under a new event id adds nothing either.
    expect(await apply({ ...transfer, id: randomUUID() })).toBe('applied');
    expect(await read(mover.id)).toEqual(after);
    expect(await h.server.db.knex(h.server.db.t('outbox')).where('type', 'teacher.affiliation-changed')).toHaveLength(3);
  });

  it('marks retirement and leaving as a status change', async () => {
    const retiree = hongshan[1]!;
    await apply(event('staffing.transfer-completed', 'staffing-quota', { transferId: randomUUID(), teacherId: retiree.id, kind: 'retire', fromOrgId: retiree.schoolId, toOrgId: null, effectiveOn: '2026-07-31' }));
    const after = await read(retiree.id);
    expect(after).toMatchObject({ status: 'RETIRED', school: { id: retiree.schoolId } });
    expect(after.workHistory.at(-1)).toMatchObject({ organisationName: '退休', startsOn: '2026-07-31' });
  });

  it('records titles, awards and rotations with their source, once', async () => {
    const t = hongshan[2]!;
    const title = event('evaluation.title-awarded', 'evaluation', { teacherId: t.id, title: '高级教师', awardedOn: '2026-06-30', documentRef: '鄂职改〔2026〕12号' });
    const award = event('evaluation.award-granted', 'evaluation', { teacherId: t.id, awardName: '湖北省优秀教师', level: 'provincial', issuer: '湖北省教育厅', awardedOn: '2026-09-10', documentRef: '鄂教〔2026〕8号' });
    const rotation = event('staffing.rotation-completed', 'staffing-quota', { rotationId: randomUUID(), teacherId: t.id, homeOrgId: t.schoolId, hostOrgId: '1142000202', kind: 'exchange', startsOn: '2025-09-01', endsOn: '2026-07-15' });
    for (const e of [title, award, rotation]) expect(await apply(e)).toBe('applied');
    for (const e of [title, award, rotation]) expect(await apply(e)).toBe('duplicate');
    for (const e of [title, award, rotation]) await apply({ ...e, id: randomUUID() });
    const after = await read(t.id);
    expect(after.title).toEqual({ code: 'senior' });
    expect(after.titleAppointments.filter((a: any) => a.documentRef === '鄂职改〔2026〕12号')).toEqual([
      { title: { code: 'senior' }, appointedOn: '2026-06-30', endsOn: null, documentRef: '鄂职改〔2026〕12号', provenance: { sourceSystem: 'evaluation', verified: true } },
    ]);
    expect(after.awards).toEqual([
      { name: '湖北省优秀教师', level: { code: 'provincial', label: '省级' }, issuer: '湖北省教育厅', awardedOn: '2026-09-10', documentRef: '鄂教〔2026〕8号', provenance: expect.objectContaining({ sourceSystem: 'evaluation', verified: true }) },
    ]);
    expect(after.rotationHistory).toEqual([{ hostOrganisation: { id: '1142000202' }, kind: 'exchange', startsOn: '2025-09-01', endsOn: '2026-07-15', provenance: { sourceSystem: 'staffing-quota' } }]);
    expect(after.fieldProvenance).toContainEqual(expect.objectContaining({ field: 'title', sourceSystem: 'evaluation', verified: true }));
  });

  it('acknowledges facts about unknown teachers or malformed payloads without touching the archive', async () => {
    const before = await h.server.db.knex(h.server.db.t('teacher_change_log')).count('* as c');
    expect(await apply(event('evaluation.award-granted', 'evaluation', { teacherId: randomUUID(), awardName: 'x', level: 'school', issuer: null, awardedOn: '2026-01-01', documentRef: null }))).toBe('applied');
    expect(await apply(event('evaluation.title-awarded', 'evaluation', { teacherId: hongshan[3]!.id, title: '皇帝', awardedOn: '2026-01-01', documentRef: null }))).toBe('applied');
    expect(await apply(event('evaluation.award-granted', 'evaluation', { teacherId: hongshan[3]!.id, awardName: 'x', level: 'school', issuer: null, awardedOn: 'not-a-date', documentRef: null }))).toBe('applied');
    expect(await h.server.db.knex(h.server.db.t('teacher_change_log')).count('* as c')).toEqual(before);
  });

  it('takes events over the signed intake route and refuses unsigned ones', async () => {
    const t = hongshan[4]!;
    const award = event('evaluation.award-granted', 'evaluation', { teacherId: t.id, awardName: '县级优秀班主任', level: '县级', issuer: '洪山区教育局', awardedOn: '2026-09-10', documentRef: null });
    const body = JSON.stringify(award);
    const post = (signature: string) =>
      fetch(new URL(EVENTS_PATH, h.server.url), { method: 'POST', headers: { 'content-type': 'application/json', [EVENT_SIGNATURE_HEADER]: signature }, body });
    expect((await post('forged')).status).toBe(401);
    const accepted = await post(signEventBody(body, TEST_INTERNAL_SECRET));
    expect(await accepted.json()).toEqual({ outcome: 'applied' });
    expect(await (await post(signEventBody(body, TEST_INTERNAL_SECRET))).json()).toEqual({ outcome: 'duplicate' });
    expect((await read(t.id)).awards).toEqual([expect.objectContaining({ name: '县级优秀班主任', level: { code: 'county', label: '县级' } })]);
  });
});
