import type { Knex } from 'knex';
import type { SchemaMigration } from '../../../../shared/src/db';

/** Columns every archive sub-record shares: who entered it, from which system, verified or not. */
function provenanceColumns(t: Knex.CreateTableBuilder, knex: Knex, schema: string): void {
  t.uuid('id').primary();
  t.uuid('teacher_id').notNullable().references('id').inTable(`${schema}.teacher`).onDelete('cascade');
  t.integer('version').notNullable().defaultTo(1);
  // 'teacher-registry' for entries made here, otherwise the producing subgraph or 'import'.
  t.text('source_system').notNullable().defaultTo('teacher-registry');
  // The producer's identifier (transfer id, event id, import row): makes accompanying collection idempotent.
  t.text('source_ref');
  t.text('entered_by').notNullable();
  t.text('entered_role').notNullable();
  t.boolean('verified').notNullable().defaultTo(false);
  t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.index(['teacher_id']);
  t.unique(['source_system', 'source_ref']);
}

export const SUB_RECORD_TABLES = [
  'teacher_education',
  'teacher_work_history',
  'teacher_title_appointment',
  'teacher_qualification',
  'teacher_skill_certificate',
  'teacher_contact',
  'teacher_award',
  'teacher_rotation',
] as const;

export const archiveSubRecordsAndChangeReview: SchemaMigration = {
  name: '20261128120000_archive_sub_records_and_change_review',
  async up(knex, schema) {
    await knex.schema.withSchema(schema).alterTable('teacher', (t) => {
      t.text('former_names');
      // Primary identification document; a resident ID card (type 1) is validated by GB 11643.
      t.text('id_document_type').notNullable().defaultTo('1');
      t.text('id_document_number');
      t.text('birthplace_code');
      t.text('ethnicity');
      t.text('political_affiliation');
      t.text('education_level');
      t.text('staff_category');
      t.boolean('on_quota');
      t.text('employment_form');
      t.date('started_work_on');
      t.date('joined_school_on');
      t.text('subject');
      t.text('title');
      t.text('status').notNullable().defaultTo('active');
      // draft until a county first approves a change; approved records are never deleted.
      t.text('record_status').notNullable().defaultTo('draft');
      t.integer('version').notNullable().defaultTo(1);
      // field → { enteredBy, role, source, verified, authority, at }
      t.jsonb('provenance').notNullable().defaultTo('{}');
      t.unique(['id_document_type', 'id_document_number'], { indexName: 'teacher_id_document_unique' });
      t.check(`status in ('active','transferred_out','left','retired')`, [], 'teacher_status_check');
      t.check(`record_status in ('draft','approved')`, [], 'teacher_record_status_check');
    });
    await knex.raw('create index teacher_name_idx on ??.teacher (name text_pattern_ops)', [schema]);
    // Ten-digit serial of the national teacher number; above the demo data's range.
    await knex.raw('create sequence ??.teacher_number_seq start 1000000', [schema]);

    await knex.schema.withSchema(schema).createTable('teacher_id_document', (t) => {
      provenanceColumns(t, knex, schema);
      t.text('document_type').notNullable();
      t.text('document_number').notNullable();
      t.date('valid_until');
      t.unique(['document_type', 'document_number']);
    });
    await knex.schema.withSchema(schema).createTable('teacher_education', (t) => {
      provenanceColumns(t, knex, schema);
      t.date('starts_on').notNullable();
      t.date('ends_on');
      t.text('institution').notNullable();
      t.text('major');
      t.text('education_level').notNullable();
      t.text('degree');
      t.boolean('is_highest').notNullable().defaultTo(false);
    });
    await knex.schema.withSchema(schema).createTable('teacher_work_history', (t) => {
      provenanceColumns(t, knex, schema);
      t.date('starts_on').notNullable();
      t.date('ends_on');
      t.text('org_name').notNullable();
      t.text('org_id');
      t.text('position');
    });
    await knex.schema.withSchema(schema).createTable('teacher_title_appointment', (t) => {
      provenanceColumns(t, knex, schema);
      t.text('title').notNullable();
      t.date('appointed_on').notNullable();
      t.date('ends_on');
      t.text('appointing_org');
      t.text('document_ref');
    });
    await knex.schema.withSchema(schema).createTable('teacher_qualification', (t) => {
      provenanceColumns(t, knex, schema);
      t.text('qualification_kind').notNullable();
      t.text('subject');
      t.text('certificate_number').notNullable();
      t.date('issued_on').notNullable();
      t.text('issuing_authority');
    });
    await knex.schema.withSchema(schema).createTable('teacher_skill_certificate', (t) => {
      provenanceColumns(t, knex, schema);
      t.text('name').notNullable();
      t.text('level');
      t.text('certificate_number');
      t.date('issued_on').notNullable();
      t.text('issuer');
    });
    await knex.schema.withSchema(schema).createTable('teacher_contact', (t) => {
      provenanceColumns(t, knex, schema);
      t.text('mobile');
      t.text('email');
      t.text('address');
      t.text('postal_code');
      t.date('valid_from').notNullable();
    });
    await knex.schema.withSchema(schema).createTable('teacher_award', (t) => {
      provenanceColumns(t, knex, schema);
      t.text('award_name').notNullable();
      t.text('level').notNullable();
      t.text('issuer');
      t.date('awarded_on').notNullable();
      t.text('document_ref');
    });
    await knex.schema.withSchema(schema).createTable('teacher_rotation', (t) => {
      provenanceColumns(t, knex, schema);
      t.text('home_org_id').notNullable();
      t.text('host_org_id').notNullable();
      t.text('kind').notNullable();
      t.date('starts_on').notNullable();
      t.date('ends_on');
    });

    await knex.schema.withSchema(schema).createTable('change_request', (t) => {
      t.uuid('id').primary();
      t.uuid('teacher_id').notNullable().references('id').inTable(`${schema}.teacher`).onDelete('cascade');
      t.text('status').notNullable().defaultTo('draft');
      // [{ field, before, after }]: before is the value when proposed, re-checked on approval.
      t.jsonb('changes').notNullable();
      t.text('reason');
      t.text('return_reason');
      t.text('proposed_by').notNullable();
      t.text('proposed_role').notNullable();
      t.integer('version').notNullable().defaultTo(1);
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check(`status in ('draft','submitted','school_reviewed','approved','returned','withdrawn')`, [], 'change_request_status_check');
      t.index(['teacher_id', 'status']);
    });

    // The archive's history: every applied field change, whatever produced it.
    await knex.schema.withSchema(schema).createTable('teacher_change_log', (t) => {
      t.bigIncrements('id');
      t.uuid('teacher_id').notNullable().references('id').inTable(`${schema}.teacher`).onDelete('cascade');
      t.text('action').notNullable();
      t.text('field');
      t.jsonb('before');
      t.jsonb('after');
      t.text('actor').notNullable();
      t.text('actor_role').notNullable();
      t.text('source_system').notNullable();
      // On what authority: 'change_request:<id>', 'event:<type>:<id>', 'import:<id>', 'registration'.
      t.text('authority').notNullable();
      t.uuid('change_request_id');
      t.text('comment');
      t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.index(['teacher_id', 'id']);
      t.index(['change_request_id']);
    });

    await knex.schema.withSchema(schema).createTable('teacher_import', (t) => {
      t.uuid('id').primary();
      // The same file uploaded again is recognised by its content and changes nothing.
      t.text('file_sha256').notNullable().unique();
      t.text('file_name').notNullable();
      t.integer('row_count').notNullable();
      t.integer('created_count').notNullable();
      t.integer('unchanged_count').notNullable();
      t.text('imported_by').notNullable();
      t.text('org_id').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });
  },
  async down(knex, schema) {
    for (const table of ['teacher_import', 'teacher_change_log', 'change_request', ...SUB_RECORD_TABLES, 'teacher_id_document']) {
      await knex.schema.withSchema(schema).dropTableIfExists(table);
    }
    await knex.raw('drop sequence if exists ??.teacher_number_seq', [schema]);
    await knex.raw('drop index if exists ??.teacher_name_idx', [schema]);
    await knex.schema.withSchema(schema).alterTable('teacher', (t) => {
      t.dropUnique(['id_document_type', 'id_document_number'], 'teacher_id_document_unique');
      t.dropChecks(['teacher_status_check', 'teacher_record_status_check']);
      t.dropColumns(
        'former_names', 'id_document_type', 'id_document_number', 'birthplace_code', 'ethnicity', 'political_affiliation',
        'education_level', 'staff_category', 'on_quota', 'employment_form', 'started_work_on', 'joined_school_on', 'subject',
        'title', 'status', 'record_status', 'version', 'provenance',
      );
    });
  },
};
