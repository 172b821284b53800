import { Kind, type GraphQLResolveInfo, type SelectionNode } from 'graphql';
import { auditRead } from '../../../shared/src/audit';
import { badUserInput } from '../../../shared/src/errors';
import { normaliseUuid } from '../../../shared/src/ids';
import { decodeCursor, pageSize, toConnection, type PageArgs } from '../../../shared/src/pagination';
import type { Context } from '../context';
import { STAFF_CATEGORY, TITLE, hasCode } from '../domain/code-sets';
import { listChangeRequests, type ChangeRequestRow } from '../repositories/change-requests';
import { countTeachersInSubtree, listTeachersInSubtree, type TeacherFilterValues, type TeacherRow } from '../repositories/teachers';
import { importTemplate } from '../services/teacher-import';
import { findTeacherImportJob } from '../services/teacher-import-upload';

/** Teacher fields whose reading is audited (README "What is audited"), with their audit action. */
const SENSITIVE_TEACHER_FIELDS: Record<string, string> = { payRecords: 'read_pay' };

/** Every field name selected under the root field, through inline fragments and fragment spreads. */
function selectedFieldNames(info: GraphQLResolveInfo): Set<string> {
  const names = new Set<string>();
  const visit = (selections: readonly SelectionNode[] | undefined) => {
    for (const selection of selections ?? []) {
      if (selection.kind === Kind.FIELD) names.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet.selections);
      else visit(info.fragments[selection.name.value]?.selectionSet.selections);
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet?.selections);
  return names;
}

const hasSensitiveSelection = (info: GraphQLResolveInfo) => {
  const selected = selectedFieldNames(info);
  return Object.keys(SENSITIVE_TEACHER_FIELDS).some((field) => selected.has(field));
};

async function auditRefusedSensitiveRead(ctx: Context, info: GraphQLResolveInfo, id: string | null, asked: string) {
  const selected = selectedFieldNames(info);
  for (const [field, action] of Object.entries(SENSITIVE_TEACHER_FIELDS)) {
    if (!selected.has(field)) continue;
    await auditRead(ctx, {
      action,
      result: 'refused',
      teacherIds: id ? [id] : [],
      detail: { fields: [field], code: 'NOT_FOUND', ...(id ? {} : { requested: asked.slice(0, 64) }) },
    });
  }
}

export interface TeacherFilterArgs extends TeacherFilterValues {
  orgUnitId?: string | null;
}

/** Refuses filters that cannot match anything because they are malformed, naming the field. */
function checkFilter(filter: TeacherFilterValues): TeacherFilterValues {
  if (filter.nameContains != null) {
    const trimmed = filter.nameContains.trim();
    if (trimmed.length === 0 || [...trimmed].length > 50) throw badUserInput('filter.nameContains', 'must be 1 to 50 characters');
    filter = { ...filter, nameContains: trimmed };
  }
  if (filter.staffCategory != null && !hasCode(STAFF_CATEGORY, filter.staffCategory)) {
    throw badUserInput('filter.staffCategory', `"${filter.staffCategory}" is not a staff category code`);
  }
  if (filter.title != null && !hasCode(TITLE, filter.title)) throw badUserInput('filter.title', `"${filter.title}" is not a title code`);
  if (filter.subject != null && [...filter.subject].length > 30) throw badUserInput('filter.subject', 'must be at most 30 characters');
  return filter;
}

/** A page of teachers under `subtreePath`; shared by `Query.teachers` and `OrgUnit.teachers`. */
export async function teacherPage(ctx: Context, subtreePath: string, args: PageArgs, rawFilter: TeacherFilterValues = {}) {
  const limit = pageSize(args);
  const afterId = decodeCursor(args.after);
  if (afterId !== null && !normaliseUuid(afterId)) throw badUserInput('after', 'is not a cursor returned by this API');
  const filter = checkFilter(rawFilter);
  const rows = await listTeachersInSubtree(ctx.db, ctx.viewer, subtreePath, { limit, afterId }, filter);
  for (const row of rows) ctx.loaders.teacherById.prime(row.id, row);
  return toConnection<TeacherRow>(rows, limit, (r) => r.id, () => countTeachersInSubtree(ctx.db, ctx.viewer, subtreePath, filter));
}

export const Query = {
  viewer: (_: unknown, __: unknown, ctx: Context) => ctx.viewer,
  orgUnit: (_: unknown, args: { id: string }, ctx: Context) => ctx.loaders.orgUnitById.load(args.id),
  teacher: async (_: unknown, args: { id: string }, ctx: Context, info: GraphQLResolveInfo) => {
    const id = normaliseUuid(args.id);
    const teacher = id ? await ctx.loaders.teacherById.load(id) : null;
    // A sensitive read that finds nobody (out of scope, or no such teacher) is still a read attempt
    // on that teacher: audited as refused, naming the id asked for, like a granted read.
    if (!teacher) await auditRefusedSensitiveRead(ctx, info, id, args.id);
    return teacher;
  },
  teacherByNumber: async (_: unknown, args: { nationalTeacherNumber: string }, ctx: Context, info: GraphQLResolveInfo) => {
    const row = await ctx.loaders.teacherByNumber.load(args.nationalTeacherNumber);
    if (row) ctx.loaders.teacherById.prime(row.id, row);
    else if (hasSensitiveSelection(info)) {
      // The entry names the teacher behind the number (looked up past the scope, for the audit row
      // only; the answer stays null), so an auditor filtering by that teacher sees the attempt.
      const owner = await ctx.db.knex(ctx.db.t('teacher')).first('id').where('national_teacher_number', args.nationalTeacherNumber);
      await auditRefusedSensitiveRead(ctx, info, (owner?.id as string | undefined) ?? null, args.nationalTeacherNumber);
    }
    return row;
  },
  teachers: async (_: unknown, args: PageArgs & { orgUnitId?: string | null; filter?: TeacherFilterArgs | null }, ctx: Context) => {
    const { orgUnitId: filterUnit, ...filter } = args.filter ?? {};
    const orgUnitId = filterUnit ?? args.orgUnitId ?? ctx.viewer.orgId;
    const unit = await ctx.loaders.orgUnitById.load(orgUnitId);
    if (!unit) throw badUserInput(filterUnit ? 'filter.orgUnitId' : 'orgUnitId', `no organisation unit has id "${orgUnitId}"`);
    return teacherPage(ctx, unit.path, args, filter);
  },
  changeRequest: (_: unknown, args: { id: string }, ctx: Context) => {
    const id = normaliseUuid(args.id);
    return id ? ctx.loaders.changeRequestById.load(id) : null;
  },
  changeRequests: async (_: unknown, args: PageArgs & { status?: string | null }, ctx: Context) => {
    const limit = pageSize(args);
    const afterId = decodeCursor(args.after);
    if (afterId !== null && !normaliseUuid(afterId)) throw badUserInput('after', 'is not a cursor returned by this API');
    const rows = await listChangeRequests(ctx.db, ctx.viewer, { status: args.status ?? null, limit, afterId });
    for (const row of rows) ctx.loaders.changeRequestById.prime(row.id, row);
    return toConnection<ChangeRequestRow>(rows, limit, (r) => r.id, async () => 0);
  },
  teacherImportTemplate: (_: unknown, args: { format?: 'xlsx' | 'csv' | null }) => importTemplate(args.format ?? 'xlsx'),
  teacherImport: (_: unknown, args: { id: string }, ctx: Context) => findTeacherImportJob(ctx.db, ctx.viewer, args.id),
};
