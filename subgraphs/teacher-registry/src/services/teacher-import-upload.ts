import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../../../shared/src/db';
import { appendAudit, auditScopeStorage } from '../../../shared/src/audit';
import { sendJson } from '../../../shared/src/http-server';
import { normaliseUuid } from '../../../shared/src/ids';
import { createInternalIdentityVerifier, INTERNAL_IDENTITY_HEADER, parseAdminRole, type Role, type Viewer } from '../../../shared/src/identity';
import type { Logger } from '../../../shared/src/logger';
import { runMutation, userError, UserErrorCode, UserErrorsAbort } from '../../../shared/src/mutations';
import { checkFile, importCheckedFile, ImportRefused, type ImportProblem } from './teacher-import';
import { TEACHER_IMPORT_UPLOAD_PATH, UPLOAD_FILE_NAME_HEADER } from './teacher-import-upload-protocol';
import { loadUploadSettings, type UploadSettings } from '../config';

/**
 * Big import files (批量导入 of a whole county or province) do not fit a GraphQL body (1 MB). They
 * arrive through the gateway's upload route, which streams the raw file here; it is stored in
 * 1 MiB chunks with its SHA-256 and expires after TEACHER_IMPORT_UPLOAD_TTL_HOURS. The mutation
 * importTeachersFromUpload then starts an import job for it, and teacherImport(id) reports the
 * job's status, progress and problems.
 *
 * Transaction semantics stay those of importTeachers: one file is imported in ONE transaction,
 * all rows or none. A job that fails half-way (a crash, a restart, a database error) has stored
 * nothing; the school sees status FAILED and starts the import of the same upload again. A job
 * can run longer than a GraphQL request may (the gateway gives a subgraph fetch 5 s), which is
 * why the mutation only starts it.
 */
export const MAX_UPLOAD_ROWS = 100_000;
/** A dry run of a broken file can find a problem in every cell: the first ones are kept, with the count of all. */
export const MAX_REPORTED_PROBLEMS = 1000;
const CHUNK_BYTES = 1024 * 1024;
/** A job still QUEUED or RUNNING this long after it started belonged to a process that stopped. */
const STALE_JOB_MS = 30 * 60 * 1000;

const mayImport = (viewer: Viewer) => parseAdminRole(viewer.role)?.kind === 'info_admin';

/** Deletes uploads past their expiry (chunks go with them); jobs keep their outcome. Returns how many. */
export async function purgeExpiredUploads(db: Db, now: Date = new Date()): Promise<number> {
  return db.knex(db.t('teacher_import_upload')).where('expires_at', '<', now).delete();
}

// ---------------------------------------------------------------------------------------------
// The upload route (registry side)
// ---------------------------------------------------------------------------------------------

class UploadRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const refuse = (res: ServerResponse, status: number, code: string, message: string) => sendJson(res, status, { errors: [{ message, extensions: { code } }] });

/**
 * POST /internal/teacher-import-uploads: the raw file, streamed from the gateway with the signed
 * identity header. Stored in one transaction, so an interrupted upload leaves nothing behind.
 */
export function teacherImportUploadRoutes(options: { db: Db; secret: string; logger: Logger }) {
  const verifyIdentity = createInternalIdentityVerifier(options.secret);
  const settings = loadUploadSettings();
  return {
    [TEACHER_IMPORT_UPLOAD_PATH]: async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const header = (name: string) => {
        const v = req.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      try {
        if (req.method !== 'POST') throw new UploadRefusal(405, 'BAD_REQUEST', 'POST the file.');
        let viewer: Viewer;
        try {
          viewer = await verifyIdentity(header(INTERNAL_IDENTITY_HEADER));
        } catch {
          throw new UploadRefusal(401, 'UNAUTHENTICATED', 'This service only answers requests signed by the gateway.');
        }
        if (!mayImport(viewer)) throw new UploadRefusal(403, 'FORBIDDEN', 'Only information administrators may upload import files.');
        const upload = await storeUpload(options.db, viewer, req, header(UPLOAD_FILE_NAME_HEADER), settings);
        sendJson(res, 201, upload);
      } catch (error) {
        req.resume();
        if (error instanceof UploadRefusal) return refuse(res, error.status, error.code, error.message);
        // The gateway stopped sending (the file was over its limit, or the school's connection
        // dropped): the transaction has rolled back and there is nobody left to answer.
        if (req.destroyed || (error as { code?: string }).code === 'ECONNRESET') return void res.destroy();
        options.logger.error({ err: error }, 'import upload failed');
        return refuse(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      }
    },
  };
}

function fileNameFrom(encoded: string | undefined): string {
  let name = '';
  try {
    name = decodeURIComponent(encoded ?? '').trim();
  } catch {
    throw new UploadRefusal(400, 'BAD_USER_INPUT', 'fileName: is not valid URI encoding.');
  }
  const lower = name.toLowerCase();
  if (!lower.endsWith('.csv') && !lower.endsWith('.xlsx')) throw new UploadRefusal(400, 'BAD_USER_INPUT', 'fileName: must end in .xlsx or .csv (download the template).');
  if (name.length > 200 || /[\u0000-\u001f]/.test(name)) throw new UploadRefusal(400, 'BAD_USER_INPUT', 'fileName: at most 200 characters, no control characters.');
  return name;
}

async function storeUpload(db: Db, viewer: Viewer, body: AsyncIterable<Buffer> & { headers: IncomingMessage['headers'] }, encodedName: string | undefined, settings: UploadSettings) {
  const fileName = fileNameFrom(encodedName);
  const tooLarge = () => new UploadRefusal(413, 'BAD_REQUEST', `The file exceeds ${settings.maxBytes} bytes (UPLOAD_MAX_BYTES).`);
  if (Number(body.headers['content-length'] ?? 0) > settings.maxBytes) throw tooLarge();
  await purgeExpiredUploads(db);
  const id = randomUUID();
  const expiresAt = new Date(Date.now() + settings.ttlHours * 3600 * 1000);
  const hash = createHash('sha256');
  let byteCount = 0;
  await db.knex.transaction(async (trx) => {
    await trx(db.t('teacher_import_upload')).insert({
      id,
      file_name: fileName,
      byte_count: 0,
      file_sha256: '',
      uploaded_by: viewer.subject,
      org_id: viewer.orgId,
      org_path: viewer.orgPath,
      expires_at: expiresAt,
    });
    // Chunks are written as they arrive: at most one chunk of the file is held in memory.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let seq = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      await trx(db.t('teacher_import_upload_chunk')).insert({ upload_id: id, seq, data: Buffer.concat(pending, pendingBytes) });
      seq += 1;
      pending = [];
      pendingBytes = 0;
    };
    for await (const chunk of body) {
      byteCount += chunk.length;
      if (byteCount > settings.maxBytes) throw tooLarge();
      hash.update(chunk);
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= CHUNK_BYTES) await flush();
    }
    await flush();
    if (byteCount === 0) throw new UploadRefusal(400, 'BAD_USER_INPUT', 'The file is empty.');
    await trx(db.t('teacher_import_upload')).where('id', id).update({ byte_count: byteCount, file_sha256: hash.digest('hex') });
  });
  return { uploadId: id, fileName, byteCount, expiresAt: expiresAt.toISOString() };
}

async function uploadBytes(db: Db, uploadId: string): Promise<Buffer> {
  const chunks = (await db.knex(db.t('teacher_import_upload_chunk')).where('upload_id', uploadId).orderBy('seq').select('data')) as { data: Buffer }[];
  return Buffer.concat(chunks.map((c) => c.data));
}

// ---------------------------------------------------------------------------------------------
// Import jobs
// ---------------------------------------------------------------------------------------------

export type ImportJobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'REFUSED' | 'FAILED';

interface JobRow {
  id: string;
  upload_id: string | null;
  file_name: string;
  dry_run: boolean;
  status: ImportJobStatus;
  row_count: number | null;
  created_count: number;
  unchanged_count: number;
  already_imported: boolean;
  problem_count: number;
  problems: ImportProblem[] | string;
  failure: string | null;
  requested_by: string;
  requested_role: string;
  org_id: string;
  org_path: string;
  request_id: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** Rows checked so far by the jobs this process runs (progress is not written inside the one transaction). */
const progress = new Map<string, number>();
/** Jobs of this process still working, so tests and shutdown can wait for them. */
const running = new Map<string, Promise<void>>();

export function toTeacherImportJob(row: JobRow) {
  const problems = typeof row.problems === 'string' ? (JSON.parse(row.problems) as ImportProblem[]) : row.problems;
  const stale = (row.status === 'QUEUED' || row.status === 'RUNNING') && !running.has(row.id) && Date.now() - new Date(row.started_at ?? row.created_at).getTime() > STALE_JOB_MS;
  const status: ImportJobStatus = stale ? 'FAILED' : row.status;
  return {
    id: row.id,
    uploadId: row.upload_id,
    fileName: row.file_name,
    dryRun: row.dry_run,
    status,
    rowCount: row.row_count,
    processedRows: status === 'RUNNING' ? (progress.get(row.id) ?? 0) : status === 'QUEUED' ? 0 : (row.row_count ?? 0),
    createdCount: row.created_count,
    unchangedCount: row.unchanged_count,
    alreadyImported: row.already_imported,
    problemCount: row.problem_count,
    problems,
    failure: stale ? 'The import was interrupted (the service stopped); nothing was stored. Start the import of the upload again.' : row.failure,
    createdAt: new Date(row.created_at).toISOString(),
    startedAt: row.started_at ? new Date(row.started_at).toISOString() : null,
    finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
  };
}

export async function findTeacherImportJob(db: Db, viewer: Viewer, id: string) {
  const jobId = normaliseUuid(id);
  if (!jobId || !mayImport(viewer)) return null;
  const row = (await db
    .knex(db.t('teacher_import_job'))
    .where('id', jobId)
    .andWhere((q) => {
      q.where('requested_by', viewer.subject).orWhere('org_id', viewer.orgId);
    })
    .first()) as JobRow | undefined;
  return row ? toTeacherImportJob(row) : null;
}

/**
 * importTeachersFromUpload: records a job for an upload the viewer may see and starts it in this
 * process. A job of the same upload and kind already under way is answered instead of a second.
 */
export async function startImportFromUpload(db: Db, viewer: Viewer, input: { uploadId: string; dryRun: boolean }, context: { requestId: string | null; logger: Logger }) {
  const result = await runMutation(db.knex, async (trx) => {
    const notFound = () => new UserErrorsAbort([userError(UserErrorCode.NOT_FOUND, 'uploadId: no upload with this id of yours or your organisation (uploads expire)', ['input', 'uploadId'])]);
    const uploadId = normaliseUuid(input.uploadId);
    if (!uploadId) throw notFound();
    const upload = await trx(db.t('teacher_import_upload'))
      .where('id', uploadId)
      .andWhere('expires_at', '>', new Date())
      .andWhere('file_sha256', '<>', '')
      .andWhere((q) => {
        q.where('uploaded_by', viewer.subject).orWhere('org_id', viewer.orgId);
      })
      .forUpdate()
      .first();
    if (!upload) throw notFound();
    const underWay = (await trx(db.t('teacher_import_job')).where({ upload_id: uploadId, dry_run: input.dryRun }).whereIn('status', ['QUEUED', 'RUNNING']).orderBy('created_at', 'desc').first()) as
      | JobRow
      | undefined;
    if (underWay && !toTeacherImportJob(underWay).failure) return { jobId: underWay.id, started: false };
    const jobId = randomUUID();
    await trx(db.t('teacher_import_job')).insert({
      id: jobId,
      upload_id: uploadId,
      file_name: upload.file_name,
      dry_run: input.dryRun,
      status: 'QUEUED',
      requested_by: viewer.subject,
      requested_role: viewer.role,
      org_id: viewer.orgId,
      org_path: viewer.orgPath,
      request_id: context.requestId,
    });
    return { jobId, started: true };
  });
  if (result.errors.length) return { job: null, errors: result.errors };
  const { jobId, started } = result as { jobId: string; started: boolean };
  // The job outlives this request and audits its own write; it must not run inside the
  // mutation's audit scope (which has already recorded the request).
  if (started) auditScopeStorage.exit(() => void runImportJob(db, jobId, context.logger));
  const job = (await db.knex(db.t('teacher_import_job')).where('id', jobId).first()) as JobRow;
  return { job: toTeacherImportJob(job), errors: [] };
}

/** Resolves when every job this process started has finished (tests; graceful shutdown). */
export async function importJobsSettled(): Promise<void> {
  while (running.size) await Promise.allSettled([...running.values()]);
}

export function runImportJob(db: Db, jobId: string, logger: Logger): Promise<void> {
  const work = runJob(db, jobId, logger)
    .catch((error) => logger.error({ err: error, jobId }, 'import job could not record its outcome'))
    .finally(() => {
      running.delete(jobId);
      progress.delete(jobId);
    });
  running.set(jobId, work);
  return work;
}

async function runJob(db: Db, jobId: string, logger: Logger): Promise<void> {
  const [job] = (await db.knex(db.t('teacher_import_job')).where({ id: jobId, status: 'QUEUED' }).update({ status: 'RUNNING', started_at: new Date() }).returning('*')) as JobRow[];
  if (!job) return;
  const viewer: Viewer = { subject: job.requested_by, role: job.requested_role as Role, orgId: job.org_id, orgPath: job.org_path, scopes: [] };
  const finish = (patch: Record<string, unknown>, trx = db.knex) => trx(db.t('teacher_import_job')).where('id', jobId).update({ ...patch, finished_at: new Date() });
  const capped = (problems: ImportProblem[]) => ({ problem_count: problems.length, problems: JSON.stringify(problems.slice(0, MAX_REPORTED_PROBLEMS)) });
  const audit = (result: 'ok' | 'refused', teacherIds: string[], detail: Record<string, unknown>, trx?: Parameters<typeof appendAudit>[0]) => {
    const entry = { action: 'importTeachersFromUpload', teacherIds, result, detail: { jobId, dryRun: job.dry_run, ...detail }, requestId: job.request_id };
    return trx ? appendAudit(trx, db, viewer, entry) : db.knex.transaction((t) => appendAudit(t, db, viewer, entry));
  };
  try {
    if (!job.upload_id) throw new UserErrorsAbort([userError(UserErrorCode.NOT_FOUND, 'uploadId: the upload has expired; upload the file again', ['input', 'uploadId'])]);
    const upload = (await db.knex(db.t('teacher_import_upload')).where('id', job.upload_id).first('file_sha256')) as { file_sha256: string } | undefined;
    // The same file imported before (by upload or in a GraphQL body): answered from its hash,
    // without reading 100,000 rows again.
    const previous = upload && (await db.knex(db.t('teacher_import')).where('file_sha256', upload.file_sha256).first('row_count'));
    if (previous) {
      await finish({ status: 'SUCCEEDED', row_count: previous.row_count, unchanged_count: previous.row_count, already_imported: true });
      return;
    }
    const bytes = await uploadBytes(db, job.upload_id);
    if (!upload || createHash('sha256').update(bytes).digest('hex') !== upload.file_sha256) throw new Error(`upload ${job.upload_id} does not match its recorded SHA-256`);
    progress.set(jobId, 0);
    // Reading and checking 100,000 rows takes longer than a transaction may sit idle
    // (idle_in_transaction_session_timeout): it happens first, the transaction holds only the writes.
    const checked = await checkFile({ fileName: job.file_name, bytes }, { dryRun: job.dry_run, maxRows: MAX_UPLOAD_ROWS, field: 'uploadId', onProgress: (n) => progress.set(jobId, n) });
    await db.knex.transaction(async (trx) => {
      const { createdIds, ...result } = await importCheckedFile(trx, db, viewer, checked, { dryRun: job.dry_run });
      // A missing column or an empty file comes back as problems rather than thrown: refused all the same.
      if (!job.dry_run && result.problems.length) throw new ImportRefused(result);
      // A real import and its audit row (naming every archive it created) commit together.
      if (!job.dry_run && !result.alreadyImported) await audit('ok', createdIds, { rowCount: result.rowCount, createdCount: result.createdCount }, trx);
      await finish(
        {
          status: 'SUCCEEDED',
          row_count: result.rowCount,
          created_count: result.createdCount,
          unchanged_count: result.unchangedCount,
          already_imported: result.alreadyImported,
          ...capped(result.problems),
        },
        trx,
      );
    });
  } catch (error) {
    if (error instanceof ImportRefused) {
      const { result } = error;
      await audit('refused', [], { problemCount: result.problems.length });
      await finish({ status: 'REFUSED', row_count: result.rowCount, unchanged_count: result.unchangedCount, ...capped(result.problems), failure: `${result.problems.length} problem(s) in the file; nothing was imported` });
    } else if (error instanceof UserErrorsAbort) {
      if (!job.dry_run) await audit('refused', [], { error: error.errors[0]?.code });
      await finish({ status: 'REFUSED', failure: error.errors.map((e) => e.message).join('; ') });
    } else {
      logger.error({ err: error, jobId }, 'import job failed');
      await finish({ status: 'FAILED', failure: 'The import failed on the server; nothing was stored. Start it again, or tell the platform operators if it fails again.' });
    }
  }
}
