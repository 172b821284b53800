/**
 * Measures a 10,000-row bulk import on real PostgreSQL (not the embedded database: it runs one
 * transaction at a time and is not representative). Usage:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx subgraphs/teacher-registry/scripts/measure-import.ts [rows]
 *
 * It works in a throw-away schema, builds the file with exceljs, then times: reading and checking
 * the file (dry run), the real import (one transaction), and the same file again (idempotent).
 */
import ExcelJS from 'exceljs';
import { createDb, dropSchema, migrateLatest } from '../../shared/src/db';
import { buildDemoDataset } from '../../shared/src/demo/dataset';
import type { Viewer } from '../../shared/src/identity';
import { teacherRegistry } from '../src';
import { buildResidentId } from '../src/domain/resident-id';
import { IMPORT_COLUMNS, importTeachers } from '../src/services/teacher-import';

const ROWS = Number(process.argv[2] ?? 10_000);
const SCHOOLS = buildDemoDataset().orgUnits.filter((o) => o.level === 'school' && o.path.startsWith('/CN/420000/')).map((o) => o.id);

function row(n: number): string[] {
  const gender = n % 2 === 0 ? 2 : 1;
  const day = new Date(Date.UTC(1970, 0, 1) + (n % 9000) * 86_400_000).toISOString().slice(0, 10);
  const values: Record<string, string> = {
    姓名: `测${n}`, 性别: gender === 1 ? '男' : '女', 出生日期: day, 身份证件类型: '1', 身份证件号: buildResidentId('420111', day, Math.floor(n / 9000) * 2, gender),
    民族: '01', 政治面貌: '13', 学历: '21', 教职工类别: '1', 是否在编: '是', 用人形式: '1', 参加工作年月: `${Number(day.slice(0, 4)) + 22}-09`, 进本校年月: `${Number(day.slice(0, 4)) + 25}-09`, 任教学科: '数学', 专业技术职务: 'first',
    学校标识码: SCHOOLS[n % SCHOOLS.length] as string,
  };
  return IMPORT_COLUMNS.map((c) => values[c.heading] ?? '');
}

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('set DATABASE_URL to a real PostgreSQL');
  const db = createDb({ url, schema: `registry_bench_${Date.now()}`, poolMax: 4, statementTimeoutMs: 600_000, applicationName: 'measure-import' });
  const viewer: Viewer = { subject: 'bench', role: 'province_info_admin', orgId: '420000', orgPath: '/CN/420000/', scopes: [] };
  try {
    await migrateLatest(db, teacherRegistry.migrations);
    await teacherRegistry.seedDemo(db, buildDemoDataset());
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('教师信息');
    sheet.addRow(IMPORT_COLUMNS.map((c) => c.heading));
    for (let n = 0; n < ROWS; n += 1) sheet.addRow(row(n));
    const file = Buffer.from(await workbook.xlsx.writeBuffer());
    const input = { fileName: 'bench.xlsx', contentBase64: file.toString('base64') };
    const time = async (label: string, dryRun: boolean) => {
      const started = process.hrtime.bigint();
      const result = await importTeachers(db, viewer, { ...input, dryRun });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const { problems, ...counts } = result as typeof result & { problems: unknown[] };
      console.log(`${label}: ${(ms / 1000).toFixed(2)} s`, JSON.stringify({ ...counts, problems: problems.length }));
      if (problems.length) console.log(problems.slice(0, 5));
    };
    console.log(`file: ${ROWS} rows, ${(file.length / 1024).toFixed(0)} KB .xlsx (${(input.contentBase64.length / 1024).toFixed(0)} KB base64)`);
    await time('dry run', true);
    await time('real import', false);
    await time('same file again', false);
    const [{ teachers, outbox, log }] = (
      await db.knex.raw(`select (select count(*) from ${db.t('teacher')}) as teachers, (select count(*) from ${db.t('outbox')}) as outbox, (select count(*) from ${db.t('teacher_change_log')}) as log`)
    ).rows;
    console.log(`rows now: teachers ${teachers}, outbox ${outbox}, change log ${log}; rss ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`);
  } finally {
    await dropSchema(db);
    await db.destroy();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
