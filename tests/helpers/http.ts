import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';

/**
 * Light test helpers with no subgraph imports, so a test of one subgraph alone does not load (or
 * depend on the state of) the others. helpers/platform.ts re-exports them.
 */
export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdefghijklmnop';
export const TEST_INTERNAL_SECRET = 'test-internal-secret-0123456789abcdefghijk';
export const JWT_ISSUER = 'teacher-platform';

export interface GraphQLBody<T> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

/** Organisation path of a demo organisation, for minting tokens. */
export function demoOrgPath(org: string): string {
  const unit = buildDemoDataset().orgUnits.find((o) => o.id === org);
  if (!unit) throw new Error(`${org} is not in the demo tree`);
  return unit.path;
}

export async function postGraphQL<T>(url: string, headers: Record<string, string>, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLBody<T> };
}
