import { allow, or, type IRules } from 'graphql-shield';
import { isAdmin, isAnalyst, isRecordReaderAdmin, isTeacher, hasPartnerScope, PartnerScope } from '../../shared/src/permissions';

const canReadOrgTree = or(isAdmin, isTeacher, isAnalyst, hasPartnerScope(PartnerScope.ORG_READ), hasPartnerScope(PartnerScope.DOSSIER_READ));
/** Which rows: decided in SQL by org-scope (subtree for admins and partners, own record for teachers). */
const canReadTeachers = or(isRecordReaderAdmin, isTeacher, hasPartnerScope(PartnerScope.DOSSIER_READ));

export const permissions: IRules = {
  Query: {
    viewer: allow,
    orgUnit: canReadOrgTree,
    teacher: canReadTeachers,
    teacherByNumber: canReadTeachers,
    teachers: canReadTeachers,
  },
  Viewer: { subject: allow, role: allow, organisation: allow, teacher: isTeacher, scopes: allow },
  OrgUnit: {
    id: allow,
    name: canReadOrgTree,
    level: canReadOrgTree,
    parent: canReadOrgTree,
    ancestors: canReadOrgTree,
    children: canReadOrgTree,
    school: canReadOrgTree,
    teachers: canReadTeachers,
  },
  SchoolProfile: { stage: allow, locale: allow, isPublic: allow },
  Teacher: {
    id: allow,
    nationalTeacherNumber: canReadTeachers,
    name: canReadTeachers,
    gender: canReadTeachers,
    birthDate: canReadTeachers,
    school: canReadTeachers,
  },
  TeacherConnection: { nodes: allow, pageInfo: allow, totalCount: allow },
  PageInfo: { hasNextPage: allow, endCursor: allow },
};
