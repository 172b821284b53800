import type { Viewer } from '../../subgraphs/shared/src/identity';
import { teacherRegistry } from '../../subgraphs/teacher-registry/src';
import { startSubgraphAlone, type SubgraphAlone } from '../helpers/subgraph-alone';

/** The teacher-registry subgraph alone (see helpers/subgraph-alone.ts); `graphql` is `call`. */
export interface RegistryHarness extends SubgraphAlone {
  graphql<T = any>(viewer: Viewer, query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: { message: string; extensions?: { code?: string; field?: string } }[] }>;
}

export async function startRegistry(): Promise<RegistryHarness> {
  const alone = await startSubgraphAlone(teacherRegistry);
  return { ...alone, graphql: (viewer, query, variables) => alone.call(viewer, query, variables) as never };
}

/** Valid registration input for a new teacher at 武汉市洪山区广埠屯小学 (born 1990-03-15, female). */
export const validRegistration = (overrides: Record<string, unknown> = {}) => ({
  name: '测试教师',
  gender: 'FEMALE',
  birthDate: '1990-03-15',
  idDocumentType: '1',
  idDocumentNumber: '420111199003150025',
  ethnicity: '01',
  politicalAffiliation: '13',
  educationLevel: '21',
  staffCategory: '1',
  onQuota: true,
  employmentForm: '1',
  startedWorkOn: '2012-09-01',
  joinedSchoolOn: '2018-09-01',
  subject: '语文',
  title: 'second',
  schoolId: '1142000101',
  ...overrides,
});
