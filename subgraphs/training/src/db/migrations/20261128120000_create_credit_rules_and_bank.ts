import type { SchemaMigration } from '../../../../shared/src/db';
import { createOrgScopeProjection } from '../../../../shared/src/projections';

const FORMS = `('centralised','online','school_based','teaching_research','practice')`;

/**
 * Credit rules as data and the credit bank [学分银行] as an append-only ledger.
 *
 * - `credit_policy`: per province and effective date, what a five-year cycle requires (credits and
 *   the national floor of 360 hours), the annual minimum, and how many training credits make one
 *   degree credit. Province `CN` holds the national default used when a province has no rule.
 * - `credit_conversion_rule`: hours per credit by province, activity form and effective date.
 * - `credit_ledger_entry`: deposits and conversions; never updated or deleted (a trigger refuses
 *   it), so every balance is a sum over the ledger and always reconciles.
 * - `credit_application*`: what registration, title review, awards and assessment relied on; a
 *   partial unique index makes single-use purposes unable to use one entry twice.
 * - `training_record` gains its origin (imported, course, declaration): every completed activity
 *   is one record, and every record is banked exactly once (unique source on the ledger).
 */
export const createCreditRulesAndBank: SchemaMigration = {
  name: '20261128120000_create_credit_rules_and_bank',
  async up(knex, schema) {
    const s = () => knex.schema.withSchema(schema);
    await createOrgScopeProjection(knex, schema);

    await s().createTable('credit_policy', (t) => {
      t.uuid('id').primary();
      t.text('province_code').notNullable();
      t.date('effective_from').notNullable();
      t.decimal('cycle_required_credits', 8, 2).notNullable();
      t.decimal('cycle_required_hours', 7, 1).notNullable();
      t.decimal('annual_minimum_credits', 8, 2);
      t.decimal('credits_per_degree_credit', 8, 2);
      t.text('source_document');
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.unique(['province_code', 'effective_from']);
      t.check('cycle_required_credits > 0', [], 'credit_policy_credits_check');
      // The national floor: no province may require fewer than 360 hours per five-year cycle.
      t.check('cycle_required_hours >= 360', [], 'credit_policy_national_floor_check');
      t.check('annual_minimum_credits is null or annual_minimum_credits > 0', [], 'credit_policy_annual_check');
      t.check('credits_per_degree_credit is null or credits_per_degree_credit > 0', [], 'credit_policy_degree_check');
    });

    await s().createTable('credit_conversion_rule', (t) => {
      t.uuid('id').primary();
      t.text('province_code').notNullable();
      t.text('form').notNullable();
      t.date('effective_from').notNullable();
      t.decimal('hours_per_credit', 6, 2).notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.unique(['province_code', 'form', 'effective_from']);
      t.check(`form in ${FORMS}`, [], 'credit_conversion_rule_form_check');
      t.check('hours_per_credit > 0', [], 'credit_conversion_rule_hours_check');
    });

    // National default (教师〔2016〕12号: at least 360 hours per five years): 1 hour = 1 credit.
    await knex(`${schema}.credit_policy`).insert({
      id: 'a0000000-0000-4000-8000-000000000001',
      province_code: 'CN',
      effective_from: '2016-01-01',
      cycle_required_credits: 360,
      cycle_required_hours: 360,
      annual_minimum_credits: null,
      credits_per_degree_credit: null,
      source_document: '教师〔2016〕12号',
    });
    await knex(`${schema}.credit_conversion_rule`).insert(
      ['centralised', 'online', 'school_based', 'teaching_research', 'practice'].map((form, i) => ({
        id: `a0000000-0000-4000-8000-00000000010${i}`,
        province_code: 'CN',
        form,
        effective_from: '2016-01-01',
        hours_per_credit: 1,
      })),
    );

    await s().alterTable('training_record', (t) => {
      t.text('source').notNullable().defaultTo('imported');
      t.text('source_id');
      t.text('organiser');
      t.check(`source in ('imported','course','declaration')`, [], 'training_record_source_check');
    });
    await knex.raw('create unique index training_record_source_idx on ??.training_record (source, source_id) where source_id is not null', [schema]);

    await s().createTable('credit_ledger_entry', (t) => {
      t.uuid('id').primary();
      t.uuid('teacher_id').notNullable();
      t.text('entry_type').notNullable();
      t.text('credit_kind').notNullable().defaultTo('training');
      t.text('province_code').notNullable();
      t.text('form').notNullable();
      t.decimal('hours', 7, 1).notNullable();
      t.decimal('credits', 8, 2).notNullable();
      t.date('activity_on').notNullable();
      t.text('title').notNullable();
      t.uuid('training_record_id');
      t.uuid('conversion_id');
      t.uuid('converts_entry_id');
      t.uuid('rule_id');
      t.text('reason');
      t.text('recorded_by').notNullable();
      t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check(`entry_type in ('deposit','conversion_out','conversion_in')`, [], 'credit_ledger_entry_type_check');
      t.check(`credit_kind in ('training','degree')`, [], 'credit_ledger_entry_kind_check');
      t.check(`form in ${FORMS}`, [], 'credit_ledger_entry_form_check');
      t.check(`(entry_type = 'conversion_out') = (credits <= 0 and hours <= 0)`, [], 'credit_ledger_entry_sign_check');
      t.check(`entry_type <> 'deposit' or training_record_id is not null`, [], 'credit_ledger_entry_deposit_source_check');
      t.check(`entry_type = 'deposit' or conversion_id is not null`, [], 'credit_ledger_entry_conversion_check');
      t.index(['teacher_id', 'activity_on']);
    });
    // One record is banked once, whoever triggers it (replays, concurrent recognitions).
    await knex.raw(`create unique index credit_ledger_entry_record_idx on ??.credit_ledger_entry (training_record_id) where entry_type = 'deposit'`, [schema]);
    // An entry is converted at most once; the converted amount lives on in the new entry.
    await knex.raw(`create unique index credit_ledger_entry_converted_idx on ??.credit_ledger_entry (converts_entry_id) where entry_type = 'conversion_out'`, [schema]);
    await knex.raw(`create function ??.refuse_ledger_change() returns trigger language plpgsql as $$
      begin raise exception 'credit_ledger_entry is append-only'; end $$`, [schema]);
    await knex.raw(`create trigger credit_ledger_entry_append_only before update or delete on ??.credit_ledger_entry
      for each row execute function ??.refuse_ledger_change()`, [schema, schema]);

    await s().createTable('credit_application_purpose', (t) => {
      t.text('code').primary();
      t.boolean('single_use').notNullable();
      t.text('description').notNullable();
    });
    await knex(`${schema}.credit_application_purpose`).insert([
      { code: 'registration', single_use: false, description: 'Qualification periodic registration [教师资格定期注册] reads the cycle credits.' },
      { code: 'assessment', single_use: false, description: 'Annual assessment [年度考核] reads the credits.' },
      { code: 'title_review', single_use: true, description: 'Title review [职称评审]: credits count for one application only.' },
      { code: 'award', single_use: true, description: 'Awards and honours [评优评先]: credits count for one award only.' },
    ]);

    await s().createTable('credit_application', (t) => {
      t.uuid('id').primary();
      t.uuid('teacher_id').notNullable();
      t.text('purpose').notNullable().references('code').inTable(`${schema}.credit_application_purpose`);
      t.text('reference').notNullable();
      t.decimal('credits', 8, 2).notNullable();
      t.decimal('hours', 7, 1).notNullable();
      t.text('applied_by').notNullable();
      t.timestamp('applied_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      // Replaying the same application returns the first one.
      t.unique(['teacher_id', 'purpose', 'reference']);
    });
    await s().createTable('credit_application_item', (t) => {
      t.uuid('application_id').notNullable().references('id').inTable(`${schema}.credit_application`);
      t.uuid('entry_id').notNullable().references('id').inTable(`${schema}.credit_ledger_entry`);
      t.text('purpose').notNullable();
      t.boolean('single_use').notNullable();
      t.decimal('credits', 8, 2).notNullable();
      t.primary(['application_id', 'entry_id']);
    });
    await knex.raw(`create unique index credit_application_item_single_use_idx on ??.credit_application_item (entry_id, purpose) where single_use`, [schema]);
  },
  async down(knex, schema) {
    const s = () => knex.schema.withSchema(schema);
    await s().dropTableIfExists('credit_application_item');
    await s().dropTableIfExists('credit_application');
    await s().dropTableIfExists('credit_application_purpose');
    await s().dropTableIfExists('credit_ledger_entry');
    await knex.raw('drop function if exists ??.refuse_ledger_change()', [schema]);
    await knex.raw('drop index if exists ??.training_record_source_idx', [schema]);
    await s().alterTable('training_record', (t) => {
      t.dropChecks(['training_record_source_check']);
      t.dropColumns('source', 'source_id', 'organiser');
    });
    await s().dropTableIfExists('credit_conversion_rule');
    await s().dropTableIfExists('credit_policy');
    await s().dropTableIfExists('org_scope');
  },
};
