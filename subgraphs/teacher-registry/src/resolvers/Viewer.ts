import type { Viewer as ViewerModel } from '../../../shared/src/identity';
import type { Context } from '../context';

export const Viewer = {
  organisation: (viewer: ViewerModel, _: unknown, ctx: Context) => ctx.loaders.orgUnitById.load(viewer.orgId),
  teacher: (viewer: ViewerModel, _: unknown, ctx: Context) => (viewer.teacherId ? ctx.loaders.teacherById.load(viewer.teacherId) : null),
};
