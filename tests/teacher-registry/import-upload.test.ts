import { buildResidentId } from '../../subgraphs/teacher-registry/src/domain/resident-id';
import { IMPORT_COLUMNS } from '../../subgraphs/teacher-registry/src/services/teacher-import';
import { importJobsSettled, MAX_REPORTED_PROBLEMS, purgeExpiredUploads } from '../../subgraphs/teacher-registry/src/services/teacher-import-upload';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

/**
 * The upload route for import files bigger than a GraphQL body, through the real gateway over
 * HTTP: POST /uploads/teacher-import streams the file to the registry, importTeachersFromUpload
 * starts the import job, teacherImport(id) reports it.
 */
const HEADINGS = IMPORT_COLUMNS.map((c) => c.heading);
const UPLOAD_MAX_BYTES = 2_000_000;

/** Person n at 华中师范大学第一附属中学 (洪山区): a birth date of their own, so every id number differs. */
function row(n: number, overrides: Partial<Record<string, string>> = {}): string[] {
  const gender = n % 2 === 0 ? 2 : 1;
  const birthDate = new Date(Date.UTC(1970, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
  const values: Record<string, string> = {
    姓名: `上传${n}`, 性别: gender === 1 ? '男' : '女', 出生日期: birthDate, 身份证件类型: '居民身份证',
    身份证件号: buildResidentId('420111', birthDate, 950, gender as 1 | 2), 民族: '汉族', 政治面貌: '群众', 学历: '大学本科毕业',
    教职工类别: '专任教师', 是否在编: '是', 用人形式: '聘用制', 参加工作年月: '2010-09', 进本校年月: '2015-09', 任教学科: '数学', 专业技术职务: '一级教师', 学校标识码: '1142000102',
    ...overrides,
  };
  return HEADINGS.map((h) => values[h] ?? '');
}
const csv = (rows: string[][]) => Buffer.from(`\uFEFF${[HEADINGS, ...rows].map((r) => r.join(',')).join('\r\n')}\r\n`, 'utf8');

const JOB_FIELDS = 'id uploadId status dryRun rowCount processedRows createdCount unchangedCount alreadyImported problemCount problems { row column reason } failure';
const START = `mutation($input: ImportTeachersFromUploadInput!) { importTeachersFromUpload(input: $input) { job { ${JOB_FIELDS} } errors { code message field } } }`;
const JOB = `query($id: ID!) { teacherImport(id: $id) { ${JOB_FIELDS} } }`;

describe('importing a big file through the upload route', () => {
  let p: TestPlatform;
  let admin: string;
  const registryDb = () => p.platform.subgraphs.find((s) => s.name === 'teacher-registry')!.db;
  const count = async (table: string) => Number((await registryDb().knex(registryDb().t(table)).count('* as c'))[0]!.c);

  const upload = (body: Buffer | ReadableStream<Uint8Array>, options: { token?: string | null; fileName?: string; headers?: Record<string, string> } = {}) =>
    fetch(`${new URL('/uploads/teacher-import', p.gatewayUrl)}?fileName=${encodeURIComponent(options.fileName ?? '教师名单.csv')}`, {
      method: 'POST',
      headers: {
        'content-type': 'text/csv',
        ...(options.token === null ? {} : { authorization: `Bearer ${options.token ?? admin}` }),
        'apollo-require-preflight': 'true',
        ...options.headers,
      },
      body,
      duplex: 'half',
    } as RequestInit);

  /** Starts the job and answers it once it has finished (the job runs in this process). */
  const runImport = async (uploadId: string, dryRun: boolean, token = admin) => {
    const started = await p.graphql(token, START, { input: { uploadId, dryRun } });
    expect(started.body.errors).toBeUndefined();
    const { job, errors } = started.body.data.importTeachersFromUpload;
    if (errors.length) return { job: null, errors };
    await importJobsSettled();
    const done = await p.graphql(token, JOB, { id: job.id });
    return { job: done.body.data.teacherImport, errors };
  };

  beforeAll(async () => {
    p = await startTestPlatform({ UPLOAD_MAX_BYTES: String(UPLOAD_MAX_BYTES) });
    admin = await p.token('county_info_admin', '420111');
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('imports a file bigger than a GraphQL body: dry run, real import, and the same file again changes nothing', async () => {
    const rows = Array.from({ length: 7000 }, (_, n) => row(n));
    const file = csv(rows);
    expect(file.length).toBeGreaterThan(1_000_000);
    // The same bytes as a GraphQL body are refused by the 1 MB limit of /graphql.
    const viaGraphql = await p.graphql(admin, 'mutation($input: ImportTeachersInput!) { importTeachers(input: $input) { rowCount } }', {
      input: { fileName: 'big.csv', contentBase64: file.toString('base64'), dryRun: true },
    });
    expect(viaGraphql.status).toBe(413);

    const response = await upload(file);
    expect(response.status).toBe(201);
    const uploaded = (await response.json()) as { uploadId: string; byteCount: number; fileName: string; expiresAt: string };
    expect(uploaded).toMatchObject({ byteCount: file.length, fileName: '教师名单.csv' });
    const teachersBefore = await count('teacher');

    const dry = await runImport(uploaded.uploadId, true);
    expect(dry.job).toMatchObject({ status: 'SUCCEEDED', dryRun: true, rowCount: 7000, processedRows: 7000, createdCount: 7000, problemCount: 0, problems: [] });
    expect(await count('teacher')).toBe(teachersBefore);

    const real = await runImport(uploaded.uploadId, false);
    expect(real.job).toMatchObject({ status: 'SUCCEEDED', dryRun: false, rowCount: 7000, createdCount: 7000, alreadyImported: false, problemCount: 0 });
    expect(await count('teacher')).toBe(teachersBefore + 7000);
    // The write is audited with every archive it created, under the request that started it.
    const audit = await registryDb().knex(registryDb().t('audit_log')).where({ action: 'importTeachersFromUpload', result: 'ok' }).whereRaw("detail->>'jobId' = ?", [real.job.id]).first();
    expect(audit.teacher_ids).toHaveLength(7000);
    expect(audit.subject).toBe('test-county_info_admin-420111');

    // The same file again, as a new upload: recognised by its hash, nothing written.
    const again = (await (await upload(file, { fileName: 'again.csv' })).json()) as { uploadId: string };
    const reimport = await runImport(again.uploadId, false);
    expect(reimport.job).toMatchObject({ status: 'SUCCEEDED', alreadyImported: true, createdCount: 0, rowCount: 7000, unchangedCount: 7000 });
    expect(await count('teacher')).toBe(teachersBefore + 7000);
  });

  it('refuses a file over UPLOAD_MAX_BYTES, declared or streamed, and stores nothing', async () => {
    const uploadsBefore = await count('teacher_import_upload');
    const chunksBefore = await count('teacher_import_upload_chunk');
    const big = Buffer.alloc(UPLOAD_MAX_BYTES + 1, 'a');
    const declared = await upload(big);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { errors: { message: string }[] }).errors[0]!.message).toBe(`The file exceeds ${UPLOAD_MAX_BYTES} bytes (UPLOAD_MAX_BYTES).`);
    // Without a Content-Length the gateway counts as the bytes arrive.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i += 1) controller.enqueue(new Uint8Array(500_000).fill(97));
        controller.close();
      },
    });
    const streamed = await upload(stream);
    expect(streamed.status).toBe(413);
    expect(await count('teacher_import_upload')).toBe(uploadsBefore);
    expect(await count('teacher_import_upload_chunk')).toBe(chunksBefore);
  });

  it('refuses anonymous callers, other roles, requests without the CSRF header, other file types and unsigned calls to the registry', async () => {
    const uploadsBefore = await count('teacher_import_upload');
    const file = csv([row(7001)]);
    const anonymous = await upload(file, { token: null });
    expect(anonymous.status).toBe(401);
    const query = await upload(file, { token: await p.token('county_query', '420111') });
    expect(query.status).toBe(403);
    const systemAdmin = await upload(file, { token: await p.token('county_system_admin', '420111') });
    expect(systemAdmin.status).toBe(403);
    // A form post cannot set the preflight header: refused before anything is read.
    const csrf = await fetch(`${new URL('/uploads/teacher-import', p.gatewayUrl)}?fileName=a.csv`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x', authorization: `Bearer ${admin}` },
      body: file,
    });
    expect(csrf.status).toBe(400);
    expect(((await csrf.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/CSRF/);
    const wrongType = await upload(file, { fileName: 'teachers.pdf' });
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/^fileName: /);
    // The registry takes uploads only with the gateway's signed identity.
    const direct = await fetch(new URL('/internal/teacher-import-uploads', p.subgraphUrl('teacher-registry')), {
      method: 'POST',
      headers: { 'x-upload-file-name': 'a.csv', 'x-internal-identity': 'forged' },
      body: file,
    });
    expect(direct.status).toBe(401);
    expect(await count('teacher_import_upload')).toBe(uploadsBefore);
  });

  it('reports the problems of a file with bad rows (the first 1,000 and the count), stores nothing, and keeps uploads and jobs to their organisation', async () => {
    // 600 rows with two problems each, then a good one.
    const rows = Array.from({ length: 600 }, (_, n) => row(7100 + n, { 性别: '未知', 是否在编: '也许' }));
    rows.push(row(7800));
    const uploaded = (await (await upload(csv(rows), { fileName: 'bad.csv' })).json()) as { uploadId: string };
    const teachersBefore = await count('teacher');

    const dry = await runImport(uploaded.uploadId, true);
    expect(dry.job.status).toBe('SUCCEEDED');
    expect(dry.job.problemCount).toBeGreaterThan(MAX_REPORTED_PROBLEMS);
    expect(dry.job.problems).toHaveLength(MAX_REPORTED_PROBLEMS);
    expect(dry.job.problems[0]).toEqual({ row: 2, column: '性别', reason: '"未知" is not a gender (男/女 or a GB/T 2261.1 code)' });

    const real = await runImport(uploaded.uploadId, false);
    expect(real.job).toMatchObject({ status: 'REFUSED', createdCount: 0, problemCount: dry.job.problemCount });
    expect(real.job.failure).toMatch(/nothing was imported/);
    expect(await count('teacher')).toBe(teachersBefore);

    // Another county's administrator neither sees the job nor can import the upload.
    const other = await p.token('county_info_admin', '420115');
    expect((await p.graphql(other, JOB, { id: real.job.id })).body.data.teacherImport).toBeNull();
    const stolen = await p.graphql(other, START, { input: { uploadId: uploaded.uploadId, dryRun: true } });
    expect(stolen.body.data.importTeachersFromUpload).toMatchObject({ job: null, errors: [{ code: 'NOT_FOUND', field: ['input', 'uploadId'] }] });
  });

  it('forgets expired uploads; their jobs keep their outcome', async () => {
    const uploaded = (await (await upload(csv([row(8000)]), { fileName: 'old.csv' })).json()) as { uploadId: string };
    const dry = await runImport(uploaded.uploadId, true);
    expect(dry.job.status).toBe('SUCCEEDED');
    const chunksBefore = await count('teacher_import_upload_chunk');
    // A day and a bit later (TEACHER_IMPORT_UPLOAD_TTL_HOURS is 24 by default).
    const removed = await purgeExpiredUploads(registryDb(), new Date(Date.now() + 25 * 3600 * 1000));
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(await count('teacher_import_upload')).toBe(0);
    expect(await count('teacher_import_upload_chunk')).toBeLessThan(chunksBefore);
    const started = await p.graphql(admin, START, { input: { uploadId: uploaded.uploadId, dryRun: false } });
    expect(started.body.data.importTeachersFromUpload.errors[0]).toMatchObject({ code: 'NOT_FOUND' });
    const kept = await p.graphql(admin, JOB, { id: dry.job.id });
    expect(kept.body.data.teacherImport).toMatchObject({ status: 'SUCCEEDED', uploadId: null, createdCount: 1 });
  });
});
