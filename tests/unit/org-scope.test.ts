import type { Viewer } from '../../subgraphs/shared/src/identity';
import { buildOrgPath, canSeeTeacher, hasOrgScope, isWithinPath, likePrefix } from '../../subgraphs/shared/src/org-scope';

const viewer = (role: Viewer['role'], orgPath: string, extra: Partial<Viewer> = {}): Viewer => ({
  subject: 's',
  role,
  orgId: orgPath.split('/').filter(Boolean).pop() ?? 'CN',
  orgPath,
  scopes: [],
  ...extra,
});

describe('organisation paths', () => {
  it('builds paths from the root down', () => {
    const province = buildOrgPath(buildOrgPath(null, 'CN'), '420000');
    expect(province).toBe('/CN/420000/');
    expect(buildOrgPath(province, '429004')).toBe('/CN/420000/429004/');
  });

  it('matches whole segments only, so 11000 is not inside 110000', () => {
    expect(isWithinPath('/CN/110000/110100/', '/CN/110000/')).toBe(true);
    expect(isWithinPath('/CN/1100001/', '/CN/110000/')).toBe(false);
    expect(isWithinPath('/CN/110000/', '/CN/110000/')).toBe(true);
  });

  it('escapes LIKE wildcards', () => {
    expect(likePrefix('/CN/a_b%/')).toBe('/CN/a\\_b\\%/%');
  });
});

describe('canSeeTeacher', () => {
  const teacher = { id: 't1', orgPath: '/CN/420000/420100/420111/1142000101/' };

  it('lets administrators and partners see their subtree and nothing else', () => {
    expect(canSeeTeacher(viewer('county_query', '/CN/420000/420100/420111/'), teacher)).toBe(true);
    expect(canSeeTeacher(viewer('province_info_admin', '/CN/420000/'), teacher)).toBe(true);
    expect(canSeeTeacher(viewer('county_query', '/CN/420000/420100/420115/'), teacher)).toBe(false);
    expect(canSeeTeacher(viewer('partner', '/CN/', { clientId: 'c' }), teacher)).toBe(true);
  });

  it('lets a teacher see only their own record', () => {
    const path = '/CN/420000/420100/420111/1142000101/';
    expect(canSeeTeacher(viewer('teacher', path, { teacherId: 't1' }), teacher)).toBe(true);
    expect(canSeeTeacher(viewer('teacher', path, { teacherId: 't2' }), teacher)).toBe(false);
  });

  it('gives analysts and auditors no person-level scope', () => {
    expect(hasOrgScope(viewer('analyst', '/CN/'))).toBe(false);
    expect(canSeeTeacher(viewer('auditor', '/CN/'), teacher)).toBe(false);
  });
});
