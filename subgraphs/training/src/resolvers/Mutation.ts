import type { Context } from '../context';
import { createCourse, createProgramme, enrol, recordCompletion, type CreateCourseInput } from '../repositories/catalogue';
import { applyCredits, convertCredits, type ApplicationPurpose, type ConvertInput } from '../repositories/credit-operations';
import { setConversionRule, setCreditPolicy, type PolicyInput } from '../repositories/rule-changes';
import type { TrainingForm } from '../domain/credit-rules';
import { decideDeclaration, declareTraining, reviewDeclaration, type DeclareInput } from '../repositories/declarations';

/** Every mutation answers `{ <result>, errors }`; authorisation of the kind of viewer is in permissions.ts. */
export const Mutation = {
  setCreditPolicy: (_: unknown, { input }: { input: PolicyInput }, ctx: Context) => setCreditPolicy(ctx.db, ctx.viewer, input),
  setCreditConversionRule: (
    _: unknown,
    { input }: { input: { provinceCode: string; form: TrainingForm; effectiveFrom: string; hoursPerCredit: number } },
    ctx: Context,
  ) => setConversionRule(ctx.db, ctx.viewer, input),
  createTrainingProgramme: (_: unknown, { input }: { input: { title: string; description?: string | null } }, ctx: Context) =>
    createProgramme(ctx.db, ctx.viewer, input),
  createTrainingCourse: (_: unknown, { input }: { input: CreateCourseInput }, ctx: Context) => createCourse(ctx.db, ctx.viewer, input),
  enrolInTrainingCourse: (_: unknown, { input }: { input: { courseId: string; teacherId?: string | null } }, ctx: Context) => enrol(ctx.db, ctx.viewer, input),
  recordCourseCompletion: (
    _: unknown,
    { input }: { input: { enrolmentId: string; version: number; passed: boolean; hours?: number | null; completedOn?: string | null } },
    ctx: Context,
  ) => recordCompletion(ctx.db, ctx.viewer, input),
  declareTraining: (_: unknown, { input }: { input: DeclareInput }, ctx: Context) => declareTraining(ctx.db, ctx.viewer, input),
  reviewCreditDeclaration: (_: unknown, { input }: { input: { declarationId: string; version: number; approve: boolean; comment?: string | null } }, ctx: Context) =>
    reviewDeclaration(ctx.db, ctx.viewer, input),
  decideCreditDeclaration: (_: unknown, { input }: { input: { declarationId: string; version: number; recognise: boolean; reason?: string | null } }, ctx: Context) =>
    decideDeclaration(ctx.db, ctx.viewer, input),
  // The payload's list is non-null: an aborted conversion answers an empty list with its errors.
  convertCredits: async (_: unknown, { input }: { input: ConvertInput }, ctx: Context) => {
    const result: { entries?: unknown[]; errors: unknown[] } = await convertCredits(ctx.db, ctx.viewer, input);
    return { ...result, entries: result.entries ?? [] };
  },
  applyCredits: (_: unknown, { input }: { input: { teacherId: string; purpose: ApplicationPurpose; reference: string; credits?: number | null } }, ctx: Context) =>
    applyCredits(ctx.db, ctx.viewer, input),
};
