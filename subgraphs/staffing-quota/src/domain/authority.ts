import { parseAdminRole, type Viewer } from '../../../shared/src/identity';
import { isWithinPath } from '../../../shared/src/org-scope';

/**
 * Who may write what. Field rules (permissions.ts) let information administrators reach the
 * mutations; these checks decide for which units, from the rows' organisation paths.
 */
export function isInfoAdmin(viewer: Viewer): boolean {
  return parseAdminRole(viewer.role)?.kind === 'info_admin';
}

/** An information administrator of the unit itself or of a unit above it. */
export function canManage(viewer: Viewer, unitPath: string): boolean {
  return isInfoAdmin(viewer) && isWithinPath(unitPath, viewer.orgPath);
}

/**
 * An information administrator of a unit strictly above: quotas and post plans are issued from
 * above (县管校聘), never by the unit for itself.
 */
export function canManageFromAbove(viewer: Viewer, unitPath: string): boolean {
  return canManage(viewer, unitPath) && !unitPath.endsWith(`/${viewer.orgId}/`);
}

/** The school's own information administrator. */
export function isSchoolAdminOf(viewer: Viewer, schoolId: string): boolean {
  return isInfoAdmin(viewer) && viewer.orgId === schoolId;
}
