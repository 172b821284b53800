import type { SchemaMigration } from '../../../../shared/src/db';

/**
 * Big import files arrive through the gateway's upload route (POST /uploads/teacher-import) and
 * are kept here in chunks until imported or expired; the import of one runs as a job whose status
 * a school can ask for (teacher-import-upload.ts). Chunks live in the database, not on a disk, so
 * any registry instance can import an upload another instance received.
 */
export const teacherImportUploads: SchemaMigration = {
  name: '20261130300000_teacher_import_uploads',
  async up(knex, schema) {
    await knex.schema.withSchema(schema).createTable('teacher_import_upload', (t) => {
      t.uuid('id').primary();
      t.text('file_name').notNullable();
      t.bigInteger('byte_count').notNullable();
      t.text('file_sha256').notNullable();
      t.text('uploaded_by').notNullable();
      t.text('org_id').notNullable();
      t.text('org_path').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('expires_at', { useTz: true }).notNullable();
      t.index(['expires_at']);
    });
    await knex.schema.withSchema(schema).createTable('teacher_import_upload_chunk', (t) => {
      t.uuid('upload_id').notNullable().references('id').inTable(`${schema}.teacher_import_upload`).onDelete('CASCADE');
      t.integer('seq').notNullable();
      t.binary('data').notNullable();
      t.primary(['upload_id', 'seq']);
    });
    await knex.schema.withSchema(schema).createTable('teacher_import_job', (t) => {
      t.uuid('id').primary();
      // Kept after the upload expires: the job's outcome stays readable.
      t.uuid('upload_id').nullable().references('id').inTable(`${schema}.teacher_import_upload`).onDelete('SET NULL');
      t.text('file_name').notNullable();
      t.boolean('dry_run').notNullable();
      t.text('status').notNullable();
      t.integer('row_count').nullable();
      t.integer('created_count').notNullable().defaultTo(0);
      t.integer('unchanged_count').notNullable().defaultTo(0);
      t.boolean('already_imported').notNullable().defaultTo(false);
      t.integer('problem_count').notNullable().defaultTo(0);
      t.jsonb('problems').notNullable().defaultTo('[]');
      t.text('failure').nullable();
      t.text('requested_by').notNullable();
      t.text('requested_role').notNullable();
      t.text('org_id').notNullable();
      t.text('org_path').notNullable();
      t.text('request_id').nullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('started_at', { useTz: true }).nullable();
      t.timestamp('finished_at', { useTz: true }).nullable();
      t.index(['upload_id']);
    });
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('teacher_import_job');
    await knex.schema.withSchema(schema).dropTableIfExists('teacher_import_upload_chunk');
    await knex.schema.withSchema(schema).dropTableIfExists('teacher_import_upload');
  },
};
