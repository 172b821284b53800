import type { SchemaMigration } from '../../../../shared/src/db';

/**
 * A declaration may name the platform organisation that ran the training: that organiser (or a
 * unit above it) may recognise it too, even when the teacher is outside its subtree — a teacher
 * from 湖北 on a course run by 北京 is recognised by 北京.
 */
export const declarationOrganiser: SchemaMigration = {
  name: '20261128120300_declaration_organiser',
  async up(knex, schema) {
    await knex.schema.withSchema(schema).alterTable('credit_declaration', (t) => {
      t.text('organiser_org_id');
      t.text('organiser_org_path');
    });
    await knex.raw('create index credit_declaration_organiser_idx on ??.credit_declaration (organiser_org_path text_pattern_ops) where organiser_org_path is not null', [schema]);
  },
  async down(knex, schema) {
    await knex.raw('drop index if exists ??.credit_declaration_organiser_idx', [schema]);
    await knex.schema.withSchema(schema).alterTable('credit_declaration', (t) => {
      t.dropColumns('organiser_org_id', 'organiser_org_path');
    });
  },
};
