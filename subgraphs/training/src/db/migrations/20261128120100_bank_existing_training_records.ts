import type { SchemaMigration } from '../../../../shared/src/db';

/**
 * Training records written before the credit bank are completed activities: each becomes one
 * deposit, converted under the rule of the teacher's province (second segment of the org path)
 * for its form and completion date, or under the national default when the province has none.
 * Records whose teacher is unknown to teacher_scope wait until the registry's event arrives.
 */
export const bankExistingTrainingRecords: SchemaMigration = {
  name: '20261128120100_bank_existing_training_records',
  async up(knex, schema) {
    await knex.raw(
      `insert into ??.credit_ledger_entry
         (id, teacher_id, entry_type, credit_kind, province_code, form, hours, credits, activity_on, title, training_record_id, rule_id, recorded_by)
       select gen_random_uuid(), r.teacher_id, 'deposit', 'training', split_part(s.org_path, '/', 3), r.form, r.hours,
              round(r.hours / rule.hours_per_credit, 2), r.completed_on, r.title, r.id, rule.id, 'migration'
         from ??.training_record r
         join ??.teacher_scope s on s.teacher_id = r.teacher_id
         cross join lateral (
           select c.id, c.hours_per_credit from ??.credit_conversion_rule c
            where c.form = r.form and c.effective_from <= r.completed_on
              and c.province_code in (split_part(s.org_path, '/', 3), 'CN')
            order by c.province_code = 'CN', c.effective_from desc limit 1) rule
        where not exists (select 1 from ??.credit_ledger_entry e where e.training_record_id = r.id and e.entry_type = 'deposit')`,
      [schema, schema, schema, schema, schema],
    );
  },
  async down(knex, schema) {
    // The ledger refuses deletes; reversing this migration is the one sanctioned exception.
    await knex.raw('alter table ??.credit_ledger_entry disable trigger credit_ledger_entry_append_only', [schema]);
    await knex.raw(`delete from ??.credit_ledger_entry where recorded_by = 'migration'`, [schema]);
    await knex.raw('alter table ??.credit_ledger_entry enable trigger credit_ledger_entry_append_only', [schema]);
  },
};
