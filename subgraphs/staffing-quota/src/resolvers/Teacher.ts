import type { Context } from '../context';
import type { EmploymentRow } from '../repositories/staffing';
import type { AppointmentRow } from '../repositories/posts';
import { orgRef } from './OrgUnit';

export const Teacher = {
  __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.teacherById.load(ref.id),
  employments: (teacher: { id: string }, _: unknown, ctx: Context) => ctx.loaders.employmentsByTeacherId.load(teacher.id),
  postAppointments: (teacher: { id: string }, _: unknown, ctx: Context) => ctx.loaders.appointmentsByTeacherId.load(teacher.id),
  rotations: (teacher: { id: string }, _: unknown, ctx: Context) => ctx.loaders.rotationsByTeacherId.load(teacher.id),
  ruralOrWeakSchoolServiceYears: (teacher: { id: string }, _: unknown, ctx: Context) => ctx.loaders.ruralServiceYearsByTeacherId.load(teacher.id),
};

export const Employment = {
  employer: (employment: EmploymentRow) => orgRef(employment.orgId),
};

export const PostAppointment = {
  unit: (appointment: AppointmentRow) => orgRef(appointment.orgId),
};
