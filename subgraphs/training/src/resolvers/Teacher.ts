import { badUserInput } from '../../../shared/src/errors';
import { policyInForce, provinceOfPath, summariseCycle } from '../domain/credit-rules';
import { today } from '../domain/validation';
import type { TrainingRecordFilter } from '../repositories/training';
import type { Context } from '../context';
import { cycleKey } from '../loaders';

type TeacherRef = { id: string };

const asOfFor = (cycle: { endsOn: string }) => (cycle.endsOn < today() ? cycle.endsOn : today());

/** The reference arrives from the registry; the scope loader returns null outside the viewer's reach. */
export const Teacher = {
  __resolveReference: (ref: TeacherRef, ctx: Context) => ctx.loaders.teacherById.load(ref.id),

  trainingRecords: (teacher: TeacherRef, args: { filter?: TrainingRecordFilter | null }, ctx: Context) => {
    const f = args.filter ?? {};
    if (f.completedFrom && f.completedTo && f.completedFrom > f.completedTo) throw badUserInput('filter.completedTo', 'must not be before completedFrom');
    const key = JSON.stringify({ form: f.form ?? null, source: f.source ?? null, completedFrom: f.completedFrom ?? null, completedTo: f.completedTo ?? null });
    return ctx.loaders.trainingRecordsByTeacherId(key).load(teacher.id);
  },

  trainingProgress: async (teacher: TeacherRef, _: unknown, ctx: Context) => {
    const cycle = await ctx.loaders.currentCycle();
    if (!cycle) return null;
    const years = await ctx.loaders.yearTotalsInCycle(cycleKey(cycle)).load(teacher.id);
    const completedHours = years.reduce((sum, y) => sum + y.hours, 0);
    const remainingHours = Math.max(0, cycle.requiredHours - completedHours);
    return { cycle, completedHours, remainingHours, isComplete: remainingHours === 0 };
  },

  trainingCycleSummary: async (teacher: TeacherRef, args: { cycleId?: string | null }, ctx: Context) => {
    const cycle = await ctx.loaders.cycleFor(args.cycleId);
    if (!cycle) {
      if (args.cycleId != null) throw badUserInput('cycleId', 'is not a training cycle');
      return null;
    }
    const [rows, rules] = await Promise.all([ctx.loaders.yearTotalsInCycle(cycleKey(cycle)).load(teacher.id), ctx.loaders.creditRules()]);
    const orgPath = rows[0]?.orgPath;
    if (!orgPath) return null;
    const province = provinceOfPath(orgPath);
    const perYear = rows.filter((r) => r.year !== null).map((r) => ({ year: r.year as number, hours: r.hours, credits: r.credits }));
    return { cycle, ...summariseCycle(cycle, policyInForce(rules, province, asOfFor(cycle)), province, perYear, today()) };
  },

  trainingAnnualTotals: async (teacher: TeacherRef, args: { fromYear: number; toYear: number }, ctx: Context) => {
    if (args.fromYear < 1949 || args.fromYear > 2100) throw badUserInput('fromYear', 'must be between 1949 and 2100');
    if (args.toYear < args.fromYear || args.toYear - args.fromYear >= 20) throw badUserInput('toYear', 'must be fromYear or later, at most 19 years after it');
    const [rows, rules] = await Promise.all([ctx.loaders.annualTotalsByTeacherId(`${args.fromYear}:${args.toYear}`).load(teacher.id), ctx.loaders.creditRules()]);
    const province = rows[0] ? provinceOfPath(rows[0].orgPath) : 'CN';
    const result = [];
    for (let year = args.fromYear; year <= args.toYear; year += 1) {
      const row = rows.find((r) => r.year === year);
      const policy = policyInForce(rules, province, `${year}-12-31` < today() ? `${year}-12-31` : today());
      const credits = row?.credits ?? 0;
      const minimumCredits = policy?.annualMinimumCredits ?? null;
      result.push({ year, hours: row?.hours ?? 0, credits, minimumCredits, isMet: minimumCredits === null || credits >= minimumCredits });
    }
    return result;
  },

  creditLedger: (teacher: TeacherRef, _: unknown, ctx: Context) => ctx.loaders.ledgerByTeacherId.load(teacher.id),

  creditBalance: async (teacher: TeacherRef, _: unknown, ctx: Context) => {
    const row = await ctx.loaders.balanceByTeacherId.load(teacher.id);
    const balance = row ?? { trainingHours: 0, trainingCredits: 0, degreeCredits: 0, entryCount: 0, openCredits: 0 };
    const derived = Math.round((balance.trainingCredits + balance.degreeCredits) * 100) / 100;
    return { ...balance, reconciles: Math.abs(derived - balance.openCredits) < 0.005 };
  },

  creditApplications: (teacher: TeacherRef, _: unknown, ctx: Context) => ctx.loaders.applicationsByTeacherId.load(teacher.id),
  creditDeclarations: (teacher: TeacherRef, _: unknown, ctx: Context) => ctx.loaders.declarationsByTeacherId.load(teacher.id),
  courseEnrolments: (teacher: TeacherRef, _: unknown, ctx: Context) => ctx.loaders.enrolmentsByTeacherId.load(teacher.id),
};
