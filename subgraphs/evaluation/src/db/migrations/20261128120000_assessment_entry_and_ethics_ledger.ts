import type { SchemaMigration } from '../../../../shared/src/db';

/**
 * Assessment entry (versions, who entered it), the provincial cap on "excellent" as dated data,
 * the rotation projection fed by staffing events, the ethics ledger and its append-only read audit.
 */
export const assessmentEntryAndEthicsLedger: SchemaMigration = {
  name: '20261128120000_assessment_entry_and_ethics_ledger',
  async up(knex, schema) {
    // A fresh builder per statement: a knex schema builder re-runs everything queued on it when awaited again.
    const s = () => knex.schema.withSchema(schema);
    await s().alterTable('annual_assessment', (t) => {
      t.integer('version').notNullable().defaultTo(1);
      t.text('comment');
      t.text('entered_by_subject');
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });
    await knex.raw('create index annual_assessment_unit_year_idx on ??.annual_assessment (assessed_by_org_id, year, grade)', [schema]);

    // Share of a unit's assessed teachers who may be graded excellent (provincial, effective-dated).
    await s().createTable('excellent_cap_rule', (t) => {
      t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
      t.text('province_code'); // null: the national default
      t.text('unit_category').notNullable(); // 'default' | 'high_performing'
      t.decimal('max_share', 4, 3).notNullable();
      t.date('effective_from').notNullable();
      t.date('effective_to');
      t.text('source').notNullable();
      t.check(`unit_category in ('default','high_performing')`, [], 'excellent_cap_rule_category_check');
      t.check('max_share > 0 and max_share <= 1', [], 'excellent_cap_rule_share_check');
    });
    await knex(`${schema}.excellent_cap_rule`).insert([
      { province_code: null, unit_category: 'default', max_share: 0.2, effective_from: '2000-01-01', source: '事业单位工作人员考核规定（优秀等次一般不超过20%）' },
      { province_code: null, unit_category: 'high_performing', max_share: 0.3, effective_from: '2000-01-01', source: '绩效突出单位优秀比例可提高至30%' },
    ]);
    // Units designated high-performing [考核优秀单位] for a period, which raises their cap.
    await s().createTable('high_performing_unit', (t) => {
      t.text('org_id').notNullable();
      t.date('effective_from').notNullable();
      t.date('effective_to');
      t.text('document_ref').notNullable();
      t.primary(['org_id', 'effective_from']);
    });

    // Rotation assignments as staffing-quota reports them (event 'staffing.rotation-completed').
    await s().createTable('rotation_projection', (t) => {
      t.text('rotation_id').primary();
      t.uuid('teacher_id').notNullable().index();
      t.text('home_org_id').notNullable();
      t.text('host_org_id').notNullable().index();
      t.text('kind').notNullable();
      t.date('starts_on').notNullable();
      t.date('ends_on').notNullable();
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });

    await s().createTable('ethics_entry', (t) => {
      t.uuid('id').primary();
      t.uuid('teacher_id').notNullable().index();
      t.text('kind').notNullable(); // 'honour' | 'violation'
      t.text('sanction'); // violations only
      t.text('summary').notNullable();
      t.date('decided_on').notNullable();
      t.date('period_ends_on'); // last day of the sanction period; null for honours and dismissal
      t.date('ban_ends_on'); // last day of the computed bans; null for honours and dismissal (permanent)
      t.text('authority').notNullable();
      t.text('document_ref').notNullable();
      t.text('recorded_by_subject').notNullable();
      t.text('recorded_by_org_id').notNullable();
      t.integer('version').notNullable().defaultTo(1);
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check(`kind in ('honour','violation')`, [], 'ethics_entry_kind_check');
      t.check(
        `(kind = 'honour' and sanction is null) or (kind = 'violation' and sanction in ('warning','demerit','demotion','removal','dismissal'))`,
        [],
        'ethics_entry_sanction_check',
      );
    });

    // Who read whose ethics record, when: append-only, enforced by the database itself.
    await s().createTable('ethics_read_audit', (t) => {
      t.bigIncrements('id').primary();
      t.timestamp('read_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.text('viewer_subject').notNullable();
      t.text('viewer_role').notNullable();
      t.text('viewer_org_id').notNullable();
      t.text('viewer_client_id');
      t.uuid('teacher_id').notNullable().index();
      t.text('action').notNullable(); // 'read_entries' | 'read_bans' | 'write'
      t.text('request_id');
    });
    await knex.raw(
      `create function ??.ethics_read_audit_append_only() returns trigger language plpgsql as $$
       begin raise exception 'ethics_read_audit is append-only'; end $$`,
      [schema],
    );
    await knex.raw(
      `create trigger ethics_read_audit_append_only before update or delete or truncate on ??.ethics_read_audit
       for each statement execute function ??.ethics_read_audit_append_only()`,
      [schema, schema],
    );
  },
  async down(knex, schema) {
    // A fresh builder per statement: a knex schema builder re-runs everything queued on it when awaited again.
    const s = () => knex.schema.withSchema(schema);
    await s().dropTableIfExists('ethics_read_audit');
    await knex.raw('drop function if exists ??.ethics_read_audit_append_only()', [schema]);
    await s().dropTableIfExists('ethics_entry');
    await s().dropTableIfExists('rotation_projection');
    await s().dropTableIfExists('high_performing_unit');
    await s().dropTableIfExists('excellent_cap_rule');
    await knex.raw('drop index if exists ??.annual_assessment_unit_year_idx', [schema]);
    await s().alterTable('annual_assessment', (t) => {
      t.dropColumn('version');
      t.dropColumn('comment');
      t.dropColumn('entered_by_subject');
      t.dropColumn('updated_at');
    });
  },
};
