import type { Knex } from 'knex';

/**
 * Lifecycle scheduling: the cached next allowed autostart (Coder `next_start_at`), how a build's
 * deadline was set, and the users the schedule rules read (quiet hours, account status).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('workspaces', (t) => {
    t.timestamp('next_start_at', { useTz: true }).nullable();
  });
  await knex.schema.alterTable('workspace_builds', (t) => {
    t.text('deadline_source').nullable();
  });
  await knex.schema.createTable('users', (t) => {
    t.text('ref').primary();
    t.text('quiet_hours_schedule').notNullable().defaultTo('');
    t.text('status').notNullable().defaultTo('active');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw("ALTER TABLE users ADD CONSTRAINT users_status_check CHECK (status IN ('active','suspended','dormant'))");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('users');
  await knex.schema.alterTable('workspace_builds', (t) => { t.dropColumn('deadline_source'); });
  await knex.schema.alterTable('workspaces', (t) => { t.dropColumn('next_start_at'); });
}
