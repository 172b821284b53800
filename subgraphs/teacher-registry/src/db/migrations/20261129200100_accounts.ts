import type { SchemaMigration } from '../../../../shared/src/db';

/**
 * Accounts managed by system administrators (DOMAIN.md §2): one row per token subject, with the
 * role and organisation the account holds. A disabled account's tokens are refused at the gateway.
 */
export const accounts: SchemaMigration = {
  name: '20261129200100_accounts',
  async up(knex, schema) {
    await knex.schema.withSchema(schema).createTable('account', (t) => {
      t.uuid('id').primary();
      t.text('subject').notNullable().unique();
      t.text('name').notNullable();
      t.text('role').notNullable();
      t.text('org_id').notNullable().references('id').inTable(`${schema}.org_unit`);
      t.text('org_path').notNullable();
      t.text('status').notNullable().defaultTo('active');
      t.text('created_by').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.text('disabled_by');
      t.timestamp('disabled_at', { useTz: true });
      t.text('disabled_reason');
      t.integer('version').notNullable().defaultTo(1);
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check(`status in ('active', 'disabled')`, [], 'account_status_check');
      t.check('char_length(subject) between 1 and 200', [], 'account_subject_length_check');
      t.check('char_length(name) between 1 and 100', [], 'account_name_length_check');
      t.index(['org_path']);
      t.index(['status', 'updated_at']);
    });
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('account');
  },
};
