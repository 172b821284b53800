import { periodLastDay } from '../../subgraphs/evaluation/src/domain/dates';
import { bansOn, sanctionDates, sanctionRefusal, type ViolationFacts } from '../../subgraphs/evaluation/src/domain/ethics';

const violation = (sanction: ViolationFacts['sanction'], decidedOn: string): ViolationFacts => ({
  kind: 'violation',
  sanction,
  decidedOn,
  ...sanctionDates(sanction!, decidedOn),
});

describe('sanction periods and bans (hand-checked)', () => {
  it('a period of N months ends the day before the same date N months later, or at the end of a shorter month', () => {
    expect(periodLastDay('2025-01-15', 6)).toBe('2025-07-14');
    expect(periodLastDay('2025-08-31', 6)).toBe('2026-02-28');
    expect(periodLastDay('2024-03-01', 12)).toBe('2025-02-28');
    expect(periodLastDay('2023-11-30', 24)).toBe('2025-11-29');
  });

  it('warning 6, demerit 12, demotion and removal 24 months; bans at least 24 months; dismissal permanent', () => {
    expect(sanctionDates('warning', '2025-01-15')).toEqual({ periodEndsOn: '2025-07-14', banEndsOn: '2027-01-14' });
    expect(sanctionDates('demerit', '2025-01-15')).toEqual({ periodEndsOn: '2026-01-14', banEndsOn: '2027-01-14' });
    expect(sanctionDates('demotion', '2025-01-15')).toEqual({ periodEndsOn: '2027-01-14', banEndsOn: '2027-01-14' });
    expect(sanctionDates('removal', '2025-01-15')).toEqual({ periodEndsOn: '2027-01-14', banEndsOn: '2027-01-14' });
    expect(sanctionDates('dismissal', '2025-01-15')).toEqual({ periodEndsOn: null, banEndsOn: null });
  });

  it('bans are in force from the decision to their last day, and a dismissal never lapses', () => {
    const warning = violation('warning', '2025-01-15');
    expect(bansOn([warning], '2025-01-14')).toEqual({ on: '2025-01-14', inForce: false, until: null, permanent: false });
    expect(bansOn([warning], '2027-01-14')).toEqual({ on: '2027-01-14', inForce: true, until: '2027-01-14', permanent: false });
    expect(bansOn([warning], '2027-01-15').inForce).toBe(false);
    expect(bansOn([warning, violation('dismissal', '2026-02-01')], '2040-01-01')).toEqual({ on: '2040-01-01', inForce: true, until: null, permanent: true });
    expect(bansOn([{ kind: 'honour', sanction: null, decidedOn: '2025-01-01', periodEndsOn: null, banEndsOn: null }], '2025-06-01').inForce).toBe(false);
  });

  it('a warning bars excellent in the year it was decided only', () => {
    const warning = violation('warning', '2025-11-20'); // period runs into 2026
    expect(sanctionRefusal('excellent', 2025, [warning])).toMatch(/warning/);
    expect(sanctionRefusal('pass', 2025, [warning])).toBeNull();
    expect(sanctionRefusal('excellent', 2026, [warning])).toBeNull();
  });

  it('a demerit (or heavier) bars pass and better in every year its period touches', () => {
    const demerit = violation('demerit', '2025-06-01'); // period to 2026-05-31
    for (const year of [2025, 2026]) {
      expect(sanctionRefusal('excellent', year, [demerit])).toMatch(/demerit/);
      expect(sanctionRefusal('pass', year, [demerit])).toMatch(/basic pass/);
      expect(sanctionRefusal('basic_pass', year, [demerit])).toBeNull();
      expect(sanctionRefusal('fail', year, [demerit])).toBeNull();
    }
    expect(sanctionRefusal('excellent', 2027, [demerit])).toBeNull();
    expect(sanctionRefusal('pass', 2024, [demerit])).toBeNull();
    expect(sanctionRefusal('pass', 2030, [violation('dismissal', '2026-01-01')])).toMatch(/dismissal/);
  });
});
