import { SignJWT } from 'jose';
import {
  createInternalIdentityVerifier,
  InvalidIdentityError,
  levelOfOrgCode,
  signInternalIdentity,
  viewerSchema,
  type Viewer,
} from '../../subgraphs/shared/src/identity';

const SECRET = 'unit-test-internal-secret-0123456789abcdef';
const countyAdmin: Viewer = {
  subject: 'u1',
  role: 'county_info_admin',
  orgId: '420111',
  orgPath: '/CN/420000/420100/420111/',
  scopes: [],
};

describe('levelOfOrgCode', () => {
  it.each([
    ['CN', 'national'],
    ['420000', 'province'],
    ['420100', 'city'],
    ['420111', 'county'],
    ['429004', 'county'], // province-administered county-level city: no city level above it
    ['1142000101', 'school'],
    ['4201', null],
    ['abc', null],
  ])('%s is %s', (code, level) => {
    expect(levelOfOrgCode(code)).toBe(level);
  });
});

describe('viewerSchema', () => {
  it('accepts a well-formed administrator', () => {
    expect(viewerSchema.safeParse(countyAdmin).success).toBe(true);
  });

  it('rejects an administrator whose level does not match the organisation', () => {
    const result = viewerSchema.safeParse({ ...countyAdmin, role: 'school_info_admin' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain('role');
  });

  it('rejects a path that does not end with the organisation', () => {
    expect(viewerSchema.safeParse({ ...countyAdmin, orgPath: '/CN/420000/' }).success).toBe(false);
  });

  it('requires a teacher id for teachers and a client id for partners', () => {
    const teacher = viewerSchema.safeParse({ ...countyAdmin, role: 'teacher' });
    const partner = viewerSchema.safeParse({ ...countyAdmin, role: 'partner' });
    expect(teacher.error?.issues.map((i) => i.path.join('.'))).toContain('teacherId');
    expect(partner.error?.issues.map((i) => i.path.join('.'))).toContain('clientId');
  });
});

describe('internal identity header', () => {
  it('round-trips the viewer', async () => {
    const verify = createInternalIdentityVerifier(SECRET);
    const token = await signInternalIdentity(countyAdmin, SECRET, 60);
    await expect(verify(token)).resolves.toEqual(countyAdmin);
    // Second call is served from the verification cache and must give the same viewer.
    await expect(verify(token)).resolves.toEqual(countyAdmin);
  });

  it('rejects a missing header, a wrong key, an expired token and a tampered payload', async () => {
    const verify = createInternalIdentityVerifier(SECRET);
    await expect(verify(undefined)).rejects.toMatchObject({ reason: 'missing' });

    const wrongKey = await signInternalIdentity(countyAdmin, 'another-secret-0123456789abcdefghijkl', 60);
    await expect(verify(wrongKey)).rejects.toMatchObject({ reason: 'bad signature' });

    const expired = await new SignJWT({ viewer: countyAdmin })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('teacher-platform-gateway')
      .setAudience('teacher-platform-subgraphs')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(SECRET));
    await expect(verify(expired)).rejects.toMatchObject({ reason: 'expired' });

    const valid = await signInternalIdentity(countyAdmin, SECRET, 60);
    const [header, payload, signature] = valid.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), viewer: { ...countyAdmin, orgPath: '/CN/' } }),
    ).toString('base64url');
    await expect(verify(`${header}.${forgedPayload}.${signature}`)).rejects.toBeInstanceOf(InvalidIdentityError);
  });

  it('rejects a correctly signed header whose viewer is malformed', async () => {
    const verify = createInternalIdentityVerifier(SECRET);
    const token = await signInternalIdentity({ ...countyAdmin, role: 'superuser' as never }, SECRET, 60);
    await expect(verify(token)).rejects.toMatchObject({ reason: 'malformed viewer' });
  });
});
