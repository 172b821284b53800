import type { AssignmentRow, RotationParametersRow } from '../../subgraphs/staffing-quota/src/repositories/rotation';
import { assessCompliance, requiredCount } from '../../subgraphs/staffing-quota/src/workflows/rotation';

const params: RotationParametersRow = {
  provinceCode: null,
  minYearsAtSchool: 6,
  ageLimitMale: null,
  ageLimitFemale: null,
  minShareOfEligible: 0.1,
  minShareKeyTeachers: 0.2,
  effectiveFrom: '2014-08-13',
};
const rotation = (fromUrbanOrHighQualitySchool: boolean, keyTeacher: boolean) => ({ fromUrbanOrHighQualitySchool, keyTeacher }) as AssignmentRow;

describe('rotation percentages', () => {
  it('rounds the required counts up, without floating-point noise', () => {
    expect(requiredCount(0.1, 30)).toBe(3); // 0.1 × 30 is 3.0000000000000004 in floating point
    expect(requiredCount(0.1, 25)).toBe(3);
    expect(requiredCount(0.1, 20)).toBe(2);
    expect(requiredCount(0.2, 10)).toBe(2);
    expect(requiredCount(0.2, 11)).toBe(3);
    expect(requiredCount(0.1, 0)).toBe(0);
  });

  it('needs ≥ 10% of eligible urban/high-quality teachers rotated and key teachers ≥ 20% of those rotated', () => {
    // 25 eligible at urban/high-quality schools → 3 must rotate; 10 rotated → 2 key teachers needed.
    const plan = [
      ...Array.from({ length: 3 }, () => rotation(true, false)),
      ...Array.from({ length: 5 }, () => rotation(false, false)),
      rotation(false, true),
      rotation(true, true),
    ];
    expect(assessCompliance(params, 25, plan)).toEqual({
      eligibleFromUrbanOrHighQuality: 25,
      rotatedFromUrbanOrHighQuality: 4,
      requiredFromUrbanOrHighQuality: 3,
      rotated: 10,
      keyTeachersRotated: 2,
      requiredKeyTeachers: 2,
      compliant: true,
      problems: [],
    });
    const oneKeyShort = assessCompliance(params, 25, plan.slice(0, 9));
    expect(oneKeyShort).toMatchObject({ rotated: 9, keyTeachersRotated: 1, requiredKeyTeachers: 2, compliant: false });
    expect(oneKeyShort.problems).toEqual(['1 key teachers rotate; at least 2 (20% of 9 rotated) must.']);
    const tooFewUrban = assessCompliance(params, 41, plan);
    expect(tooFewUrban.problems).toEqual(['4 teachers of urban or high-quality schools rotate; at least 5 (10% of 41 eligible) must.']);
    expect(assessCompliance(params, 0, []).problems).toEqual(['The plan rotates nobody.']);
  });
});
