import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../../subgraphs/shared/src/config';
import { loadGatewayConfig } from '../../gateway/src/config';
import { TEST_INTERNAL_SECRET, TEST_JWT_SECRET } from '../helpers/http';

/**
 * GATEWAY_WORKERS: one gateway process per core behind one port (node:cluster). Several workers
 * must share rate limits and idempotency keys, so they need REDIS_URL.
 */
const base = { JWT_SECRET: TEST_JWT_SECRET, INTERNAL_IDENTITY_SECRET: TEST_INTERNAL_SECRET };
const redisUrl = process.env.TEST_REDIS_URL;

function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (text) found.push(...text.split(/\s+/).map(Number));
  }
  return found.filter((child) => {
    try {
      return readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'node';
    } catch {
      return false;
    }
  });
}

describe('gateway workers', () => {
  it('defaults to one worker; more than one without REDIS_URL is a configuration error naming the variable', () => {
    expect(loadGatewayConfig(base).workers).toBe(1);
    expect(loadGatewayConfig({ ...base, GATEWAY_WORKERS: '2', REDIS_URL: 'redis://127.0.0.1:6379' }).workers).toBe(2);
    try {
      loadGatewayConfig({ ...base, GATEWAY_WORKERS: '2' });
      throw new Error('expected a configuration error');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n')).toMatch(/GATEWAY_WORKERS: more than one worker needs REDIS_URL/);
    }
    expect(() => loadGatewayConfig({ ...base, GATEWAY_WORKERS: '0' })).toThrow(ConfigError);
  });

  (redisUrl ? it : it.skip)('serves one port from two worker processes and stops them all on SIGTERM', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../../gateway/src/main.ts')], {
      cwd: resolve(__dirname, '../..'),
      env: { ...process.env, ...base, GATEWAY_WORKERS: '2', REDIS_URL: redisUrl, PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'test' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      const deadline = Date.now() + 60_000;
      let healthy = false;
      while (!healthy && Date.now() < deadline) {
        healthy = await fetch(`http://127.0.0.1:${port}/health`)
          .then((r) => r.ok)
          .catch(() => false);
        if (!healthy) await new Promise((r) => setTimeout(r, 250));
      }
      expect(healthy).toBe(true);
      // Both workers up (the first one answering does not mean the second is).
      const workersDeadline = Date.now() + 30_000;
      while (childrenOf(child.pid!).length < 2 && Date.now() < workersDeadline) await new Promise((r) => setTimeout(r, 250));
      const workers = childrenOf(child.pid!);
      expect(workers).toHaveLength(2);
      // Connections are spread over the workers by the supervisor; every request gets an answer.
      const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`http://127.0.0.1:${port}/health`).then((r) => r.json() as Promise<{ status: string }>)));
      expect(answers.every((a) => a.status === 'ok')).toBe(true);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      for (const worker of workers) expect(() => process.kill(worker, 0)).toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
