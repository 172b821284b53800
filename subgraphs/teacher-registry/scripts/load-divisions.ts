/**
 * Loads a complete GB/T 2260 division list into the organisation tree. The file is CSV with a
 * header, columns `code,name` (the Ministry of Civil Affairs publishes the list; save it as UTF-8).
 *
 *   DATABASE_URL=… TEACHER_REGISTRY_DATABASE_SCHEMA=teacher_registry npx tsx subgraphs/teacher-registry/scripts/load-divisions.ts divisions.csv
 *
 * Counties directly under a province (no city level, e.g. 429004 仙桃市) hang from the province.
 */
import { readFileSync } from 'node:fs';
import { createDb } from '../../shared/src/db';
import { loadDivisions } from '../src/repositories/org-units';
import { parseCsv } from '../src/services/teacher-import';

async function main() {
  const [file] = process.argv.slice(2);
  const url = process.env.DATABASE_URL;
  if (!file || !url) throw new Error('usage: DATABASE_URL=… load-divisions.ts <divisions.csv>');
  const rows = parseCsv(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')).slice(1);
  const db = createDb({ url, schema: process.env.TEACHER_REGISTRY_DATABASE_SCHEMA ?? 'teacher_registry', poolMax: 2, statementTimeoutMs: 60_000, applicationName: 'load-divisions' });
  try {
    const inserted = await loadDivisions(db, rows.map(([code, name]) => ({ code: (code ?? '').trim(), name: (name ?? '').trim() })));
    console.log(`${rows.length} divisions read, ${inserted} new units inserted`);
  } finally {
    await db.destroy();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
