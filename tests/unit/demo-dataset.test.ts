import { buildDemoDataset } from '../../subgraphs/shared/src/demo/dataset';
import { levelOfOrgCode } from '../../subgraphs/shared/src/identity';

describe('demo data set', () => {
  const data = buildDemoDataset();

  it('has a realistic tree: several provinces, a county directly under a province, about 20 schools', () => {
    expect(data.orgUnits.filter((o) => o.level === 'province').length).toBeGreaterThanOrEqual(2);
    const xiantao = data.orgUnits.find((o) => o.id === '429004');
    expect(xiantao).toMatchObject({ level: 'county', parentId: '420000' });
    const schools = data.orgUnits.filter((o) => o.level === 'school');
    expect(schools.length).toBeGreaterThanOrEqual(18);
    expect(new Set(schools.map((s) => s.schoolStage)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(schools.map((s) => s.locale))).toEqual(new Set(['urban', 'county_town', 'rural']));
    for (const unit of data.orgUnits) expect(levelOfOrgCode(unit.id)).toBe(unit.level);
  });

  it('has about 500 teachers with records in every subgraph', () => {
    expect(data.teachers.length).toBeGreaterThanOrEqual(450);
    const ids = new Set(data.teachers.map((t) => t.id));
    expect(ids.size).toBe(data.teachers.length);
    for (const list of [data.trainingRecords, data.employments, data.assessments]) {
      expect(new Set(list.map((r) => r.teacherId)).size).toBeGreaterThanOrEqual(data.teachers.length * 0.95);
    }
    expect(new Set(data.teachers.map((t) => t.nationalTeacherNumber)).size).toBe(data.teachers.length);
  });

  it('is deterministic, so every subgraph derives the same ids', () => {
    jest.isolateModules(() => {
      // A fresh module instance regenerates the data set from the seed.
      const { buildDemoDataset: rebuild } = require('../../subgraphs/shared/src/demo/dataset');
      expect(rebuild().teachers.slice(0, 5)).toEqual(data.teachers.slice(0, 5));
    });
  });
});
