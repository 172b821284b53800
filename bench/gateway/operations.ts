import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodeCursor } from '../../subgraphs/shared/src/pagination';

/**
 * The two loads of the gateway benchmark. Both go through all four subgraphs.
 *
 * - `dossier`: the registered partner dossier (README, "The partner dossier") for one random
 *   teacher: `first: 1` after the cursor of the teacher just before a randomly drawn one.
 * - `list50`: an administrator's list of 50 teachers from a random starting point, with fields from
 *   the registry, staffing-quota (through the school), training and evaluation.
 *
 * Every gateway gets the operation text (not the registered id): Hive and stock Apollo have no
 * manifest, and our gateway would otherwise skip nothing anyway (it parses the text it looks up).
 */
export const REPO_ROOT = resolve(__dirname, '..', '..');

export const DOSSIER_QUERY = readFileSync(resolve(REPO_ROOT, 'subgraphs/evaluation/operations/partner-dossier.graphql'), 'utf8');

export const LIST50_QUERY = /* GraphQL */ `
  query TeacherList50($after: String, $year: Int!) {
    teachers(first: 50, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        name
        gender
        birthDate
        school { id name staffingQuota(year: $year) { approved occupied balance } }
        trainingProgress { completedHours remainingHours isComplete }
        employments { onQuota startsOn }
        annualAssessments { year grade }
      }
    }
  }
`;

export type Scenario = 'dossier' | 'list50';
export const SCENARIOS: Scenario[] = ['dossier', 'list50'];

/** How many teachers one answer of each scenario must hold (checked on a sample of answers). */
export const EXPECTED_NODES: Record<Scenario, number> = { dossier: 1, list50: 50 };

/** Request bodies with random teachers, drawn from the sorted teacher ids of the benchmark database. */
export function bodyFactory(scenario: Scenario, sortedTeacherIds: string[], rootOrgId: string): () => string {
  const n = sortedTeacherIds.length;
  const year = new Date().getFullYear();
  if (scenario === 'dossier') {
    return () => {
      const index = Math.floor(Math.random() * n);
      const after = index === 0 ? null : encodeCursor(sortedTeacherIds[index - 1] as string);
      return JSON.stringify({ query: DOSSIER_QUERY, operationName: 'PartnerDossier', variables: { orgUnitId: rootOrgId, first: 1, after } });
    };
  }
  return () => {
    const index = Math.floor(Math.random() * Math.max(1, n - 50));
    const after = index === 0 ? null : encodeCursor(sortedTeacherIds[index - 1] as string);
    return JSON.stringify({ query: LIST50_QUERY, operationName: 'TeacherList50', variables: { after, year } });
  };
}
