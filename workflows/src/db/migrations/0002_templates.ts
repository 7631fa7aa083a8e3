import type { Knex } from 'knex';

/**
 * Templates issue: the template schedule policy (used by lifecycle scheduling), template version
 * import results (parameters, presets, planned resources), import/dry-run jobs, and a short-lived
 * stash that keeps sensitive parameter values out of Temporal payloads.
 * Policy defaults follow Coder's API defaults (reference/lifecycle-semantics.md §5.1).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('templates', (t) => {
    t.bigInteger('default_ttl_ms').notNullable().defaultTo(0);
    t.bigInteger('activity_bump_ms').notNullable().defaultTo(3_600_000);
    // Bit 0 = Monday … bit 6 = Sunday.
    t.smallint('autostart_allowed_days').notNullable().defaultTo(127);
    t.smallint('autostop_requirement_days').notNullable().defaultTo(0);
    t.integer('autostop_requirement_weeks').notNullable().defaultTo(1);
    t.boolean('allow_user_autostart').notNullable().defaultTo(true);
    t.boolean('allow_user_autostop').notNullable().defaultTo(true);
    t.boolean('allow_user_cancel_workspace_jobs').notNullable().defaultTo(true);
    t.bigInteger('failure_ttl_ms').notNullable().defaultTo(0);
    t.bigInteger('time_til_dormant_ms').notNullable().defaultTo(0);
    t.bigInteger('time_til_dormant_autodelete_ms').notNullable().defaultTo(0);
    t.boolean('require_active_version').notNullable().defaultTo(false);
    t.text('deprecation_message').notNullable().defaultTo('');
  });
  await knex.raw(`ALTER TABLE templates ADD CONSTRAINT templates_policy_check CHECK (
    default_ttl_ms >= 0 AND activity_bump_ms >= 0 AND autostart_allowed_days BETWEEN 0 AND 127
    AND autostop_requirement_days BETWEEN 0 AND 127 AND autostop_requirement_weeks BETWEEN 1 AND 16
    AND failure_ttl_ms >= 0 AND time_til_dormant_ms >= 0 AND time_til_dormant_autodelete_ms >= 0)`);

  await knex.schema.alterTable('template_versions', (t) => {
    t.text('readme').notNullable().defaultTo('');
    t.jsonb('warnings').notNullable().defaultTo('[]');
    t.uuid('dry_run_job_id').nullable().references('provisioner_jobs.id');
    t.jsonb('planned_resources').notNullable().defaultTo('[]');
  });
  await knex.raw('ALTER TABLE template_versions ADD CONSTRAINT template_versions_job_fk FOREIGN KEY (job_id) REFERENCES provisioner_jobs(id)');

  await knex.schema.alterTable('provisioner_jobs', (t) => {
    t.uuid('template_version_id').nullable().references('template_versions.id');
  });

  await knex.schema.createTable('template_version_parameters', (t) => {
    t.uuid('template_version_id').notNullable().references('template_versions.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('display_name').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.text('icon').notNullable().defaultTo('');
    t.integer('display_order').notNullable().defaultTo(0);
    t.text('type').notNullable();
    t.text('default_value').nullable();
    t.boolean('required').notNullable();
    t.boolean('sensitive').notNullable().defaultTo(false);
    t.boolean('nullable').notNullable().defaultTo(true);
    t.boolean('mutable').notNullable().defaultTo(false);
    t.boolean('ephemeral').notNullable().defaultTo(false);
    t.jsonb('options').notNullable().defaultTo('[]');
    t.jsonb('validation').notNullable().defaultTo('{}');
    t.jsonb('terraform_validations').notNullable().defaultTo('[]');
    t.primary(['template_version_id', 'name']);
  });
  await knex.raw("ALTER TABLE template_version_parameters ADD CONSTRAINT tvp_type_check CHECK (type IN ('string','number','bool','list(string)'))");

  await knex.schema.createTable('template_version_presets', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('template_version_id').notNullable().references('template_versions.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.jsonb('parameters').notNullable().defaultTo('{}');
    t.boolean('is_default').notNullable().defaultTo(false);
    t.integer('prebuild_instances').notNullable().defaultTo(0);
    t.integer('prebuild_expiration_s').nullable();
    t.unique(['template_version_id', 'name']);
  });

  await knex.schema.alterTable('workspace_builds', (t) => {
    t.uuid('template_version_preset_id').nullable().references('template_version_presets.id');
  });

  await knex.schema.createTable('parameter_value_stash', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('workspace_id').notNullable().references('workspaces.id').onDelete('CASCADE');
    t.text('value').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('parameter_value_stash');
  await knex.schema.alterTable('workspace_builds', (t) => { t.dropColumn('template_version_preset_id'); });
  await knex.schema.dropTableIfExists('template_version_presets');
  await knex.schema.dropTableIfExists('template_version_parameters');
  await knex.schema.alterTable('provisioner_jobs', (t) => { t.dropColumn('template_version_id'); });
  await knex.raw('ALTER TABLE template_versions DROP CONSTRAINT IF EXISTS template_versions_job_fk');
  await knex.schema.alterTable('template_versions', (t) => {
    t.dropColumn('readme'); t.dropColumn('warnings'); t.dropColumn('dry_run_job_id'); t.dropColumn('planned_resources');
  });
  await knex.raw('ALTER TABLE templates DROP CONSTRAINT IF EXISTS templates_policy_check');
  await knex.schema.alterTable('templates', (t) => {
    for (const c of ['default_ttl_ms', 'activity_bump_ms', 'autostart_allowed_days', 'autostop_requirement_days', 'autostop_requirement_weeks',
      'allow_user_autostart', 'allow_user_autostop', 'allow_user_cancel_workspace_jobs', 'failure_ttl_ms', 'time_til_dormant_ms',
      'time_til_dormant_autodelete_ms', 'require_active_version', 'deprecation_message']) t.dropColumn(c);
  });
}
