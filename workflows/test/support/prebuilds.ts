/**
 * Test helpers for prebuilds: a copy of templates/local (or another template) whose presets
 * declare prebuild pools, and cleanup of the workspace processes the tests leave running.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Db } from '../../src/db/connection';
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
