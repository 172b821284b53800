import { loadDivisions } from '../../subgraphs/teacher-registry/src/repositories/org-units';
import { startRegistry, type RegistryHarness } from './harness';

describe('organisation tree from a complete GB/T 2260 division list', () => {
  let h: RegistryHarness;
  beforeAll(async () => {
    h = await startRegistry();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('places provinces, cities and counties, hangs a county without a city from its province, and keeps existing units', async () => {
    const inserted = await loadDivisions(h.server.db, [
      { code: '440000', name: '广东省' },
      { code: '440100', name: '广州市' },
      { code: '440106', name: '天河区' },
      { code: '429005', name: '潜江市' }, // province-administered county-level city
      { code: '420111', name: '洪山区' }, // already there
      { code: '4401', name: '坏代码' }, // not a 6-digit code: ignored
    ]);
    expect(inserted).toBe(4);
    const { data: body } = await h.graphql(
      h.viewer('national_query', 'CN'),
      `{ tianhe: orgUnit(id: "440106") { level parent { id level } ancestors { id } } qianjiang: orgUnit(id: "429005") { level parent { id } } hongshan: orgUnit(id: "420111") { children { id } } }`,
    );
    expect(body.tianhe).toEqual({ level: 'COUNTY', parent: { id: '440100', level: 'CITY' }, ancestors: [{ id: 'CN' }, { id: '440000' }, { id: '440100' }] });
    expect(body.qianjiang).toEqual({ level: 'COUNTY', parent: { id: '420000' } });
    expect(body.hongshan.children.map((c: { id: string }) => c.id)).toEqual(['1142000101', '1142000102']);
    expect(await loadDivisions(h.server.db, [{ code: '440106', name: '天河区' }])).toBe(0);
  });

  it('describes schools with their 10-digit code, stage, locale and public/private status', async () => {
    const { data: body } = await h.graphql(h.viewer('national_query', 'CN'), `{ orgUnit(id: "1111000103") { id name level school { stage locale isPublic } } }`);
    expect(body.orgUnit).toEqual({ id: '1111000103', name: '北京市朝阳区望京花园幼儿园', level: 'SCHOOL', school: { stage: 'KINDERGARTEN', locale: 'URBAN', isPublic: false } });
  });
});
