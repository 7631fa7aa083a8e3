/**
 * Where the CLI finds the API: `BERTH_URL`/`BERTH_TOKEN` override the config file
 * (`$BERTH_CONFIG`, else `$XDG_CONFIG_HOME/berth/config.json`, else `~/.config/berth/config.json`),
 * which `berth login` writes with mode 0600.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface BerthConfig {
  url?: string;
  token?: string;
  /** The user the token belongs to (shown by whoami when offline). */
  user?: string;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BERTH_CONFIG) return env.BERTH_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'berth', 'config.json');
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): BerthConfig {
  const file = configPath(env);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    const c = JSON.parse(text) as BerthConfig;
    return typeof c === 'object' && c ? c : {};
  } catch {
    throw new Error(`the config file ${file} is not valid JSON: fix or delete it, then run berth login`);
  }
}

/** Writes the config atomically with mode 0600 (the directory 0700). */
export function writeConfig(c: BerthConfig, env: NodeJS.ProcessEnv = process.env): string {
  const file = configPath(env);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  return file;
}

export function removeConfig(env: NodeJS.ProcessEnv = process.env): boolean {
  try {
    fs.unlinkSync(configPath(env));
    return true;
  } catch {
    return false;
  }
}

/** The effective URL and token: environment first, then the file. */
export function resolveTarget(env: NodeJS.ProcessEnv = process.env, flags: { url?: string; token?: string } = {}): BerthConfig {
  const file = readConfig(env);
  return { url: flags.url || env.BERTH_URL || file.url, token: flags.token || env.BERTH_TOKEN || file.token, user: file.user };
}

/** Normalises what the user typed as the API URL: adds http:// and /api/berth when missing. */
export function normalizeUrl(raw: string): string {
  let u = raw.trim();
  if (!/^https?:\/\//i.test(u)) u = `http://${u}`;
  const parsed = new URL(u);
  let p = parsed.pathname.replace(/\/+$/, '');
  if (!p.endsWith('/api/berth')) p = `${p}/api/berth`;
  parsed.pathname = p;
  return parsed.toString().replace(/\/+$/, '');
}
