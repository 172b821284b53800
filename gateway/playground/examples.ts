import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '../../subgraphs/shared/src/identity';

/**
 * Ready-made operations shown as tabs in the playground. Each is a real operation of the current
 * schema (tests run them), so the examples cannot drift from what the API answers.
 */
export interface PlaygroundExample {
  title: string;
  query: string;
  variables?: Record<string, unknown>;
  /** The role whose token the example needs, when not an information administrator's (shown as a comment on the tab). */
  role?: Role;
}

const PARTNER_DOSSIER = readFileSync(join(__dirname, '..', '..', 'subgraphs', 'evaluation', 'operations', 'partner-dossier.graphql'), 'utf8');

export const PLAYGROUND_EXAMPLES: PlaygroundExample[] = [
  {
    title: 'Teacher archive (all four subgraphs)',
    query: `# One teacher's electronic archive [教师电子档案], joined from all four subgraphs.
query TeacherArchive($first: Int = 3) {
  teachers(first: $first) {
    totalCount
    nodes {
      nationalTeacherNumber
      name
      gender
      birthDate
      school { name level school { stage locale } }
      trainingProgress { completedHours remainingHours isComplete cycle { id requiredHours } }
      employments { onQuota startsOn }
      annualAssessments { year grade }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
  },
  {
    title: 'Partner dossier',
    query: PARTNER_DOSSIER,
    variables: { orgUnitId: '420111', first: 5 },
  },
  {
    title: 'Statistics by region',
    query: `# Decision support [决策支持]: headcount, training completion and staffing for a unit and each unit below it.
# For analysts and system administrators no figure of 1–4 teachers is shown or can be subtracted out of the
# unit's, its parent's and its siblings' figures: hidden buckets merge into "suppressed", a withheld total is
# null, and training gives them metCount only (the teachers in total are statistics.activeTeachers).
query StatisticsByRegion($unit: ID = "420000", $year: Int = 2026) {
  orgUnit(id: $unit) {
    name
    statistics { activeTeachers onQuota byGender { label count } byAgeBand { label count } byTitle { label count } byLocale { label count } }
    trainingCompletion { teacherCount metCount completionRate }
    staffingQuota(year: $year) { approved occupied balance }
    children {
      id
      name
      level
      statistics { activeTeachers onQuota }
      trainingCompletion { metCount completionRate }
      staffingQuota(year: $year) { approved occupied balance }
    }
  }
}`,
  },
  {
    title: 'Staffing balance by region',
    query: `# Approved quota against on-quota staff [核定编制 / 实有在编] for a unit and each unit below it.
query StaffingByRegion($unit: ID = "420000", $year: Int = 2026) {
  orgUnit(id: $unit) {
    name
    staffingQuota(year: $year) { approved occupied balance }
    children {
      id
      name
      level
      staffingQuota(year: $year) { approved occupied balance }
    }
  }
}`,
  },
  {
    title: 'Audit trail (auditors)',
    role: 'auditor',
    query: `# The audit trail [审计日志] of every service, for a token of role auditor (mint one with role
# "auditor"): who did what, to which teachers, with what result, and whether each service's hash
# chain still verifies. Any other role is refused.
query AuditTrail($teacherId: ID, $action: String, $first: Int = 10) {
  auditTrail(filter: { teacherId: $teacherId, action: $action }) {
    teacherRegistry(first: $first) { ...part }
    training(first: $first) { ...part }
    staffingQuota(first: $first) { ...part }
    evaluation(first: $first) { ...part }
  }
}

fragment part on AuditTrailPart {
  service
  verified
  verifiedEntries
  firstBrokenEntryId
  entries { at subject role organisationId clientId action operation teacherIds result detail }
  hasNextPage
  endCursor
}`,
  },
  {
    title: 'Who am I',
    query: `query Viewer {
  viewer { role scopes organisation { id name level ancestors { name } } }
}`,
  },
];
