import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GraphQLError } from 'graphql';
import { requestIdOf, sendJson } from '../../subgraphs/shared/src/http-server';
import { INTERNAL_IDENTITY_HEADER, parseAdminRole, type Viewer } from '../../subgraphs/shared/src/identity';
import type { Logger } from '../../subgraphs/shared/src/logger';
import { TEACHER_IMPORT_UPLOAD_PATH, UPLOAD_FILE_NAME_HEADER } from '../../subgraphs/teacher-registry/src/services/teacher-import-upload-protocol';

/**
 * POST /uploads/teacher-import?fileName=教师.csv with the raw .csv or .xlsx file as the body.
 *
 * Import files of a whole county do not fit a GraphQL request (MAX_BODY_BYTES, 1 MB), and raising
 * that limit would raise it for every request. This route has its own limit (UPLOAD_MAX_BYTES)
 * and the same guards as /graphql: a bearer token, the per-account rate limit, CSRF protection
 * (a header no HTML form can send), and the signed identity for the registry. The body is
 * streamed to the registry as it arrives; the gateway holds no more than a socket buffer of it.
 * The answer is the registry's: `{ uploadId, fileName, byteCount, expiresAt }` (201), then the
 * importTeachersFromUpload mutation imports the upload.
 */
export const TEACHER_IMPORT_UPLOAD_ROUTE = '/uploads/teacher-import';

/** Apollo's CSRF prevention accepts these headers; a browser sends them only after a CORS preflight. */
const PREFLIGHT_HEADERS = ['apollo-require-preflight', 'x-apollo-operation-name'];

export interface UploadRouteOptions {
  maxBytes: number;
  viewerOf(req: IncomingMessage): Promise<Viewer>;
  consumeRateLimit(viewer: Viewer): Promise<void>;
  identityFor(viewer: Viewer): Promise<string>;
  registryUrl(): string | undefined;
  logger: Logger;
}

const refuse = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) => {
  if (res.headersSent) return void res.end();
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
};

class UploadTooLarge extends Error {}

export function uploadRoutes(options: UploadRouteOptions) {
  return {
    [TEACHER_IMPORT_UPLOAD_ROUTE]: async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      // Whatever is refused before the body is read: answer, then close the connection rather
      // than read up to UPLOAD_MAX_BYTES of a file nobody will store.
      const refuseEarly = (status: number, code: string, message: string, headers?: Record<string, string>) => {
        refuse(res, status, code, message, { ...headers, connection: 'close' });
        res.once('finish', () => req.destroy());
      };
      if (req.method !== 'POST') return refuseEarly(405, 'BAD_REQUEST', 'POST the file as the request body.', { allow: 'POST' });
      if (!PREFLIGHT_HEADERS.some((name) => typeof req.headers[name] === 'string' && req.headers[name] !== '')) {
        return refuseEarly(400, 'BAD_REQUEST', 'This upload has been blocked as a potential Cross-Site Request Forgery (CSRF): send a non-empty "Apollo-Require-Preflight" header.');
      }
      let viewer: Viewer;
      try {
        viewer = await options.viewerOf(req);
        await options.consumeRateLimit(viewer);
      } catch (error) {
        if (error instanceof GraphQLError) {
          const httpExt = error.extensions.http as { status?: number; headers?: Map<string, string> } | undefined;
          const code = String(error.extensions.code ?? 'UNAUTHENTICATED');
          const status = httpExt?.status ?? (code === 'UNAUTHENTICATED' ? 401 : 400);
          return refuseEarly(status, code, error.message, Object.fromEntries(httpExt?.headers ?? []));
        }
        throw error;
      }
      if (parseAdminRole(viewer.role)?.kind !== 'info_admin') return refuseEarly(403, 'FORBIDDEN', 'Only information administrators may upload import files.');
      const fileName = new URL(req.url ?? '/', 'http://gateway').searchParams.get('fileName') ?? '';
      if (!/\.(csv|xlsx)$/i.test(fileName.trim())) return refuseEarly(400, 'BAD_USER_INPUT', 'fileName: give the file name (ending in .xlsx or .csv) as the fileName query parameter.');
      const declared = Number(req.headers['content-length'] ?? 0);
      const tooLargeMessage = `The file exceeds ${options.maxBytes} bytes (UPLOAD_MAX_BYTES).`;
      if (declared > options.maxBytes) return refuseEarly(413, 'BAD_REQUEST', tooLargeMessage);
      const base = options.registryUrl();
      if (!base) return refuseEarly(503, 'SERVICE_UNAVAILABLE', 'The teacher registry is not configured.');

      const target = new URL(TEACHER_IMPORT_UPLOAD_PATH, base);
      const identity = await options.identityFor(viewer);
      let received = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          received += chunk.length;
          if (received > options.maxBytes) return callback(new UploadTooLarge());
          callback(null, chunk);
        },
      });
      const upstream = (target.protocol === 'https:' ? https : http).request(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          ...(declared > 0 ? { 'content-length': String(declared) } : { 'transfer-encoding': 'chunked' }),
          [INTERNAL_IDENTITY_HEADER]: identity,
          [UPLOAD_FILE_NAME_HEADER]: encodeURIComponent(fileName.trim()),
          'x-request-id': requestIdOf(req),
        },
      });
      const answer = new Promise<IncomingMessage>((resolve, reject) => {
        upstream.once('response', resolve);
        upstream.once('error', reject);
      });
      // Awaited only on some paths; a refused or aborted upload must not leave it unhandled.
      answer.catch(() => undefined);
      try {
        await pipeline(req, limit, upstream);
        const response = await answer;
        res.writeHead(response.statusCode ?? 502, { 'content-type': response.headers['content-type'] ?? 'application/json; charset=utf-8' });
        await pipeline(response, res);
      } catch (error) {
        upstream.destroy();
        if (error instanceof UploadTooLarge) {
          // Stop reading; the registry's transaction rolls back when its connection closes.
          refuse(res, 413, 'BAD_REQUEST', tooLargeMessage, { connection: 'close' });
          res.once('finish', () => req.destroy());
          return;
        }
        // The registry may have answered (and refused) before reading the whole body.
        const early = await Promise.race([answer.catch(() => null), new Promise<null>((r) => setImmediate(() => r(null)))]);
        if (early && !res.headersSent) {
          res.writeHead(early.statusCode ?? 502, { 'content-type': 'application/json; charset=utf-8' });
          await pipeline(early, res).catch(() => undefined);
          return;
        }
        options.logger.warn({ err: error }, 'import upload did not reach the registry');
        refuse(res, 502, 'BAD_GATEWAY', 'The upload was interrupted; nothing was stored. Send the file again.');
      }
    },
  };
}
