import type { SchemaMigration } from '../../../../shared/src/db';
import { addTeacherScopeStatus, dropTeacherScopeStatus } from '../../../../shared/src/projections';

/**
 * teacher_scope learns the registry's status (teacher.status-changed), and training completion
 * counts active teachers only: a teacher who retired, left, transferred out of the system or whose
 * draft archive was deleted no longer weighs on the school's figures (DOMAIN.md: the completion
 * rate is over the teachers a school has). Their ledger and records stay readable.
 *
 * The rollup needs no new trigger: the statement trigger on `teacher_scope` updates already marks
 * the old and the new school of every updated row, so a status change marks its school for
 * recount. Only the recount (shared by the reader, this migration and the generator's rebuild)
 * gains the active filter; the live reader (credit-bank.ts `completionByOrgIdsLive`) gains the same.
 */
const recount = (s: string, activeOnly: boolean) => `create or replace function ${s}.training_completion_recount(schools text[], as_of date) returns void language sql as $$
      delete from ${s}.training_completion_rollup where schools is null or school_path = any(schools);
      insert into ${s}.training_completion_rollup (cycle_id, school_path, teacher_count, met_count, credits)
      with policy as (
        select distinct on (c.id, p.province_code) c.id as cycle_id, p.province_code, p.cycle_required_credits, p.cycle_required_hours
          from ${s}.training_cycle c join ${s}.credit_policy p on p.effective_from <= least(c.ends_on, as_of)
         order by c.id, p.province_code, p.effective_from desc),
      per_teacher as (
        select c.id as cycle_id, c.required_hours, sc.org_path, split_part(sc.org_path, '/', 3) as province,
               coalesce(sum(e.credits), 0) as credits, coalesce(sum(e.hours), 0) as hours
          from ${s}.teacher_scope sc
          cross join ${s}.training_cycle c
          left join ${s}.credit_ledger_entry e on e.teacher_id = sc.teacher_id and e.credit_kind = 'training'
               and e.activity_on between c.starts_on and c.ends_on
         where (schools is null or sc.org_path = any(schools))${activeOnly ? ` and sc.status = 'active'` : ''}
         group by c.id, c.required_hours, sc.teacher_id, sc.org_path)
      select t.cycle_id, t.org_path, count(*)::int,
             (count(*) filter (where t.credits >= coalesce(p.cycle_required_credits, cn.cycle_required_credits)
                 and t.hours >= greatest(t.required_hours, coalesce(p.cycle_required_hours, cn.cycle_required_hours))))::int,
             sum(t.credits)
        from per_teacher t
        left join policy p on p.cycle_id = t.cycle_id and p.province_code = t.province
        left join policy cn on cn.cycle_id = t.cycle_id and cn.province_code = 'CN'
       group by t.cycle_id, t.org_path
    $$`;

export const teacherScopeStatus: SchemaMigration = {
  name: '20261130700000_teacher_scope_status',
  async up(knex, schema) {
    await addTeacherScopeStatus(knex, schema);
    // Every existing row is active (the column's default), so the rollup's figures stand as they are.
    await knex.raw(recount(`"${schema}"`, true));
  },
  async down(knex, schema) {
    await knex.raw(recount(`"${schema}"`, false));
    await dropTeacherScopeStatus(knex, schema);
  },
};
