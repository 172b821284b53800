import { sanctionDates } from '../../subgraphs/evaluation/src/domain/ethics';
import { titleConditions, type TitleFacts, type TitleRequirement } from '../../subgraphs/evaluation/src/domain/title-review';

const SENIOR: TitleRequirement = { targetTitle: 'senior', prerequisiteTitle: 'first', minYears: 5, minYearsWithDoctorate: 2, maxEducationCode: '28', urbanRuralServiceYears: 1, source: 'test' };
const FIRST: TitleRequirement = { targetTitle: 'first', prerequisiteTitle: 'second', minYears: 4, minYearsWithDoctorate: null, maxEducationCode: '28', urbanRuralServiceYears: 0, source: 'test' };
const facts = (over: Partial<TitleFacts> = {}): TitleFacts => ({
  educationCode: '21',
  currentTitle: 'first',
  titleAppointments: [{ title: 'first', appointedOn: '2020-09-01', endsOn: null }],
  schoolLocale: 'URBAN',
  ruralOrWeakServiceYears: 1,
  trainingComplete: true,
  assessments: [2021, 2022, 2023, 2024, 2025].map((year) => ({ year, grade: 'pass' })),
  ethics: [],
  today: '2026-11-28',
  ...over,
});
const met = (requirement: TitleRequirement, f: TitleFacts) => Object.fromEntries(titleConditions(requirement, f).conditions.map((c) => [c.key, c.met]));

describe('title review conditions (hand-checked)', () => {
  it('a first-grade teacher of an urban school with 6.1 years and a year of rural service meets every checkable condition', () => {
    const result = titleConditions(SENIOR, facts());
    expect(result.yearsInCurrentTitle).toBe(6.1);
    expect(met(SENIOR, facts())).toEqual({ current_title: true, years_in_title: true, education: true, rural_service: true, assessments: true, training: true, ethics: true, post_slot: null });
  });

  it('a missing post slot: the grades the target title needs (副高 5–7 for 高级) full or absent is not met; one free is met; unread is null', () => {
    const pt = (grade: number, ceiling: number, occupied: number) => ({ category: 'PROFESSIONAL_TECHNICAL', grade, ceiling, occupied, free: Math.max(0, ceiling - occupied) });
    const slot = (postSlots: TitleFacts['postSlots'], requirement = SENIOR) => titleConditions(requirement, facts({ postSlots })).conditions.find((c) => c.key === 'post_slot')!;
    // Full: every 副高 post is taken; a free grade-8 post (中级) and a free management post do not help a 高级 applicant.
    const full = slot([pt(6, 2, 2), pt(7, 3, 3), pt(8, 4, 1), { category: 'MANAGEMENT', grade: 6, ceiling: 2, occupied: 0, free: 2 }]);
    expect(full).toEqual({
      key: 'post_slot',
      met: false,
      detail:
        "Every one of your school's professional-technical posts of grades 5–7 (副高 (deputy senior)), the posts for 高级教师 (senior) is taken today (grade 6: 2 of 2 taken; grade 7: 3 of 3 taken), so none is free to appoint you to.",
    });
    expect(Object.values(met(SENIOR, facts({ postSlots: [pt(7, 3, 3)] }))).filter((m) => m === false)).toEqual([false]);
    // No 副高 post in the plan at all (only appointments above a zero ceiling, or nothing).
    expect(slot([pt(7, 0, 1)]).met).toBe(false);
    expect(slot([]).detail).toBe("Your school's 2026 post plan has no professional-technical posts of grades 5–7 (副高 (deputy senior)), the posts for 高级教师 (senior), so none is free to appoint you to.");
    // One free grade-7 post.
    const free = slot([pt(6, 2, 2), pt(7, 3, 2)]);
    expect(free.met).toBe(true);
    expect(free.detail).toBe(
      'Your school has 1 free post among its professional-technical posts of grades 5–7 (副高 (deputy senior)), the posts for 高级教师 (senior) today (grade 6: 2 of 2 taken; grade 7: 2 of 3 taken).',
    );
    expect(Object.values(met(SENIOR, facts({ postSlots: [pt(7, 3, 2)] }))).every((m) => m === true)).toBe(true);
    // 一级 needs 中级 8–10: the same free grade-7 post does not count.
    expect(slot([pt(7, 3, 2)], FIRST).met).toBe(false);
    expect(slot([pt(10, 1, 0)], FIRST).met).toBe(true);
    // Not answered by staffing-quota for this viewer: not checked.
    expect(slot(null).met).toBeNull();
  });

  it('an urban teacher without rural service does not meet the condition; a rural school needs none', () => {
    expect(met(SENIOR, facts({ ruralOrWeakServiceYears: 0.9 })).rural_service).toBe(false);
    expect(met(SENIOR, facts({ ruralOrWeakServiceYears: 0, schoolLocale: 'COUNTY_TOWN' })).rural_service).toBe(false);
    expect(met(SENIOR, facts({ ruralOrWeakServiceYears: 0, schoolLocale: 'RURAL' })).rural_service).toBe(true);
    expect(titleConditions(SENIOR, facts({ ruralOrWeakServiceYears: 0.9 })).conditions.find((c) => c.key === 'rural_service')!.detail).toBe(
      'Teachers of urban schools need 1 year(s) at a rural or weak school; you have 0.9.',
    );
  });

  it('five years as first grade: 4.9 is short, 5.0 is enough; a doctorate needs 2', () => {
    expect(met(SENIOR, facts({ titleAppointments: [{ title: 'first', appointedOn: '2021-12-01', endsOn: null }] })).years_in_title).toBe(false); // 4.9
    expect(met(SENIOR, facts({ titleAppointments: [{ title: 'first', appointedOn: '2021-11-28', endsOn: null }] })).years_in_title).toBe(true); // 5.0
    expect(met(SENIOR, facts({ educationCode: '11', titleAppointments: [{ title: 'first', appointedOn: '2024-11-28', endsOn: null }] })).years_in_title).toBe(true);
  });

  it('first grade needs second grade and a bachelor degree; junior college (30s) is not enough', () => {
    const second = { currentTitle: 'second', titleAppointments: [{ title: 'second', appointedOn: '2020-09-01', endsOn: null }] };
    expect(met(FIRST, facts({ ...second, educationCode: '21' })).education).toBe(true);
    expect(met(FIRST, facts({ ...second, educationCode: '31' })).education).toBe(false);
    expect(met(FIRST, facts()).current_title).toBe(false);
  });

  it('an assessment below pass since the appointment, an incomplete training cycle and an ethics ban each fail their condition', () => {
    expect(met(SENIOR, facts({ assessments: [{ year: 2023, grade: 'basic_pass' }] })).assessments).toBe(false);
    expect(met(SENIOR, facts({ assessments: [{ year: 2019, grade: 'fail' }] })).assessments).toBe(true); // before the appointment
    expect(met(SENIOR, facts({ trainingComplete: false })).training).toBe(false);
    const warning = { kind: 'violation' as const, sanction: 'warning' as const, decidedOn: '2025-06-01', ...sanctionDates('warning', '2025-06-01') };
    expect(met(SENIOR, facts({ ethics: [warning] })).ethics).toBe(false); // banned until 2027-05-31
    expect(met(SENIOR, facts({ ethics: [warning], today: '2027-06-01', titleAppointments: [{ title: 'first', appointedOn: '2020-09-01', endsOn: null }] })).ethics).toBe(true);
  });
});
