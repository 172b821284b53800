import { dropSchema, migrateLatest } from '../../subgraphs/shared/src/db';
import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import type { Viewer } from '../../subgraphs/shared/src/identity';
import { teacherRegistry } from '../../subgraphs/teacher-registry/src/index';
import { countTeachersInSubtree, findTeachersByIds, listTeachersInSubtree } from '../../subgraphs/teacher-registry/src/repositories/teachers';
import { testDb, uniqueSuffix } from '../helpers/database';

/** "Own organisation and below" is enforced by the SQL itself: counts and pages agree with it. */
describe('organisation scoping in SQL', () => {
  const db = testDb(`teacher_registry_s_${uniqueSuffix()}`);
  const data = buildDemoDataset();
  const pathOf = (id: string) => data.orgUnits.find((o) => o.id === id)?.path as string;
  const inSubtree = (path: string) => data.teachers.filter((t) => t.orgPath.startsWith(path));
  const admin = (role: Viewer['role'], orgId: string): Viewer => ({ subject: 's', role, orgId, orgPath: pathOf(orgId), scopes: [] });

  beforeAll(async () => {
    await migrateLatest(db, teacherRegistry.migrations);
    await teacherRegistry.seedDemo(db, data);
  });
  afterAll(async () => {
    await dropSchema(db);
    await db.destroy();
  });

  it('a county sees exactly its own teachers, a province its whole branch', async () => {
    const hongshan = admin('county_query', '420111');
    const national = admin('national_query', 'CN');
    expect(await countTeachersInSubtree(db, hongshan, pathOf('420111'))).toBe(inSubtree(pathOf('420111')).length);
    expect(await countTeachersInSubtree(db, admin('province_query', '420000'), pathOf('420000'))).toBe(inSubtree(pathOf('420000')).length);
    expect(await countTeachersInSubtree(db, national, pathOf('CN'))).toBe(data.teachers.length);
    // Asking for a neighbouring county's subtree yields nothing, not an error and not a count.
    expect(await countTeachersInSubtree(db, hongshan, pathOf('420115'))).toBe(0);
    // Asking for the province from a county is clipped to the county.
    expect(await countTeachersInSubtree(db, hongshan, pathOf('420000'))).toBe(inSubtree(pathOf('420111')).length);
  });

  it('pages never leak rows outside the scope and cover the scope exactly once', async () => {
    const viewer = admin('county_info_admin', '429004');
    const seen: string[] = [];
    let afterId: string | null = null;
    for (;;) {
      const rows = await listTeachersInSubtree(db, viewer, pathOf('420000'), { limit: 7, afterId });
      const page = rows.slice(0, 7);
      seen.push(...page.map((r) => r.id));
      if (rows.length <= 7) break;
      afterId = page[page.length - 1]?.id ?? null;
    }
    const expected = inSubtree(pathOf('429004')).map((t) => t.id).sort();
    expect(seen).toEqual(expected);
  });

  it('a teacher reaches only their own record; analysts and auditors no record at all', async () => {
    const [me, other] = data.teachers;
    const teacher: Viewer = { subject: 't', role: 'teacher', orgId: me!.schoolId, orgPath: me!.orgPath, teacherId: me!.id, scopes: [] };
    expect((await findTeachersByIds(db, teacher, [me!.id, other!.id])).map((r) => r.id)).toEqual([me!.id]);
    for (const role of ['analyst', 'auditor'] as const) {
      expect(await findTeachersByIds(db, { subject: 'x', role, orgId: 'CN', orgPath: '/CN/', scopes: [] }, [me!.id])).toEqual([]);
    }
  });
});
