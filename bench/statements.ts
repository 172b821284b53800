import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Knex } from 'knex';

/**
 * Batching proof: SQL statements per request, counted on every subgraph's knex, for the two
 * requests the benchmarks drive. Equal counts for 5 and 50 teachers (1 and 50 for the dossier) show
 * the DataLoaders batch: the cost does not grow with the number of teachers on the page.
 * Used by tests/bench/generator.test.ts (asserts) and by bench:statistics and bench:gateway (print).
 */

/** A page of teachers with fields from all four subgraphs. */
export const TEACHER_LIST = `query TeacherList($first: Int!) {
  teachers(first: $first) {
    totalCount
    nodes {
      id name gender birthDate title { code }
      school { id name staffingQuota(year: 2026) { approved occupied balance } }
      trainingProgress { completedHours remainingHours }
      employments { onQuota startsOn }
      postAppointments { grade }
      annualAssessments { year grade }
    }
  }
}`;

/** The registered partner dossier operation (README, "The partner dossier"). */
export const PARTNER_DOSSIER = readFileSync(join(__dirname, '..', 'subgraphs', 'evaluation', 'operations', 'partner-dossier.graphql'), 'utf8');

export interface StatementCounts {
  list5: number;
  list50: number;
  dossier1: number;
  dossier50: number;
}

type GraphQL = (token: string, query: string, variables: Record<string, unknown>) => Promise<{ errors?: unknown[]; data?: any }>;

/** Counts the statements `work` makes on the given knex instances. */
async function counted(knexes: Knex[], work: () => Promise<{ errors?: unknown[]; data?: any }>): Promise<number> {
  let count = 0;
  const listener = () => {
    count += 1;
  };
  for (const knex of knexes) knex.on('query', listener);
  try {
    const body = await work();
    if (body.errors) throw new Error(`request failed: ${JSON.stringify(body.errors).slice(0, 500)}`);
    return count;
  } finally {
    for (const knex of knexes) knex.removeListener('query', listener);
  }
}

/**
 * Statements for the teacher list (5 and 50 teachers) as `listToken` sees it, and for the partner
 * dossier of `orgUnitId` (1 and 50 teachers) as `partnerToken` sees it. Each request runs once
 * before it is counted, so per-process caches and the statistics rollups' catch-up are not counted.
 */
export async function countStatementsPerRequest(options: {
  graphql: GraphQL;
  knexes: Knex[];
  listToken: string;
  partnerToken: string;
  orgUnitId: string;
}): Promise<StatementCounts> {
  const { graphql, knexes } = options;
  const list = (first: number) => () => graphql(options.listToken, TEACHER_LIST, { first });
  const dossier = (first: number) => () => graphql(options.partnerToken, PARTNER_DOSSIER, { orgUnitId: options.orgUnitId, first, targetTitle: 'SENIOR' });
  await list(5)();
  await dossier(1)();
  return {
    list5: await counted(knexes, list(5)),
    list50: await counted(knexes, list(50)),
    dossier1: await counted(knexes, dossier(1)),
    dossier50: await counted(knexes, dossier(50)),
  };
}
