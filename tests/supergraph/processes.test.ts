import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { dropSchema } from '../../subgraphs/shared/src/db';
import { testDatabaseUrl, testDb, uniqueSuffix } from '../helpers/database';
import { TEST_INTERNAL_SECRET } from '../helpers/platform';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

function run(entry: string, env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(TSX, [join(ROOT, entry)], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('timed out');
}

describe('a subgraph as its own process', () => {
  it('exits 78 listing every configuration problem', async () => {
    const proc = run('subgraphs/training/src/main.ts', { TRAINING_PORT: 'x', DATABASE_URL: 'nope' });
    expect(await proc.exited).toBe(78);
    expect(proc.output()).toContain('Invalid configuration for training');
    for (const name of ['TRAINING_PORT', 'DATABASE_URL', 'INTERNAL_IDENTITY_SECRET']) expect(proc.output()).toContain(name);
  });

  it('migrates, serves /health, and on SIGTERM closes server and pool and exits 0', async () => {
    const schema = `training_p_${uniqueSuffix()}`;
    const port = 20000 + Math.floor(Math.random() * 20000);
    const proc = run('subgraphs/training/src/main.ts', {
      DATABASE_URL: testDatabaseUrl(),
      TRAINING_DATABASE_SCHEMA: schema,
      TRAINING_PORT: String(port),
      INTERNAL_IDENTITY_SECRET: TEST_INTERNAL_SECRET,
      LOG_LEVEL: 'info',
    });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).status === 200, 30000);
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      expect(proc.output()).toContain('shutting down');
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    } finally {
      proc.child.kill('SIGKILL');
      const db = testDb(schema);
      await dropSchema(db);
      await db.destroy();
    }
  });
});
