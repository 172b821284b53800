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
