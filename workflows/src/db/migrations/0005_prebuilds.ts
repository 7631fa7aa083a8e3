import type { Knex } from 'knex';

/**
 * Prebuilds (reference/lifecycle-semantics.md §4): which preset a prebuilt workspace was built
 * for and when it was claimed, and each preset's pool status (`healthy` | `hard_limited`) with
 * the time of its last manual reset (failures before it no longer count).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('workspaces', (t) => {
    t.uuid('prebuild_preset_id').nullable().references('template_version_presets.id');
    t.timestamp('claimed_at', { useTz: true }).nullable();
  });
  await knex.raw('CREATE INDEX workspaces_prebuild_preset_idx ON workspaces (prebuild_preset_id) WHERE prebuild_preset_id IS NOT NULL AND deleted = false');
  await knex.schema.alterTable('template_version_presets', (t) => {
    t.text('prebuild_status').notNullable().defaultTo('healthy');
    t.timestamp('prebuild_status_reset_at', { useTz: true }).nullable();
  });
  await knex.raw("ALTER TABLE template_version_presets ADD CONSTRAINT tvp_prebuild_status_check CHECK (prebuild_status IN ('healthy','hard_limited'))");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE template_version_presets DROP CONSTRAINT IF EXISTS tvp_prebuild_status_check');
  await knex.schema.alterTable('template_version_presets', (t) => { t.dropColumn('prebuild_status'); t.dropColumn('prebuild_status_reset_at'); });
  await knex.raw('DROP INDEX IF EXISTS workspaces_prebuild_preset_idx');
  await knex.schema.alterTable('workspaces', (t) => { t.dropColumn('prebuild_preset_id'); t.dropColumn('claimed_at'); });
}
