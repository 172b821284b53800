import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import type { Db } from '../../../shared/src/db';
import type { Viewer } from '../../../shared/src/identity';
import { isWithinPath } from '../../../shared/src/org-scope';
import { runMutation, userError, UserErrorCode, UserErrorsAbort, type UserError } from '../../../shared/src/mutations';
import { validateBasicInfo, type BasicInfo } from '../domain/basic-info';
import {
  EDUCATION_LEVEL,
  EMPLOYMENT_FORM,
  ETHNICITY,
  GENDER,
  ID_DOCUMENT_TYPE,
  POLITICAL_AFFILIATION,
  STAFF_CATEGORY,
  TITLE,
  codeFromCodeOrLabel,
  type CodeSet,
} from '../domain/code-sets';
import { findDuplicatePeople, insertTeachers } from './archive-writes';
import { noteTeachersTouched } from '../../../shared/src/audit';

/**
 * Bulk import (批量导入) from the template schools already use: Chinese headings, codes or their
 * official labels in the cells. A dry run reports every problem (row, column, reason); a real import
 * writes all rows in one transaction or none, and the same file (same bytes) imported again, or a
 * file whose people are already registered at the same school, changes nothing.
 */
type Column = { heading: string; field: keyof BasicInfo | 'schoolId'; required: boolean; set?: CodeSet; kind?: 'date' | 'month' | 'bool' | 'gender' };

export const IMPORT_COLUMNS: Column[] = [
  { heading: '姓名', field: 'name', required: true },
  { heading: '曾用名', field: 'formerNames', required: false },
  { heading: '性别', field: 'gender', required: true, set: GENDER, kind: 'gender' },
  { heading: '出生日期', field: 'birthDate', required: true, kind: 'date' },
  { heading: '身份证件类型', field: 'idDocumentType', required: true, set: ID_DOCUMENT_TYPE },
  { heading: '身份证件号', field: 'idDocumentNumber', required: true },
  { heading: '出生地', field: 'birthplaceCode', required: false },
  { heading: '民族', field: 'ethnicity', required: true, set: ETHNICITY },
  { heading: '政治面貌', field: 'politicalAffiliation', required: true, set: POLITICAL_AFFILIATION },
  { heading: '学历', field: 'educationLevel', required: true, set: EDUCATION_LEVEL },
  { heading: '教职工类别', field: 'staffCategory', required: true, set: STAFF_CATEGORY },
  { heading: '是否在编', field: 'onQuota', required: true, kind: 'bool' },
  { heading: '用人形式', field: 'employmentForm', required: true, set: EMPLOYMENT_FORM },
  { heading: '参加工作年月', field: 'startedWorkOn', required: true, kind: 'month' },
  { heading: '进本校年月', field: 'joinedSchoolOn', required: true, kind: 'month' },
  { heading: '任教学科', field: 'subject', required: false },
  { heading: '专业技术职务', field: 'title', required: false, set: TITLE },
  { heading: '学校标识码', field: 'schoolId', required: true },
];
const HEADING_OF = new Map(IMPORT_COLUMNS.map((c) => [c.field as string, c.heading]));

export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 20_000;

export interface ImportProblem {
  row: number;
  column: string | null;
  reason: string;
}

export interface ImportResult {
  dryRun: boolean;
  rowCount: number;
  createdCount: number;
  unchangedCount: number;
  alreadyImported: boolean;
  problems: ImportProblem[];
}

// ---------------------------------------------------------------------------------------------
// Template
// ---------------------------------------------------------------------------------------------

const EXAMPLE_ROW = ['张伟', '', '男', '1985-06-02', '居民身份证', '420111198506020017', '420111', '汉族', '中国共产党党员', '大学本科毕业', '专任教师', '是', '聘用制', '2008-09', '2015-09', '数学', '一级教师', '1142000101'];

export async function importTemplate(format: 'xlsx' | 'csv') {
  const headings = IMPORT_COLUMNS.map((c) => c.heading);
  if (format === 'csv') {
    // A byte-order mark makes Excel open the UTF-8 file with the right encoding.
    const content = `\uFEFF${headings.join(',')}\r\n`;
    return { fileName: '教师信息导入模板.csv', contentType: 'text/csv; charset=utf-8', contentBase64: Buffer.from(content, 'utf8').toString('base64'), headings };
  }
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('教师信息');
  sheet.addRow(headings);
  sheet.getRow(1).font = { bold: true };
  sheet.columns.forEach((column) => {
    column.width = 16;
  });
  const codes = workbook.addWorksheet('代码说明');
  codes.addRow(['列名', '必填', '代码', '名称']);
  for (const column of IMPORT_COLUMNS) {
    if (!column.set) {
      codes.addRow([column.heading, column.required ? '是' : '否', '', column.kind === 'month' ? 'YYYY-MM 或 YYYY-MM-DD' : column.kind === 'date' ? 'YYYY-MM-DD' : column.kind === 'bool' ? '是/否' : '']);
      continue;
    }
    for (const [code, label] of column.set.values) codes.addRow([column.heading, column.required ? '是' : '否', code, label]);
  }
  codes.addRow([]);
  codes.addRow(['示例', ...EXAMPLE_ROW]);
  const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
  return {
    fileName: '教师信息导入模板.xlsx',
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    contentBase64: buffer.toString('base64'),
    headings,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/** RFC 4180: quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function cellText(value: ExcelJS.CellValue): string {
  if (value == null) return '';
  // Excel stores dates as serial numbers that exceljs turns into UTC Dates.
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    return '';
  }
  return String(value);
}

async function readRows(fileName: string, bytes: Buffer, field: string): Promise<string[][]> {
  const refuse = (message: string) => new UserErrorsAbort([userError(UserErrorCode.INVALID_INPUT, `${field}: ${message}`, ['input', field])]);
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv')) {
    if (bytes.includes(0)) throw refuse('the file is not a text (.csv) file');
    return parseCsv(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  }
  // An .xlsx file is a ZIP archive: anything else (an old .xls, a renamed PDF) is refused before parsing.
  if (bytes.subarray(0, 4).toString('binary') !== 'PK\u0003\u0004') {
    throw refuse('the file is not an .xlsx workbook');
  }
  // The streaming reader parses a 10,000-row sheet about twice as fast as loading the whole workbook.
  const rows: string[][] = [];
  try {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(bytes), { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore' });
    for await (const worksheet of reader) {
      for await (const row of worksheet as AsyncIterable<ExcelJS.Row>) {
        const values = row.values as ExcelJS.CellValue[];
        rows[row.number - 1] = Array.from({ length: Math.max(0, values.length - 1) }, (_, i) => cellText(values[i + 1] ?? null).trim());
      }
      break; // only the first sheet holds data; the template's second sheet explains the codes
    }
  } catch {
    throw refuse('the .xlsx workbook cannot be read');
  }
  return Array.from(rows, (r) => r ?? []);
}

function convertCell(column: Column, raw: string): { value: unknown; problem?: string } {
  if (raw === '') return { value: null };
  if (column.kind === 'gender') {
    const code = codeFromCodeOrLabel(GENDER, raw === '男性' ? '男' : raw === '女性' ? '女' : raw);
    return code == null ? { value: null, problem: `"${raw}" is not a gender (男/女 or a GB/T 2261.1 code)` } : { value: Number(code) };
  }
  if (column.kind === 'bool') {
    if (['是', 'Y', 'y', '1', 'true'].includes(raw)) return { value: true };
    if (['否', 'N', 'n', '0', 'false'].includes(raw)) return { value: false };
    return { value: null, problem: `"${raw}" must be 是 or 否` };
  }
  if (column.kind === 'month' && /^\d{4}-\d{2}$/.test(raw)) return { value: `${raw}-01` };
  if (column.kind === 'month' || column.kind === 'date') return { value: raw.replace(/[./年月]/g, '-').replace(/日$/, '').replace(/-$/, '') };
  if (column.set) {
    const code = codeFromCodeOrLabel(column.set, raw);
    return code == null ? { value: null, problem: `"${raw}" is not a code or name of ${column.set.standard}` } : { value: code };
  }
  return { value: raw };
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

export async function importTeachers(db: Db, viewer: Viewer, input: { fileName: string; contentBase64: string; dryRun: boolean }) {
  return runMutation(db.knex, async (trx) => {
    const fail = (field: string, message: string) => new UserErrorsAbort([userError(UserErrorCode.INVALID_INPUT, `${field}: ${message}`, ['input', field])]);
    const lower = input.fileName.trim().toLowerCase();
    if (!lower.endsWith('.xlsx') && !lower.endsWith('.csv')) throw fail('fileName', 'must end in .xlsx or .csv (download the template)');
    if (input.contentBase64.length > (MAX_IMPORT_BYTES * 4) / 3 + 4) throw fail('contentBase64', `the file exceeds ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.contentBase64)) throw fail('contentBase64', 'is not base64');
    const bytes = Buffer.from(input.contentBase64, 'base64');
    if (bytes.length === 0) throw fail('contentBase64', 'the file is empty');
    const { createdIds, ...result } = await importFile(trx, db, viewer, { fileName: input.fileName, bytes }, { dryRun: input.dryRun, maxRows: MAX_IMPORT_ROWS, field: 'contentBase64' });
    // The audit entry of this import names every archive it created.
    noteTeachersTouched(createdIds);
    return result;
  }).catch((error: unknown) => {
    if (error instanceof ImportRefused) {
      const errors: UserError[] = [userError(UserErrorCode.INVALID_INPUT, `${error.result.problems.length} problem(s) in the file; nothing was imported`, ['input', 'contentBase64'])];
      return { ...error.result, errors };
    }
    throw error;
  });
}

export interface ImportFileOptions {
  dryRun: boolean;
  /** Rows one file may hold: MAX_IMPORT_ROWS in a GraphQL body, MAX_UPLOAD_ROWS for an uploaded file. */
  maxRows: number;
  /** The input field a refusal of the whole file names (contentBase64 or uploadId). */
  field: string;
  /** Told how many data rows have been checked so far (a job's processedRows). */
  onProgress?: (checkedRows: number) => void;
}

/** What reading and checking a file found, before the database is asked anything. */
export interface CheckedFile {
  fileName: string;
  sha256: string;
  rowCount: number;
  /** Problems of the file's shape and cells (missing columns, unreadable values, invalid rows). */
  problems: ImportProblem[];
  candidates: { rowNumber: number; info: BasicInfo; schoolId: string }[];
}

/**
 * Checks a whole file and, unless it is a dry run, writes it inside the caller's transaction.
 * A real import with any problem throws ImportRefused (the caller rolls back); a file already
 * imported (same SHA-256) changes nothing. The importTeachers mutation (file in the GraphQL body)
 * does both steps in its transaction; the import job of an uploaded file checks the file first
 * and opens the transaction only for the writes (teacher-import-upload.ts), because checking
 * 100,000 rows takes longer than a transaction may sit idle.
 */
export async function importFile(
  trx: Knex.Transaction,
  db: Db,
  viewer: Viewer,
  file: { fileName: string; bytes: Buffer },
  options: ImportFileOptions,
): Promise<ImportResult & { createdIds: string[] }> {
  return importCheckedFile(trx, db, viewer, await checkFile(file, options), options);
}

/** Reads and checks every row of the file (no database access). */
export async function checkFile(file: { fileName: string; bytes: Buffer }, options: ImportFileOptions): Promise<CheckedFile> {
  const { maxRows, field } = options;
  const fail = (message: string) => new UserErrorsAbort([userError(UserErrorCode.INVALID_INPUT, `${field}: ${message}`, ['input', field])]);
  const lower = file.fileName.trim().toLowerCase();
  const sha256 = createHash('sha256').update(file.bytes).digest('hex');
  const rows = await readRows(lower, file.bytes, field);
  const dataRows = rows.slice(1).map((cells, i) => ({ rowNumber: i + 2, cells })).filter((r) => r.cells.some((c) => c.trim() !== ''));
  const checked: CheckedFile = { fileName: file.fileName, sha256, rowCount: dataRows.length, problems: [], candidates: [] };
  const { problems, candidates } = checked;
  const headings = (rows[0] ?? []).map((h) => h.trim().replace(/\*$/, ''));
  const indexOf = new Map<string, number>();
  headings.forEach((h, i) => indexOf.set(h, i));
  for (const column of IMPORT_COLUMNS) {
    if (column.required && !indexOf.has(column.heading)) problems.push({ row: 1, column: column.heading, reason: 'required column is missing (use the template)' });
  }
  if (dataRows.length === 0) problems.push({ row: 2, column: null, reason: 'the file has no data rows' });
  if (dataRows.length > maxRows) throw fail(`at most ${maxRows} rows per file (got ${dataRows.length})`);
  if (problems.length) return checked;

  // Convert and validate every row; schools and existing people are looked up once for the file.
  for (const [n, { rowNumber, cells }] of dataRows.entries()) {
    if (n % 5000 === 0) options.onProgress?.(n);
    const record: Record<string, unknown> = {};
    let rowOk = true;
    const rowProblems: ImportProblem[] = [];
    for (const column of IMPORT_COLUMNS) {
      const index = indexOf.get(column.heading);
      const raw = index === undefined ? '' : (cells[index] ?? '').trim();
      const { value, problem } = convertCell(column, raw);
      if (problem) {
        rowProblems.push({ row: rowNumber, column: column.heading, reason: problem });
        rowOk = false;
      }
      record[column.field] = value;
    }
    const { schoolId, ...fields } = record;
    const { errors, value } = validateBasicInfo(fields as Partial<BasicInfo>, (f) => [HEADING_OF.get(f) ?? f]);
    // A cell already reported as unconvertible shows up as "required"; report it once.
    const reported = new Set(rowProblems.map((p) => p.column));
    for (const error of errors) {
      const column = error.field?.[0] ?? null;
      if (!reported.has(column)) rowProblems.push({ row: rowNumber, column, reason: error.message.replace(/^[a-zA-Z]+: /, '') });
    }
    if (schoolId == null && !reported.has('学校标识码')) rowProblems.push({ row: rowNumber, column: '学校标识码', reason: 'is required' });
    problems.push(...rowProblems);
    if (rowOk && errors.length === 0 && schoolId != null) candidates.push({ rowNumber, info: value, schoolId: String(schoolId) });
  }
  options.onProgress?.(dataRows.length);
  return checked;
}

/** The database part of an import: same file already imported?, schools and people, then the writes. */
export async function importCheckedFile(
  trx: Knex.Transaction,
  db: Db,
  viewer: Viewer,
  checked: CheckedFile,
  options: Pick<ImportFileOptions, 'dryRun'>,
): Promise<ImportResult & { createdIds: string[] }> {
  const { dryRun } = options;
  const { sha256, rowCount, candidates } = checked;
  // Two imports of the same file at once: the second waits here, then finds the first's record.
  await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`teacher-import:${sha256}`]);
  const previous = await trx(db.t('teacher_import')).where('file_sha256', sha256).first();
  if (previous) {
    return { dryRun, rowCount, createdCount: 0, unchangedCount: previous.row_count, alreadyImported: true, problems: [] as ImportProblem[], createdIds: [] };
  }
  const problems = [...checked.problems];
  if (rowCount === 0 || problems.some((p) => p.row === 1)) return { dryRun, rowCount, createdCount: 0, unchangedCount: 0, alreadyImported: false, problems, createdIds: [] };

  const schoolIds = [...new Set(candidates.map((c) => c.schoolId))];
  const schools = new Map<string, { id: string; path: string; level: string }>();
  for (let i = 0; i < schoolIds.length; i += 5000) {
    for (const s of (await trx(db.t('org_unit')).select('id', 'path', 'level').whereIn('id', schoolIds.slice(i, i + 5000))) as { id: string; path: string; level: string }[]) schools.set(s.id, s);
  }
  const seen = new Map<string, number>();
  const existing = new Map<string, Awaited<ReturnType<typeof findDuplicatePeople>>[number]>();
  const docs = candidates.map((c) => ({ type: c.info.idDocumentType, number: c.info.idDocumentNumber }));
  for (const p of await findDuplicatePeople(trx, db, docs)) existing.set(`${p.idDocumentType}:${p.idDocumentNumber}`, p);
  const toCreate: { info: BasicInfo; school: { id: string; path: string } }[] = [];
  let unchangedCount = 0;
  for (const candidate of candidates) {
    const school = schools.get(candidate.schoolId);
    if (!school || school.level !== 'school' || !isWithinPath(school.path, viewer.orgPath)) {
      problems.push({ row: candidate.rowNumber, column: '学校标识码', reason: `no school "${candidate.schoolId}" in your organisation` });
      continue;
    }
    const key = `${candidate.info.idDocumentType}:${candidate.info.idDocumentNumber}`;
    const firstRow = seen.get(key);
    if (firstRow !== undefined) {
      problems.push({ row: candidate.rowNumber, column: '身份证件号', reason: `the same person as row ${firstRow}` });
      continue;
    }
    seen.set(key, candidate.rowNumber);
    const person = existing.get(key);
    if (person && person.schoolId === school.id) unchangedCount += 1;
    else if (person) problems.push({ row: candidate.rowNumber, column: '身份证件号', reason: 'this person is already registered at another school; a move is a transfer' });
    else toCreate.push({ info: candidate.info, school });
  }
  problems.sort((a, b) => a.row - b.row);

  const result = { dryRun, rowCount, createdCount: 0, unchangedCount, alreadyImported: false, problems };
  if (dryRun) return { ...result, createdCount: toCreate.length, createdIds: [] };
  // Nothing is stored: the caller's transaction rolls back and the payload carries the problems.
  if (problems.length) throw new ImportRefused(result);
  const importId = randomUUID();
  // In slices of 5,000 people, within the same transaction: the rows, history and events of
  // 100,000 people built at once held over 1 GB in the registry process.
  const createdIds: string[] = [];
  for (let i = 0; i < toCreate.length; i += 5000) createdIds.push(...(await insertTeachers(trx, db, viewer, toCreate.slice(i, i + 5000), `import:${importId}`, 'import')));
  await trx(db.t('teacher_import')).insert({
    id: importId,
    file_sha256: sha256,
    file_name: checked.fileName.slice(0, 200),
    row_count: rowCount,
    created_count: toCreate.length,
    unchanged_count: unchangedCount,
    imported_by: viewer.subject,
    org_id: viewer.orgId,
  });
  return { ...result, createdCount: toCreate.length, createdIds };
}

/** Rolls the import's transaction back while keeping the problems for the payload. */
export class ImportRefused extends Error {
  constructor(readonly result: ImportResult) {
    super('import refused');
  }
}
