import type { Knex } from 'knex';

/**
 * The API's own tables: personal API tokens (stored as SHA-256 hashes; the secret is shown
 * once), the audit log of every mutating API call, the catalog entity of a workspace, and
 * indexes for the workspace search.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_tokens', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.text('owner').notNullable();
    t.text('hashed_secret').notNullable().unique();
    /** The creator's ownership refs (user + groups) when the token was made: what the token acts as. */
    t.jsonb('ownership_refs').notNullable().defaultTo('[]');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true }).nullable();
    t.timestamp('expires_at', { useTz: true }).nullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.index(['owner']);
  });
  await knex.raw('CREATE UNIQUE INDEX api_tokens_owner_name_live ON api_tokens (owner, name) WHERE revoked_at IS NULL');
  await knex.schema.createTable('audit_log', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.timestamp('time', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor').notNullable();
    t.text('action').notNullable();
    t.text('target_type').notNullable();
    t.text('target_id').nullable();
    t.text('result').notNullable();
    t.integer('status_code').notNullable();
    t.jsonb('details').notNullable().defaultTo('{}');
    t.index(['time']);
    t.index(['actor', 'time']);
    t.index(['target_id']);
  });
  await knex.raw("ALTER TABLE audit_log ADD CONSTRAINT audit_log_result_check CHECK (result IN ('succeeded','failed'))");
  // The catalog entity a workspace was created for (Backstage entity ref), so entity pages list theirs.
  await knex.schema.alterTable('workspaces', (t) => { t.text('entity_ref').nullable(); });
  await knex.raw('CREATE INDEX IF NOT EXISTS workspaces_entity_live ON workspaces (entity_ref) WHERE NOT deleted AND entity_ref IS NOT NULL');
  await knex.raw('CREATE INDEX IF NOT EXISTS workspaces_owner_live ON workspaces (owner, name) WHERE NOT deleted');
  await knex.raw('CREATE INDEX IF NOT EXISTS workspace_builds_latest ON workspace_builds (workspace_id, build_number DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS workspaces_entity_live');
  await knex.schema.alterTable('workspaces', (t) => { t.dropColumn('entity_ref'); });
  await knex.raw('DROP INDEX IF EXISTS workspace_builds_latest');
  await knex.raw('DROP INDEX IF EXISTS workspaces_owner_live');
  await knex.schema.dropTableIfExists('audit_log');
  await knex.schema.dropTableIfExists('api_tokens');
}
