import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildResidentId } from '../../subgraphs/teacher-registry/src/domain/resident-id';
import { validRegistration } from '../teacher-registry/harness';

/** Helpers for the fault tests: child processes to kill, proxies to cut, teachers to register. */
export const ROOT = join(__dirname, '..', '..');

export interface Child {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Runs a TypeScript entry as its own process (as production runs each service). Node loads tsx
 * itself, so the child is the service: a signal reaches it, not a wrapper that would leave it orphaned.
 */
export function runTsx(entry: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, entry)], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return { child, output: () => output, exited };
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A TCP proxy in front of PostgreSQL that the test can cut: `down()` destroys every open
 * connection and refuses new ones (what clients see while the server restarts), `up()` accepts
 * again; `stall()` holds traffic (a hung server) until `up()`. Other test files keep using the
 * real server undisturbed.
 */
export async function startTcpProxy(targetHost: string, targetPort: number) {
  type State = 'up' | 'down' | 'stalled';
  let state: State = 'up';
  const sockets = new Set<net.Socket>();
  const stalled: (() => void)[] = [];
  let server: net.Server | null = null;

  const handle = (client: net.Socket) => {
    sockets.add(client);
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(upstream);
    const pipe = () => {
      client.pipe(upstream);
      upstream.pipe(client);
    };
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    if (state === 'stalled') stalled.push(pipe);
    else pipe();
  };
  const listen = async (port: number) => {
    server = net.createServer(handle);
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
    return (server.address() as AddressInfo).port;
  };
  const port = await listen(0);
  return {
    port,
    url(databaseUrl: string) {
      const url = new URL(databaseUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    connections: () => sockets.size / 2,
    /** Cuts every connection and stops listening: new connections are refused. */
    async down() {
      state = 'down';
      const closing = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = null;
      // close() waits for open connections to end: cut them first.
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      await closing;
    },
    /** Holds new connections' traffic and pauses the open ones, as a hung server would. */
    stall() {
      state = 'stalled';
      for (const socket of sockets) socket.pause();
    },
    async up() {
      if (state === 'down') await listen(port);
      state = 'up';
      for (const socket of sockets) socket.resume();
      for (const pipe of stalled.splice(0)) pipe();
    },
    async close() {
      await this.down();
    },
  };
}

export interface HeldRequest {
  path: string;
  body: string;
  /** Releases the held answer to the caller (or cuts the connection when `cut`). */
  release(cut?: boolean): void;
}

/**
 * An HTTP proxy in front of a consumer's /internal/events that counts what passes and can hold the
 * n-th answer after the consumer has produced it: the consumer has applied and committed the event,
 * the producer never hears so. Records each answer's body so a test can see `duplicate` outcomes.
 */
export async function startHoldingProxy(target: () => string) {
  const answers: { body: string; outcome: string }[] = [];
  let forwarded = 0;
  let holdAt = 0;
  let onHold: ((held: HeldRequest) => void) | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      forwarded += 1;
      const hold = holdAt > 0 && forwarded === holdAt;
      const upstream = http.request(new URL(req.url ?? '/', target()), { method: req.method, headers: req.headers }, (reply) => {
        const replyChunks: Buffer[] = [];
        reply.on('data', (c: Buffer) => replyChunks.push(c));
        reply.on('end', () => {
          const text = Buffer.concat(replyChunks).toString('utf8');
          let outcome = `http ${reply.statusCode}`;
          try {
            outcome = (JSON.parse(text) as { outcome?: string }).outcome ?? outcome;
          } catch {
            // not JSON: keep the status
          }
          answers.push({ body, outcome });
          const send = () => {
            res.writeHead(reply.statusCode ?? 502, { 'content-type': 'application/json' });
            res.end(text);
          };
          if (hold && onHold) onHold({ path: req.url ?? '/', body, release: (cut) => (cut ? res.destroy() : send()) });
          else send();
        });
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    answers,
    forwarded: () => forwarded,
    /** Resolves with the n-th request (counted from now) once the consumer answered it; its answer is held. */
    holdNth(n: number): Promise<HeldRequest> {
      holdAt = forwarded + n;
      return new Promise((resolve) => (onHold = resolve));
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

let sequence = 100 + Math.floor(Math.random() * 800);
/** A valid new registration at 广埠屯小学 (1142000101): a fresh GB 11643 number each call. */
export function newRegistration(name = '可靠性测试') {
  sequence += 1;
  const day = String(1 + (sequence % 28)).padStart(2, '0');
  const birthDate = `1993-0${1 + (sequence % 9)}-${day}`;
  return validRegistration({
    name,
    birthDate,
    idDocumentNumber: buildResidentId('420111', birthDate, sequence, 2),
    startedWorkOn: '2015-09-01',
    joinedSchoolOn: '2019-09-01',
    subject: '数学',
  });
}

export const REGISTER_TEACHER = `mutation($input: RegisterTeacherInput!) { registerTeacher(input: $input) { teacher { id version } errors { code message field } } }`;
