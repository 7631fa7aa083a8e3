/**
 * Test helpers for prebuilds: a copy of templates/local (or another template) whose presets
 * declare prebuild pools, and cleanup of the workspace processes the tests leave running.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Db } from '../../src/db/connection';
import type { Client } from '@temporalio/client';
import { PREBUILD_RECONCILER_WORKFLOW_ID } from '../../src/workflows/definitions';
import { tempDir } from './stack';

/**
 * A template directory: `from`'s files with `presets` replacing its berth.yaml presets (the
 * `parameters` section is kept). Returns the directory.
 */
export function templateWithPresets(from: string, presets: Array<Record<string, unknown>>, extra: Record<string, string> = {}): string {
  const dir = tempDir('tpl');
  for (const f of fs.readdirSync(from)) {
    if (f.endsWith('.tf') || f === 'README.md') fs.copyFileSync(path.join(from, f), path.join(dir, f));
  }
  const yamlFile = ['berth.yaml', 'berth.yml'].map((f) => path.join(from, f)).find((f) => fs.existsSync(f));
  const doc = yamlFile ? YAML.parse(fs.readFileSync(yamlFile, 'utf8')) ?? {} : {};
  doc.presets = presets;
  fs.writeFileSync(path.join(dir, 'berth.yaml'), YAML.stringify(doc));
  for (const [name, content] of Object.entries(extra)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

/**
 * Test cleanup: stops the prebuild reconciler (so it starts no more prebuilds), waits up to
 * `waitMs` for running builds to finish, then kills the workspace processes recorded in the
 * outputs of every workspace's latest build.
 */
export async function stopPrebuildsAndKillWorkspaces(db: Db, temporal: Client, waitMs = 60_000): Promise<void> {
  await temporal.workflow.getHandle(PREBUILD_RECONCILER_WORKFLOW_ID).terminate('test cleanup').catch(() => undefined);
  for (const until = Date.now() + waitMs; Date.now() < until;) {
    const [{ n }] = await db('provisioner_jobs').whereIn('job_status', ['pending', 'running', 'canceling']).count('id as n');
    if (Number(n) === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await killWorkspaceProcesses(db);
}

/** Kills the workspace processes recorded in the outputs of every workspace's latest build (test cleanup). */
export async function killWorkspaceProcesses(db: Db): Promise<void> {
  const rows = await db.raw(`SELECT DISTINCT ON (workspace_id) outputs FROM workspace_builds ORDER BY workspace_id, build_number DESC`);
  for (const r of rows.rows) {
    const pid = Number(r.outputs?.pid);
    if (Number.isInteger(pid) && pid > 1) {
      try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    }
  }
}
