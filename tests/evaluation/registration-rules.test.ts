import { sanctionDates, type ViolationFacts } from '../../subgraphs/evaluation/src/domain/ethics';
import { evaluateRegistration, serviceGaps, type RegistrationFacts } from '../../subgraphs/evaluation/src/domain/registration';
import type { TrainingSummaryFact } from '../../subgraphs/evaluation/src/domain/training';

const CYCLE = { startsOn: '2021-01-01', deadline: '2025-12-31', stage: 'applied' as const, appliedOn: '2025-10-01' };
const training = (completedHours: number) => ({ completedHours, cycle: { startsOn: '2021-01-01', endsOn: '2025-12-31', requiredHours: 360 } });
const passes = [2021, 2022, 2023, 2024, 2025].map((year) => ({ year, grade: 'pass' }));
const facts = (over: Partial<RegistrationFacts> = {}): RegistrationFacts => ({
  cycle: CYCLE,
  training: training(360),
  employments: [{ startsOn: '2015-09-01', endsOn: null }],
  assessments: passes,
  ethics: [],
  today: '2026-01-10',
  ...over,
});
const grades = (...g: string[]) => g.map((grade, i) => ({ year: 2021 + i, grade }));
const sanction = (type: ViolationFacts['sanction'], decidedOn: string): ViolationFacts => ({ kind: 'violation', sanction: type, decidedOn, ...sanctionDates(type!, decidedOn) });

describe('qualification registration rules (hand-checked)', () => {
  it('360 hours pass; 359 defer, with the shortfall in words', () => {
    expect(evaluateRegistration(facts())).toEqual({ required: true, status: 'pass', reasons: [], trainingHours: 360, requiredHours: 360, trainingCredits: null, requiredCredits: null, failingYears: [] });
    const short = evaluateRegistration(facts({ training: training(359) }));
    expect(short.status).toBe('deferred');
    expect(short.reasons).toEqual(['You have 359 of the 360 training hours the cycle requires (1 missing).']);
  });

  it('one failing year defers; two consecutive failing years fail; two apart defer', () => {
    expect(evaluateRegistration(facts({ assessments: grades('pass', 'fail', 'pass', 'pass', 'pass') }))).toMatchObject({
      status: 'deferred',
      failingYears: [2022],
      reasons: ['Your annual assessment for 2022 was "fail".'],
    });
    expect(evaluateRegistration(facts({ assessments: grades('pass', 'fail', 'fail', 'pass', 'pass') }))).toMatchObject({
      status: 'fail',
      failingYears: [2022, 2023],
      reasons: ['Your annual assessments were "fail" two years running (2022 and 2023).'],
    });
    expect(evaluateRegistration(facts({ assessments: grades('fail', 'pass', 'fail', 'pass', 'pass') })).status).toBe('deferred');
    expect(evaluateRegistration(facts({ assessments: grades('pass', 'basic_pass', 'pass', 'pass', 'pass') })).status).toBe('deferred');
  });

  it('a sanction period ending the day before the deadline passes; ending the day after defers', () => {
    // A demerit (12 months) decided 2024-12-31 runs to 2025-12-30, the day before the deadline.
    expect(sanctionDates('demerit', '2024-12-31').periodEndsOn).toBe('2025-12-30');
    expect(evaluateRegistration(facts({ ethics: [sanction('demerit', '2024-12-31')] })).status).toBe('pass');
    // One decided 2025-01-02 runs to 2026-01-01, the day after the deadline.
    expect(sanctionDates('demerit', '2025-01-02').periodEndsOn).toBe('2026-01-01');
    const running = evaluateRegistration(facts({ ethics: [sanction('demerit', '2025-01-02')] }));
    expect(running).toMatchObject({ status: 'deferred', reasons: ['Your demerit decided on 2025-01-02 runs until 2026-01-01, past the deadline 2025-12-31.'] });
    // Without the right to read the ledger, the reason keeps the fact and drops the details.
    expect(evaluateRegistration(facts({ ethics: [sanction('demerit', '2025-01-02')], ethicsDetails: false })).reasons).toEqual([
      'An ethics sanction is still in force on the deadline 2025-12-31.',
    ]);
  });

  it('a serious violation in the cycle fails', () => {
    expect(evaluateRegistration(facts({ ethics: [sanction('demotion', '2022-03-01')] }))).toMatchObject({ status: 'fail' });
    expect(evaluateRegistration(facts({ ethics: [{ kind: 'honour', sanction: null, decidedOn: '2022-03-01', periodEndsOn: null, banEndsOn: null }] })).status).toBe('pass');
  });

  it('a service gap of a semester or more defers; a shorter one does not; starting mid-cycle is no gap', () => {
    const gapOf = (days: number) => [
      { startsOn: '2015-09-01', endsOn: '2023-02-28' },
      { startsOn: new Date(Date.UTC(2023, 2, 1 + days)).toISOString().slice(0, 10), endsOn: null },
    ];
    expect(serviceGaps(gapOf(139), '2021-01-01', '2025-12-31')).toEqual([]);
    expect(serviceGaps(gapOf(140), '2021-01-01', '2025-12-31')).toEqual([{ from: '2023-03-01', to: '2023-07-18', days: 140 }]);
    expect(evaluateRegistration(facts({ employments: gapOf(140) })).reasons).toEqual(['You were not in post from 2023-03-01 to 2023-07-18 (140 days), a semester or more, and no approved leave covers it.']);
    expect(evaluateRegistration(facts({ employments: [{ startsOn: '2023-09-01', endsOn: null }], assessments: grades('pass').slice(0, 0) })).status).toBe('pass');
  });

  it('overdue when the deadline passed without an application; late application stays overdue', () => {
    const open = { ...CYCLE, stage: 'open' as const, appliedOn: null };
    expect(evaluateRegistration(facts({ cycle: open, today: '2025-12-31' })).status).toBe('pass');
    expect(evaluateRegistration(facts({ cycle: open, today: '2026-01-01' }))).toMatchObject({ status: 'overdue', reasons: ['The deadline 2025-12-31 passed without an application in time.'] });
    expect(evaluateRegistration(facts({ cycle: { ...CYCLE, appliedOn: '2026-01-05' } })).status).toBe('overdue');
  });

  it('training hours of another cycle are not counted', () => {
    const other = { completedHours: 400, cycle: { startsOn: '2024-01-01', endsOn: '2028-12-31', requiredHours: 360 } };
    expect(evaluateRegistration(facts({ training: other }))).toMatchObject({ status: 'deferred', trainingHours: 400 });
    expect(evaluateRegistration(facts({ training: null })).reasons).toEqual(['No training hours are on record for this cycle.']);
  });

  it('applies to teachers with an on-quota employment in force today', () => {
    expect(evaluateRegistration(facts({ employments: [{ startsOn: '2015-09-01', endsOn: null, onQuota: false }] })).required).toBe(false);
    expect(evaluateRegistration(facts({ employments: [{ startsOn: '2015-09-01', endsOn: '2025-12-31', onQuota: true }] })).required).toBe(false);
    expect(evaluateRegistration(facts({ employments: [{ startsOn: '2015-09-01', endsOn: null, onQuota: true }] })).required).toBe(true);
  });

  // Training's verdict for the registration cycle (projection fed by training.cycle-summaries-changed).
  const verdict = (hours: number, credits: number, over: Partial<TrainingSummaryFact> = {}): TrainingSummaryFact => ({
    cycleId: '2021-2025', startsOn: '2021-01-01', endsOn: '2025-12-31', provinceCode: '110000',
    hours, credits, requiredHours: 360, requiredCredits: 360, isMet: hours >= 360 && credits >= 360, ...over,
  });

  it('training\'s verdict for the registration cycle decides: 360 hours and credits pass, 359 defer in words', () => {
    // Beijing counts 1 hour = 1 credit, 360 per cycle.
    expect(evaluateRegistration(facts({ training: null, trainingSummary: verdict(360, 360) }))).toMatchObject({
      status: 'pass', reasons: [], trainingHours: 360, requiredHours: 360, trainingCredits: 360, requiredCredits: 360,
    });
    expect(evaluateRegistration(facts({ training: null, trainingSummary: verdict(359, 359) }))).toMatchObject({
      status: 'deferred',
      reasons: ['You have 359 of the 360 training hours the cycle requires (1 missing).', 'You have 359 of the 360 training credits your province (110000) requires for the cycle (1 missing).'],
    });
  });

  it('credits, not only hours: 360 hours of online study are 18 of 湖北\'s 36 credits, deferred', () => {
    const hubei = verdict(360, 18, { provinceCode: '420000', requiredCredits: 36, isMet: false });
    expect(evaluateRegistration(facts({ training: training(360), trainingSummary: hubei }))).toMatchObject({
      status: 'deferred', trainingHours: 360, trainingCredits: 18, requiredCredits: 36,
      reasons: ['You have 18 of the 36 training credits your province (420000) requires for the cycle (18 missing).'],
    });
  });

  it('the verdict of the registration cycle counts even when today\'s training cycle is another one', () => {
    // Today (2026) training runs the 2024–2028 cycle; the registration being decided is 2021–2025.
    const today = { completedHours: 12, cycle: { startsOn: '2024-01-01', endsOn: '2028-12-31', requiredHours: 360 } };
    expect(evaluateRegistration(facts({ training: today, trainingSummary: verdict(372, 372) }))).toMatchObject({ status: 'pass', trainingHours: 372 });
  });

  it('an approved leave covers a service gap: the same 140-day gap defers without it and passes with it', () => {
    const gap = [
      { startsOn: '2015-09-01', endsOn: '2023-02-28' },
      { startsOn: '2023-07-19', endsOn: null },
    ];
    expect(evaluateRegistration(facts({ employments: gap })).status).toBe('deferred');
    const maternity = [{ reason: 'maternity', startsOn: '2023-03-01', endsOn: '2023-07-18' }];
    expect(evaluateRegistration(facts({ employments: gap, approvedLeaves: maternity }))).toMatchObject({ status: 'pass', reasons: [] });
    // A leave covering only part of it leaves 140 − 31 = 109 days: under a semester, no deferral.
    expect(evaluateRegistration(facts({ employments: gap, approvedLeaves: [{ reason: 'study', startsOn: '2023-03-01', endsOn: '2023-03-31' }] })).status).toBe('pass');
    // A leave elsewhere in time does not help.
    expect(evaluateRegistration(facts({ employments: gap, approvedLeaves: [{ reason: 'sick', startsOn: '2022-01-01', endsOn: '2022-06-30' }] })).reasons).toEqual([
      'You were not in post from 2023-03-01 to 2023-07-18 (140 days), a semester or more, and no approved leave covers it.',
    ]);
  });
});
