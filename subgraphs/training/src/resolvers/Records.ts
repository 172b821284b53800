import type { Context } from '../context';
import type { CourseRow, EnrolmentRow, ProgrammeRow } from '../repositories/catalogue';
import type { LedgerEntryRow } from '../repositories/credit-bank';
import type { ApplicationRow } from '../repositories/credit-operations';
import type { DeclarationRow } from '../repositories/declarations';

/** Field resolvers of the training types; every lookup goes through a per-request loader. */
export const TrainingProgramme = {
  organiser: (p: ProgrammeRow) => ({ __typename: 'OrgUnit', id: p.organiserOrgId }),
  courses: (p: ProgrammeRow, _: unknown, ctx: Context) => ctx.loaders.coursesByProgrammeId.load(p.id),
};

export const TrainingCourse = {
  programme: (c: CourseRow, _: unknown, ctx: Context) => ctx.loaders.programmeById.load(c.programmeId),
};

export const CourseEnrolment = {
  course: (e: EnrolmentRow, _: unknown, ctx: Context) => ctx.loaders.courseById.load(e.courseId),
  teacher: (e: EnrolmentRow) => ({ __typename: 'Teacher', id: e.teacherId }),
  trainingRecord: (e: EnrolmentRow, _: unknown, ctx: Context) => (e.trainingRecordId ? ctx.loaders.trainingRecordById.load(e.trainingRecordId) : null),
};

export const CreditDeclaration = {
  teacher: (d: DeclarationRow) => ({ __typename: 'Teacher', id: d.teacherId }),
  organiserUnit: (d: DeclarationRow) => (d.organiserOrgId ? { __typename: 'OrgUnit', id: d.organiserOrgId } : null),
  decidedBy: (d: DeclarationRow) => (d.decidedByOrgId ? { __typename: 'OrgUnit', id: d.decidedByOrgId } : null),
  credits: async (d: DeclarationRow, _: unknown, ctx: Context) =>
    d.trainingRecordId ? ((await ctx.loaders.trainingRecordById.load(d.trainingRecordId))?.credits ?? null) : null,
};

export const CreditApplication = {
  entries: (a: ApplicationRow, _: unknown, ctx: Context) => ctx.loaders.entriesByApplicationId.load(a.id),
};

export const CreditLedgerEntry = {
  /** Converted when the teacher's ledger holds a conversion out taking from this entry. */
  isConverted: async (e: LedgerEntryRow, _: unknown, ctx: Context) =>
    (await ctx.loaders.ledgerByTeacherId.load(e.teacherId)).some((o) => o.entryType === 'conversion_out' && o.convertsEntryId === e.id),
};
