import type { Context } from '../context';
import { changeAnnualAssessmentGrade, enterAnnualAssessment, type ChangeGradeInput, type EnterAssessmentInput } from '../services/assessment-entry';
import { applyForRegistration, fileRegistration, registerDueQualifications, registerQualification } from '../services/registration-workflow';
import { applyForTitle, appointTitle, decideTitleApplication, preReviewTitleApplication, recommendTitleApplication } from '../services/title-review';
import { createAwardProgramme, decideAwardNomination, nominateForAward, type CreateProgrammeInput, type DecideNominationInput } from '../services/awards';
import { RuleMutations } from './Rules';
import { correctEthicsEntry, recordEthicsEntry, type CorrectEthicsEntryInput, type RecordEthicsEntryInput } from '../services/ethics-ledger';

export const Mutation = {
  enterAnnualAssessment: (_: unknown, args: { input: EnterAssessmentInput }, ctx: Context) => enterAnnualAssessment(ctx.db, ctx.viewer, args.input),
  changeAnnualAssessmentGrade: (_: unknown, args: { input: ChangeGradeInput }, ctx: Context) => changeAnnualAssessmentGrade(ctx.db, ctx.viewer, args.input),
  recordEthicsEntry: (_: unknown, args: { input: RecordEthicsEntryInput }, ctx: Context) => recordEthicsEntry(ctx.db, ctx.viewer, args.input, ctx.requestId),
  correctEthicsEntry: (_: unknown, args: { input: CorrectEthicsEntryInput }, ctx: Context) => correctEthicsEntry(ctx.db, ctx.viewer, args.input, ctx.requestId),
  applyForQualificationRegistration: (_: unknown, args: { input: StepInput }, ctx: Context) => applyForRegistration(ctx.db, ctx.viewer, args.input),
  fileQualificationRegistration: (_: unknown, args: { input: StepInput }, ctx: Context) => fileRegistration(ctx.db, ctx.viewer, args.input),
  registerQualification: (_: unknown, args: { input: StepInput }, ctx: Context) => registerQualification(ctx.db, ctx.viewer, args.input),
  registerDueQualifications: (_: unknown, args: { input: { dueBy: string } }, ctx: Context) => registerDueQualifications(ctx.db, ctx.viewer, args.input),
  applyForTitle: (_: unknown, args: { input: { targetTitle: string } }, ctx: Context) => applyForTitle(ctx.db, ctx.viewer, args.input, ctx.requestId),
  recommendTitleApplication: (_: unknown, args: { input: TitleStep }, ctx: Context) => recommendTitleApplication(ctx.db, ctx.viewer, args.input),
  preReviewTitleApplication: (_: unknown, args: { input: TitleDecision }, ctx: Context) => preReviewTitleApplication(ctx.db, ctx.viewer, args.input),
  decideTitleApplication: (_: unknown, args: { input: TitleDecision }, ctx: Context) => decideTitleApplication(ctx.db, ctx.viewer, args.input),
  appointTitle: (_: unknown, args: { input: TitleStep & { appointedOn: string; documentRef: string } }, ctx: Context) => appointTitle(ctx.db, ctx.viewer, args.input),
  createAwardProgramme: (_: unknown, args: { input: CreateProgrammeInput }, ctx: Context) => createAwardProgramme(ctx.db, ctx.viewer, args.input),
  nominateForAward: (_: unknown, args: { input: { programmeId: string; teacherId: string } }, ctx: Context) => nominateForAward(ctx.db, ctx.viewer, args.input, ctx.requestId),
  decideAwardNomination: (_: unknown, args: { input: DecideNominationInput }, ctx: Context) => decideAwardNomination(ctx.db, ctx.viewer, args.input),
  ...RuleMutations,
};

type TitleStep = { applicationId: string; version: number };
type TitleDecision = TitleStep & { approve: boolean; note?: string | null };
type StepInput = { registrationId: string; version: number };
