import type { Knex } from 'knex';

/**
 * Initial schema: templates, template versions, workspaces, builds, build parameters,
 * provisioner jobs, resources and logs. Names follow Coder's data model
 * (reference/lifecycle-semantics.md §1.2–1.4); durations are milliseconds with the unit in the
 * column name; every timestamp is timestamptz.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pgcrypto');

  await knex.schema.createTable('templates', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.text('display_name').notNullable().defaultTo('');
    t.text('description').notNullable().defaultTo('');
    t.text('icon').notNullable().defaultTo('');
    t.uuid('active_version_id').nullable();
    t.text('provisioner').notNullable().defaultTo('terraform');
    t.text('created_by').notNullable();
    t.boolean('deleted').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE UNIQUE INDEX templates_name_idx ON templates (lower(name)) WHERE deleted = false');

  await knex.schema.createTable('template_versions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('template_id').notNullable().references('templates.id');
    t.text('name').notNullable();
    t.text('message').notNullable().defaultTo('');
    t.binary('archive').notNullable();
    t.text('archive_sha256').notNullable();
    t.integer('archive_size').notNullable();
    t.jsonb('provisioner_tags').notNullable().defaultTo('{}');
    t.uuid('job_id').nullable();
    t.boolean('archived').notNullable().defaultTo(false);
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['template_id', 'name']);
  });
  await knex.raw('ALTER TABLE templates ADD CONSTRAINT templates_active_version_fk FOREIGN KEY (active_version_id) REFERENCES template_versions(id)');

  await knex.schema.createTable('workspaces', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('owner').notNullable();
    t.text('name').notNullable();
    t.uuid('template_id').notNullable().references('templates.id');
    t.text('autostart_schedule').nullable();
    t.bigInteger('ttl_ms').nullable();
    t.timestamp('last_used_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('dormant_at', { useTz: true }).nullable();
    t.timestamp('deleting_at', { useTz: true }).nullable();
    t.text('automatic_updates').notNullable().defaultTo('never');
    t.boolean('deleted').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw("ALTER TABLE workspaces ADD CONSTRAINT workspaces_automatic_updates_check CHECK (automatic_updates IN ('always','never'))");
  await knex.raw('CREATE UNIQUE INDEX workspaces_owner_name_idx ON workspaces (owner, lower(name)) WHERE deleted = false');

  await knex.schema.createTable('provisioner_jobs', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('type').notNullable();
    t.text('provisioner').notNullable().defaultTo('terraform');
    t.jsonb('tags').notNullable().defaultTo('{}');
    t.text('task_queue').notNullable();
    t.text('initiator').notNullable();
    t.jsonb('input').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('started_at', { useTz: true }).nullable();
    t.timestamp('completed_at', { useTz: true }).nullable();
    t.timestamp('canceled_at', { useTz: true }).nullable();
    t.text('error').nullable();
    t.text('error_code').nullable();
    t.text('worker_id').nullable();
    // Where log tailing got to (file offsets per stage), so a retried attempt resumes without duplicates.
    t.jsonb('progress').notNullable().defaultTo('{}');
  });
  await knex.raw("ALTER TABLE provisioner_jobs ADD CONSTRAINT provisioner_jobs_type_check CHECK (type IN ('workspace_build','template_version_import','template_version_dry_run'))");
  // Coder's generated column (lifecycle-semantics.md §1.4); domain/status.ts jobStatus() is its tested twin.
  await knex.raw(`ALTER TABLE provisioner_jobs ADD COLUMN job_status text GENERATED ALWAYS AS (
    CASE
      WHEN completed_at IS NOT NULL THEN
        CASE WHEN COALESCE(error, '') <> '' THEN 'failed'
             WHEN canceled_at IS NOT NULL THEN 'canceled'
             ELSE 'succeeded' END
      ELSE
        CASE WHEN COALESCE(error, '') <> '' THEN 'failed'
             WHEN canceled_at IS NOT NULL THEN 'canceling'
             WHEN started_at IS NULL THEN 'pending'
             ELSE 'running' END
    END) STORED`);
  await knex.raw('CREATE INDEX provisioner_jobs_pending_idx ON provisioner_jobs (created_at) WHERE started_at IS NULL AND completed_at IS NULL');

  await knex.schema.createTable('workspace_builds', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('workspace_id').notNullable().references('workspaces.id');
    t.integer('build_number').notNullable();
    t.text('transition').notNullable();
    t.text('reason').notNullable().defaultTo('initiator');
    t.text('initiator').notNullable();
    t.uuid('template_version_id').notNullable().references('template_versions.id');
    t.uuid('job_id').notNullable().unique().references('provisioner_jobs.id');
    t.timestamp('deadline', { useTz: true }).nullable();
    t.timestamp('max_deadline', { useTz: true }).nullable();
    t.binary('provisioner_state').nullable();
    t.text('explanation').notNullable().defaultTo('');
    t.jsonb('outputs').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['workspace_id', 'build_number']);
  });
  await knex.raw("ALTER TABLE workspace_builds ADD CONSTRAINT workspace_builds_transition_check CHECK (transition IN ('start','stop','delete'))");
  await knex.raw('ALTER TABLE workspace_builds ADD CONSTRAINT workspace_builds_deadline_below_max_deadline CHECK (max_deadline IS NULL OR deadline IS NULL OR deadline <= max_deadline)');

  await knex.schema.createTable('build_parameters', (t) => {
    t.uuid('build_id').notNullable().references('workspace_builds.id');
    t.text('name').notNullable();
    t.text('value').notNullable();
    t.primary(['build_id', 'name']);
  });

  await knex.schema.createTable('workspace_resources', (t) => {
    t.bigIncrements('id');
    t.uuid('job_id').notNullable().references('provisioner_jobs.id');
    t.text('transition').notNullable();
    t.text('address').notNullable();
    t.text('mode').notNullable();
    t.text('type').notNullable();
    t.text('name').notNullable();
    t.text('module').notNullable().defaultTo('');
    t.text('index_key').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['job_id']);
  });

  await knex.schema.createTable('build_logs', (t) => {
    t.bigIncrements('id');
    t.uuid('job_id').notNullable().references('provisioner_jobs.id');
    t.integer('seq').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.text('level').notNullable();
    t.text('stage').notNullable();
    t.text('source').notNullable();
    t.text('output').notNullable();
    t.unique(['job_id', 'seq']);
  });
  await knex.raw("ALTER TABLE build_logs ADD CONSTRAINT build_logs_level_check CHECK (level IN ('trace','debug','info','warn','error'))");
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['build_logs', 'workspace_resources', 'build_parameters', 'workspace_builds', 'provisioner_jobs', 'workspaces']) {
    await knex.schema.dropTableIfExists(t);
  }
  await knex.raw('ALTER TABLE IF EXISTS templates DROP CONSTRAINT IF EXISTS templates_active_version_fk');
  await knex.schema.dropTableIfExists('template_versions');
  await knex.schema.dropTableIfExists('templates');
}
