import { parseArgs } from 'node:util';
import { addPay, generate } from './load';

/**
 * npm run generate -- --teachers 1000000 [--seed 20261129] [--database-url postgres://…/bench]
 *   [--schema-suffix s] [--reset] [--raw-copy] [--add-pay]
 *
 * --add-pay: only add the pay rows (teacher_pay) to a set generated before the generator wrote
 * them, with the same --teachers and --seed; migrates the set's schemas to the latest first.
 * Creates the national data set in the four subgraphs' schemas (see docs/benchmarks.md,
 * "Data generator"), prints rows per second per table and in total, and with --raw-copy the time
 * a plain COPY of the same rows takes, for the ratio.
 */
const USAGE = 'usage: npm run generate -- --teachers N [--seed S] [--database-url URL] [--schema-suffix SUFFIX] [--reset] [--raw-copy] [--add-pay]';

function fail(message: string): never {
  console.error(`generate: ${message}\n${USAGE}`);
  process.exit(2);
}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        teachers: { type: 'string' },
        seed: { type: 'string', default: '20261129' },
        'database-url': { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench' },
        'schema-suffix': { type: 'string' },
        reset: { type: 'boolean', default: false },
        'raw-copy': { type: 'boolean', default: false },
        'add-pay': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const teachers = Number(values.teachers);
  if (!values.teachers || !Number.isInteger(teachers) || teachers < 100 || teachers > 20_000_000) fail('--teachers must be a whole number from 100 to 20,000,000');
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail('--seed must be a whole number from 0 to 4294967295');
  const suffix = values['schema-suffix'];
  if (suffix !== undefined && !/^[a-z0-9_]{1,20}$/.test(suffix)) fail('--schema-suffix must be 1–20 lower-case letters, digits or _');
  const url = values['database-url'] as string;
  let database: string;
  try {
    database = decodeURIComponent(new URL(url).pathname.slice(1));
  } catch {
    fail('--database-url must be a postgres:// URL');
  }
  // The test database belongs to CI; only the generator's own test writes there, in its own schemas.
  if (database === 'test' && !suffix) fail('refusing to fill the default schemas of the "test" database: use the bench database or --schema-suffix');

  const log = (line: string) => console.log(line);
  if (values['add-pay']) {
    if (values.reset || values['raw-copy']) fail('--add-pay adds to an existing set: it takes neither --reset nor --raw-copy');
    log(`adding pay rows to the ${teachers.toLocaleString('en')}-teacher set (seed ${seed}) in ${database}`);
    const added = await addPay({ databaseUrl: url, teachers, seed, schemaSuffix: suffix, log });
    log(`teacher_pay sha256 ${added.checksum}`);
    return;
  }
  log(`generating ${teachers.toLocaleString('en')} teachers, seed ${seed}, into ${database}`);
  const result = await generate({ databaseUrl: url, teachers, seed, schemaSuffix: suffix, reset: values.reset, rawCopy: values['raw-copy'], log });
  const seconds = result.loadMs / 1000;
  log('');
  log(`${result.summary.units.toLocaleString('en')} organisation units (${result.summary.counties.toLocaleString('en')} counties, ${result.summary.schools.toLocaleString('en')} schools), ${result.summary.teachers.toLocaleString('en')} teachers`);
  log('table                                              rows        MB     rows/s (over the whole load)');
  for (const t of result.tables) {
    log(`${t.table.padEnd(46)} ${t.rows.toLocaleString('en').padStart(12)} ${(t.bytes / 1e6).toFixed(1).padStart(8)} ${Math.round(t.rows / seconds).toLocaleString('en').padStart(10)}`);
  }
  log(`total: ${result.totalRows.toLocaleString('en')} rows in ${seconds.toFixed(1)} s = ${Math.round(result.totalRows / seconds).toLocaleString('en')} rows/s (generation + COPY + commit)`);
  log(`migrations ${(result.migrateMs / 1000).toFixed(1)} s, analyze ${(result.analyzeMs / 1000).toFixed(1)} s, wall ${((result.migrateMs + result.loadMs + result.analyzeMs) / 1000).toFixed(1)} s`);
  if (result.rawCopyMs !== undefined) {
    log(`raw COPY of the same rows: ${(result.rawCopyMs / 1000).toFixed(1)} s = ${Math.round(result.totalRows / (result.rawCopyMs / 1000)).toLocaleString('en')} rows/s; generator / raw COPY = ${(result.loadMs / result.rawCopyMs).toFixed(2)}`);
  }
  log(`checksum ${result.checksum}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
