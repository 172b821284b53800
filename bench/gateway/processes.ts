import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from './operations';

/**
 * Child processes of the benchmark: subgraphs and gateways each run as their own Node process (as
 * in production), so the gateway's memory and CPU are its own. TypeScript is loaded with tsx
 * through `node --import tsx`, so the pid is the Node process itself (no wrapper).
 */
export interface Child {
  name: string;
  process: ChildProcess;
  logFile: string;
}

export function startChild(name: string, script: string, env: Record<string, string | undefined>, logDir: string, nodeArgs: string[] = [], cpus?: string): Child {
  const logFile = resolve(logDir, `${name}.log`);
  const out = openSync(logFile, 'a');
  const command = [process.execPath, ...nodeArgs, '--import', 'tsx', resolve(REPO_ROOT, script)];
  // taskset execs the command in place, so the pid is still the Node process's.
  const [file, ...argv] = cpus ? ['taskset', '-c', cpus, ...command] : command;
  const child = spawn(file as string, argv, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', out, out],
  });
  return { name, process: child, logFile };
}

export async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(timer);
}

/** Polls until `probe` answers true, or fails naming the service and the end of its log. */
export async function waitFor(child: Child, probe: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) break;
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = readFileSync(child.logFile, 'utf8').split('\n').slice(-20).join('\n');
  throw new Error(`${child.name} did not become ready (exit code ${child.process.exitCode}). Log tail:\n${tail}`);
}

/** Resident memory (MB) of a process and of each of its children (node:cluster workers). */
export function residentMemory(pid: number): { pid: number; rssMb: number }[] {
  const pids = [pid, ...childPids(pid)];
  const result: { pid: number; rssMb: number }[] = [];
  for (const p of pids) {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      result.push({ pid: p, rssMb: kb / 1024 });
    } catch {
      // the process ended between listing and reading
    }
  }
  return result;
}

function childPids(pid: number): number[] {
  const found: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      // Only Node children (node:cluster workers); tsx's esbuild service is not the gateway.
      if (text) found.push(...text.split(/\s+/).map(Number).filter((child) => isNode(child)));
    }
  } catch {
    return found;
  }
  return found;
}

function isNode(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'node';
  } catch {
    return false;
  }
}

/** CPU seconds (user + system) a process and its children have used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of [pid, ...childPids(pid)]) {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      // utime and stime are fields 14 and 15 of stat; after the ") " split they are at 11 and 12.
      ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    } catch {
      // ended meanwhile
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}
