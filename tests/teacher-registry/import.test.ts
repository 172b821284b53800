import ExcelJS from 'exceljs';
import { buildResidentId } from '../../subgraphs/teacher-registry/src/domain/resident-id';
import { IMPORT_COLUMNS } from '../../subgraphs/teacher-registry/src/services/teacher-import';
import { startRegistry, type RegistryHarness } from './harness';

const HEADINGS = IMPORT_COLUMNS.map((c) => c.heading);

/** A valid template row for person n at a Hongshan school. */
export function importRow(n: number, overrides: Partial<Record<string, string>> = {}): string[] {
  const gender = n % 2 === 0 ? 2 : 1;
  const birthDate = `19${80 + (n % 15)}-0${1 + (n % 9)}-1${n % 10}`;
  const values: Record<string, string> = {
    姓名: `导入${n}`, 曾用名: '', 性别: gender === 1 ? '男' : '女', 出生日期: birthDate, 身份证件类型: '居民身份证',
    身份证件号: buildResidentId('420111', birthDate, n, gender as 1 | 2), 出生地: '420111', 民族: '汉族', 政治面貌: '群众', 学历: '大学本科毕业',
    教职工类别: '专任教师', 是否在编: '是', 用人形式: '聘用制', 参加工作年月: '2010-09', 进本校年月: '2015-09', 任教学科: '数学', 专业技术职务: '一级教师', 学校标识码: '1142000102',
    ...overrides,
  };
  return HEADINGS.map((h) => values[h] ?? '');
}

const csv = (rows: string[][]) => `\uFEFF${rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n')}\r\n`;
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

async function xlsx(rows: string[][]): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('教师信息');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer()).toString('base64');
}

const IMPORT = `mutation($input: ImportTeachersInput!) { importTeachers(input: $input) { dryRun rowCount createdCount unchangedCount alreadyImported problems { row column reason } errors { code message field } } }`;

describe('bulk import from the Chinese-heading template', () => {
  let h: RegistryHarness;
  const admin = () => h.viewer('county_info_admin', '420111');
  const teacherCount = async () => Number((await h.server.db.knex(h.server.db.t('teacher')).count('* as c'))[0]!.c);
  beforeAll(async () => {
    h = await startRegistry();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('offers the template as .xlsx and .csv with the Chinese headings', async () => {
    const { data: body } = await h.graphql(admin(), `{ x: teacherImportTemplate { fileName contentType contentBase64 headings } c: teacherImportTemplate(format: CSV) { fileName contentBase64 } }`);
    expect(body.x.headings).toEqual(HEADINGS);
    expect(body.x.headings.slice(0, 6)).toEqual(['姓名', '曾用名', '性别', '出生日期', '身份证件类型', '身份证件号']);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(body.x.contentBase64, 'base64') as unknown as ArrayBuffer);
    expect((workbook.getWorksheet('教师信息')!.getRow(1).values as string[]).slice(1)).toEqual(HEADINGS);
    expect(workbook.getWorksheet('代码说明')!.rowCount).toBeGreaterThan(100);
    expect(Buffer.from(body.c.contentBase64, 'base64').toString('utf8')).toBe(`\uFEFF${HEADINGS.join(',')}\r\n`);
    const partner = await h.graphql(h.viewer('county_query', '420111'), `{ teacherImportTemplate { fileName } }`);
    expect(partner.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('dry-runs a spreadsheet with broken rows: every problem with row, column and reason, nothing stored', async () => {
    const before = await teacherCount();
    const rows = [
      HEADINGS,
      importRow(1),
      importRow(2, { 身份证件号: '420111198202120021' }), // wrong check digit
      importRow(3, { 出生日期: '1983-02-30' }), // impossible date
      importRow(4, { 民族: '火星族' }), // unknown code
      importRow(5, { 姓名: '名'.repeat(51) }), // oversized
      importRow(6, { 学校标识码: '1142000201' }), // outside the county
      importRow(7, { 性别: '女' }), // the ID number of person 7 encodes a man
      importRow(1), // the same person twice
      importRow(8, { 是否在编: '也许' }),
    ];
    const { data: body } = await h.graphql(admin(), IMPORT, { input: { fileName: '教师.xlsx', contentBase64: await xlsx(rows), dryRun: true } });
    const result = body.importTeachers;
    expect(result).toMatchObject({ dryRun: true, rowCount: 9, createdCount: 1, errors: [] });
    expect(result.problems).toEqual([
      { row: 3, column: '身份证件号', reason: expect.stringContaining('check digit') },
      { row: 4, column: '出生日期', reason: expect.stringContaining('not a calendar date') },
      { row: 5, column: '民族', reason: expect.stringContaining('GB/T 3304') },
      { row: 6, column: '姓名', reason: expect.stringContaining('at most 50') },
      { row: 7, column: '学校标识码', reason: expect.stringContaining('1142000201') },
      { row: 8, column: '性别', reason: expect.stringContaining('resident ID') },
      { row: 9, column: '身份证件号', reason: 'the same person as row 2' },
      { row: 10, column: '是否在编', reason: expect.stringContaining('是 or 否') },
    ]);
    expect(await teacherCount()).toBe(before);

    // A real import of the same file is refused as a whole.
    const real = (await h.graphql(admin(), IMPORT, { input: { fileName: '教师.xlsx', contentBase64: await xlsx(rows), dryRun: false } })).data.importTeachers;
    expect(real.createdCount).toBe(0);
    expect(real.problems).toHaveLength(8);
    expect(real.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'contentBase64'] })]);
    expect(await teacherCount()).toBe(before);
  });

  it('imports a clean file atomically, announces every teacher, and the same file again changes nothing', async () => {
    const before = await teacherCount();
    const rows = [HEADINGS, ...Array.from({ length: 30 }, (_, i) => importRow(100 + i))];
    const content = b64(csv(rows));
    const first = (await h.graphql(admin(), IMPORT, { input: { fileName: 'teachers.csv', contentBase64: content, dryRun: false } })).data.importTeachers;
    expect(first).toEqual({ dryRun: false, rowCount: 30, createdCount: 30, unchangedCount: 0, alreadyImported: false, problems: [], errors: [] });
    expect(await teacherCount()).toBe(before + 30);
    const registered = await h.server.db.knex(h.server.db.t('outbox')).where('type', 'teacher.registered').count('* as c');
    expect(Number(registered[0]!.c)).toBe(90);

    const again = (await h.graphql(admin(), IMPORT, { input: { fileName: 'teachers.csv', contentBase64: content, dryRun: false } })).data.importTeachers;
    expect(again).toMatchObject({ alreadyImported: true, createdCount: 0, problems: [], errors: [] });
    // The same people in a re-saved file (different bytes) are recognised and left unchanged.
    const resaved = (await h.graphql(admin(), IMPORT, { input: { fileName: 'teachers.xlsx', contentBase64: await xlsx(rows), dryRun: false } })).data.importTeachers;
    expect(resaved).toMatchObject({ alreadyImported: false, createdCount: 0, unchangedCount: 30, problems: [], errors: [] });
    expect(await teacherCount()).toBe(before + 30);

    const imported = await h.graphql(admin(), `{ teachers(filter: { nameContains: "导入10" }, first: 100) { totalCount nodes { fieldProvenance { field sourceSystem authority } changeHistory { action sourceSystem } } } }`);
    expect(imported.data.teachers.totalCount).toBe(10);
    expect(imported.data.teachers.nodes[0].fieldProvenance).toContainEqual(expect.objectContaining({ field: 'name', sourceSystem: 'import', authority: expect.stringMatching(/^import:/) }));
  });

  it('reads real Excel date cells', async () => {
    const row: (string | Date)[] = importRow(900);
    const birth = HEADINGS.indexOf('出生日期');
    row[birth] = new Date(`${row[birth]}T00:00:00Z`);
    const { data: body } = await h.graphql(admin(), IMPORT, { input: { fileName: 'dates.xlsx', contentBase64: await xlsx([HEADINGS, row as string[]]), dryRun: true } });
    expect(body.importTeachers).toMatchObject({ rowCount: 1, createdCount: 1, problems: [] });
  });

  it('refuses a wrong file type, a renamed file, a missing column and an empty file, storing nothing', async () => {
    const before = await teacherCount();
    const cases: [Record<string, unknown>, string[]][] = [
      [{ fileName: 'teachers.pdf', contentBase64: b64('%PDF-1.4') }, ['input', 'fileName']],
      [{ fileName: 'teachers.xlsx', contentBase64: b64('姓名,性别\r\n') }, ['input', 'contentBase64']],
      [{ fileName: 'teachers.csv', contentBase64: b64(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01])) }, ['input', 'contentBase64']],
      [{ fileName: 'teachers.csv', contentBase64: '' }, ['input', 'contentBase64']],
      [{ fileName: 'teachers.csv', contentBase64: 'not base64!' }, ['input', 'contentBase64']],
    ];
    for (const [input, field] of cases) {
      const result = (await h.graphql(admin(), IMPORT, { input: { dryRun: false, ...input } })).data.importTeachers;
      expect(result.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field })]);
      expect(result.createdCount).toBe(0);
    }
    const missing = (await h.graphql(admin(), IMPORT, { input: { fileName: 't.csv', contentBase64: b64(csv([HEADINGS.filter((x) => x !== '民族'), importRow(500).filter((_, i) => HEADINGS[i] !== '民族')])), dryRun: true } })).data.importTeachers;
    expect(missing.problems).toEqual([{ row: 1, column: '民族', reason: expect.stringContaining('missing') }]);
    expect(await teacherCount()).toBe(before);
  });

  it('imports the same file uploaded twice at the same moment once, and answers both', async () => {
    const before = await teacherCount();
    const content = b64(csv([HEADINGS, importRow(700), importRow(701)]));
    const responses = await Promise.all(
      [1, 2].map(() => h.graphql(admin(), IMPORT, { input: { fileName: 'twice.csv', contentBase64: content, dryRun: false } })),
    );
    const outcomes = responses.map((r) => r.data.importTeachers);
    expect(outcomes.map((o) => o.errors)).toEqual([[], []]);
    expect(outcomes.map((o) => o.alreadyImported).sort()).toEqual([false, true]);
    expect(await teacherCount()).toBe(before + 2);
  });
});
