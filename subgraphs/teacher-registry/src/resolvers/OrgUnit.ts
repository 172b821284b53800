import type { PageArgs } from '../../../shared/src/pagination';
import type { Context } from '../context';
import { ancestorIds, type OrgUnitRow } from '../repositories/org-units';
import { teacherPage } from './Query';

export const OrgUnit = {
  __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.orgUnitById.load(ref.id),
  parent: (unit: OrgUnitRow, _: unknown, ctx: Context) => (unit.parentId ? ctx.loaders.orgUnitById.load(unit.parentId) : null),
  ancestors: async (unit: OrgUnitRow, _: unknown, ctx: Context) => {
    const rows = await ctx.loaders.orgUnitById.loadMany(ancestorIds(unit.path));
    return rows.filter((row): row is OrgUnitRow => row !== null && !(row instanceof Error));
  },
  children: (unit: OrgUnitRow, _: unknown, ctx: Context) => ctx.loaders.orgUnitsByParentId.load(unit.id),
  school: (unit: OrgUnitRow) =>
    unit.level === 'school' ? { stage: unit.schoolStage, locale: unit.locale, isPublic: unit.isPublic } : null,
  teachers: (unit: OrgUnitRow, args: PageArgs, ctx: Context) => teacherPage(ctx, unit.path, args),
};

/** Database values behind the GraphQL enums. */
export const OrgLevel = { NATIONAL: 'national', PROVINCE: 'province', CITY: 'city', COUNTY: 'county', SCHOOL: 'school' };
export const SchoolStage = {
  KINDERGARTEN: 'kindergarten',
  PRIMARY: 'primary',
  JUNIOR_SECONDARY: 'junior_secondary',
  SENIOR_SECONDARY: 'senior_secondary',
  NINE_YEAR: 'nine_year',
  COMPLETE_SECONDARY: 'complete_secondary',
  VOCATIONAL: 'vocational',
};
export const Locale = { URBAN: 'urban', COUNTY_TOWN: 'county_town', RURAL: 'rural' };
