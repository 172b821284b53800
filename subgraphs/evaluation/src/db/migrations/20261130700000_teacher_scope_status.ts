import type { SchemaMigration } from '../../../../shared/src/db';
import { addTeacherScopeStatus, dropTeacherScopeStatus } from '../../../../shared/src/projections';

/** teacher_scope learns the registry's status of each teacher (teacher.status-changed); existing rows are active. */
export const teacherScopeStatus: SchemaMigration = {
  name: '20261130700000_teacher_scope_status',
  async up(knex, schema) {
    await addTeacherScopeStatus(knex, schema);
  },
  async down(knex, schema) {
    await dropTeacherScopeStatus(knex, schema);
  },
};
