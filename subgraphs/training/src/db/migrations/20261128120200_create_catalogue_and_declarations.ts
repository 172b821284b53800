import type { SchemaMigration } from '../../../../shared/src/db';

const FORMS = `('centralised','online','school_based','teaching_research','practice')`;

/**
 * The course catalogue [培训项目与课程] with enrolment [选学], and credit declarations
 * [学分申报] for training done elsewhere: teacher declares → school reviews → recognising
 * authority recognises or rejects → banked.
 */
export const createCatalogueAndDeclarations: SchemaMigration = {
  name: '20261128120200_create_catalogue_and_declarations',
  async up(knex, schema) {
    const s = () => knex.schema.withSchema(schema);
    await s().createTable('training_programme', (t) => {
      t.uuid('id').primary();
      t.text('title').notNullable();
      t.text('level').notNullable();
      t.text('organiser_org_id').notNullable();
      t.text('organiser_org_path').notNullable();
      t.text('description');
      t.integer('version').notNullable().defaultTo(1);
      t.text('created_by').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check(`level in ('national','provincial','city','county','school')`, [], 'training_programme_level_check');
    });
    await knex.raw('create index training_programme_organiser_idx on ??.training_programme (organiser_org_path text_pattern_ops)', [schema]);

    await s().createTable('training_course', (t) => {
      t.uuid('id').primary();
      t.uuid('programme_id').notNullable().references('id').inTable(`${schema}.training_programme`);
      t.text('title').notNullable();
      t.text('form').notNullable();
      t.decimal('hours', 6, 1).notNullable();
      t.boolean('compulsory').notNullable();
      t.text('subject');
      t.text('stage');
      t.integer('capacity').notNullable();
      t.integer('enrolled_count').notNullable().defaultTo(0);
      t.date('starts_on').notNullable();
      t.date('ends_on').notNullable();
      t.integer('version').notNullable().defaultTo(1);
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check(`form in ${FORMS}`, [], 'training_course_form_check');
      t.check('hours > 0 and hours <= 720', [], 'training_course_hours_check');
      t.check('capacity > 0', [], 'training_course_capacity_check');
      // The capacity is enforced by the database too, so no race can overfill a course.
      t.check('enrolled_count >= 0 and enrolled_count <= capacity', [], 'training_course_enrolled_check');
      t.check('ends_on >= starts_on', [], 'training_course_dates_check');
      t.index(['programme_id']);
    });

    await s().createTable('course_enrolment', (t) => {
      t.uuid('id').primary();
      t.uuid('course_id').notNullable().references('id').inTable(`${schema}.training_course`);
      t.uuid('teacher_id').notNullable();
      t.text('status').notNullable().defaultTo('enrolled');
      t.decimal('hours_completed', 6, 1);
      t.date('completed_on');
      t.text('result_note');
      t.uuid('training_record_id');
      t.integer('version').notNullable().defaultTo(1);
      t.text('enrolled_by').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.unique(['course_id', 'teacher_id']);
      t.check(`status in ('enrolled','completed','failed')`, [], 'course_enrolment_status_check');
      t.index(['teacher_id']);
    });

    await s().createTable('credit_declaration', (t) => {
      t.uuid('id').primary();
      t.uuid('teacher_id').notNullable();
      // The teacher's organisation when declaring: the school that reviews and the authorities above it.
      t.text('org_path').notNullable();
      t.text('client_request_id').notNullable();
      t.text('title').notNullable();
      t.text('form').notNullable();
      t.text('organiser').notNullable();
      t.decimal('hours', 6, 1).notNullable();
      t.date('completed_on').notNullable();
      t.text('evidence_ref').notNullable();
      t.text('status').notNullable().defaultTo('submitted');
      t.text('declared_by').notNullable();
      t.text('school_reviewed_by');
      t.timestamp('school_reviewed_at', { useTz: true });
      t.text('school_comment');
      t.text('decided_by');
      t.text('decided_by_org_id');
      t.timestamp('decided_at', { useTz: true });
      t.text('rejection_reason');
      t.uuid('training_record_id');
      t.integer('version').notNullable().defaultTo(1);
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      // A replayed declaration (same client request id) finds the first one instead of adding another.
      t.unique(['teacher_id', 'client_request_id']);
      t.check(`form in ${FORMS}`, [], 'credit_declaration_form_check');
      t.check('hours > 0 and hours <= 720', [], 'credit_declaration_hours_check');
      t.check(`status in ('submitted','school_approved','returned','recognised','rejected')`, [], 'credit_declaration_status_check');
      t.check(`status <> 'rejected' or rejection_reason is not null`, [], 'credit_declaration_reason_check');
    });
    await knex.raw('create index credit_declaration_org_path_idx on ??.credit_declaration (org_path text_pattern_ops, status)', [schema]);
  },
  async down(knex, schema) {
    const s = () => knex.schema.withSchema(schema);
    await s().dropTableIfExists('credit_declaration');
    await s().dropTableIfExists('course_enrolment');
    await s().dropTableIfExists('training_course');
    await s().dropTableIfExists('training_programme');
  },
};
