/**
 * `berth` subcommands against a real stack (Postgres, Temporal, worker running tofu on the
 * `local` template, Backstage backend): JSON shapes, exit codes, no-TTY behaviour, bad flags
 * and values, config file handling.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from './support/cli.js';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
let env: NodeJS.ProcessEnv;
let adminEnv: NodeJS.ProcessEnv;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cli-test-'));
const distCli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

beforeAll(async () => {
  stack = await startStack();
  env = { BERTH_URL: stack.url, BERTH_TOKEN: stack.userToken, BERTH_CONFIG: path.join(tmp, 'none.json') };
  adminEnv = { ...env, BERTH_TOKEN: stack.adminToken };
});
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('berth (scriptable)', () => {
  it('whoami and templates answer with the API shapes', async () => {
    const me = await cli(['whoami', '-o', 'json'], { env });
    expect(me.code).toBe(0);
    expect(me.json()).toMatchObject({ user: 'user:default/dev', admin: false, via: 'token', url: stack.url });
    const t = await cli(['templates', 'ls', '-o', 'json'], { env });
    expect(t.code).toBe(0);
    expect(t.json()).toEqual([expect.objectContaining({ name: 'local', active_version_id: expect.any(String) })]);
    const v = await cli(['templates', 'versions', 'local'], { env });
    expect(v.stdout).toMatch(/^NAME\s+ACTIVE\s+IMPORT/);
    expect(v.stdout).toMatch(/v1\s+yes\s+succeeded/);
  });

  it('creates, lists, shows, stops (with --yes), starts and deletes a workspace', async () => {
    const created = await cli(['create', 'cli1', '-t', 'local', '--ttl', '8h', '--wait', '-o', 'json'], { env });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.json()).toMatchObject({ name: 'cli1', status: 'running', template_name: 'local', ttl_ms: 8 * 3_600_000 });

    const ls = await cli(['ls', '-o', 'json'], { env });
    expect(ls.json<any[]>().map((w) => w.name)).toEqual(['cli1']);
    const table = await cli(['ls'], { env });
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+TEMPLATE\s+STATUS\s+LAST BUILT\s+AUTOSTOP$/);
    expect(table.stdout).toMatch(/cli1\s+local\s+running\s+start .*ago/);

    const show = await cli(['show', 'cli1', '-o', 'json'], { env });
    expect(show.json()).toMatchObject({ name: 'cli1', latest_build: { build_number: 1, transition: 'start', job_status: 'succeeded' } });

    // Given no terminal, When stop runs without --yes, Then it refuses at once (exit 2) and changes nothing.
    const refused = await cli(['stop', 'cli1'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: stop cli1: confirmation needed .*--yes/);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect((await cli(['show', 'cli1', '-o', 'json'], { env })).json().status).toBe('running');

    // On a terminal, answering anything but y keeps the workspace running.
    const no = await cli(['stop', 'cli1'], { env, tty: true, input: '\n' });
    expect(no.code).toBe(1);
    expect(no.stderr).toMatch(/not confirmed/);

    const stopped = await cli(['stop', 'cli1', '--yes', '--wait', '-o', 'json'], { env });
    expect(stopped.code).toBe(0);
    expect(stopped.json()).toMatchObject({ build_number: 2, transition: 'stop', job_status: 'succeeded', status: 'stopped' });

    const logs = await cli(['logs', 'cli1'], { env });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/⧗ init\n/);
    expect(logs.stdout).toMatch(/✔ apply \[\d/);
    expect(logs.stdout).toMatch(/build #2 \(stop\) succeeded/);
    const logsJson = await cli(['logs', 'cli1', '-b', '1', '-o', 'json'], { env });
    expect(logsJson.json<any[]>()[0]).toEqual(expect.objectContaining({ seq: expect.any(Number), stage: expect.any(String), output: expect.any(String) }));

    const started = await cli(['start', 'cli1', '-o', 'json'], { env });
    expect(started.code).toBe(0);
    expect(started.json()).toMatchObject({ build_number: 3, transition: 'start' });
    const followed = await cli(['logs', 'cli1', '-f'], { env });
    expect(followed.code).toBe(0);
    expect(followed.stdout).toMatch(/✔ cleanup/);

    const hist = await cli(['history', 'cli1', '-o', 'json'], { env });
    expect(hist.json()).toMatchObject({ workflow_id: expect.stringMatching(/^workspace:/), temporal_ui_url: expect.any(String) });
    expect(hist.json().events.some((e: any) => e.build_number === 2 && e.transition === 'stop')).toBe(true);

    const del = await cli(['delete', 'cli1', '--yes', '--wait'], { env });
    expect(del.code).toBe(0);
    expect(del.stdout).toMatch(/build #4 \(delete\) succeeded; workspace deleted/);
    expect((await cli(['ls', '-o', 'json'], { env })).json()).toEqual([]);
  });

  it('schedule set, show and extend; rejects bad values with exit 2', async () => {
    expect((await cli(['create', 'cli2', '-t', 'local', '--ttl', '8h', '--wait'], { env })).code).toBe(0);
    const set = await cli(['schedule', 'set', 'cli2', '--start', '09:30 Mon-Fri Europe/Berlin', '--ttl', '2h', '-o', 'json'], { env });
    expect(set.code).toBe(0);
    expect(set.json()).toMatchObject({ autostart_schedule: 'CRON_TZ=Europe/Berlin 30 9 * * 1-5', ttl_ms: 7_200_000 });
    const show = await cli(['schedule', 'show', 'cli2', '-o', 'json'], { env });
    expect(show.json().preview.autostarts.length).toBeGreaterThan(0);
    const text = await cli(['schedule', 'show', 'cli2'], { env });
    expect(text.stdout).toMatch(/Autostart:\s+09:30 Mon-Fri Europe\/Berlin/);
    const ext = await cli(['schedule', 'extend', 'cli2', '1h', '-o', 'json'], { env });
    expect(ext.stderr).toBe('');
    expect(ext.code).toBe(0);
    expect(Date.parse(ext.json().deadline)).toBeGreaterThan(Date.now() + 50 * 60_000);

    for (const argv of [
      ['schedule', 'set', 'cli2', '--ttl', 'forever'],
      ['schedule', 'set', 'cli2', '--start', '25:00'],
      ['schedule', 'set', 'cli2', '--start', '09:00 Mon-Fri Mars/Olympus'],
      ['schedule', 'set', 'cli2'],
      ['schedule', 'extend', 'cli2', 'soon'],
      ['create', 'x', '-t', 'local', '-p', 'novalue'],
      ['logs', 'cli2', '-b', 'zero'],
      ['ls', '-o', 'yaml'],
      ['ls', '--bogus'],
      ['frobnicate'],
      ['create', 'x'],
    ]) {
      const r = await cli(argv, { env });
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^error: /);
      expect(r.stdout).toBe('');
    }
    expect((await cli(['delete', 'cli2', '--yes'], { env })).code).toBe(0);
  });

  it('API errors are one line with the reason and exit 1; --debug adds the stack', async () => {
    const missing = await cli(['show', 'nope'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: show nope: no workspace "nope" of yours; list them with berth ls (berth ls --all for everyone\'s)\n');
    const badTpl = await cli(['create', 'x1', '-t', 'no-such-template'], { env });
    expect(badTpl.code).toBe(1);
    expect(badTpl.stderr).toMatch(/^error: create x1: .*no-such-template.*\(HTTP 404\)/);
    expect(badTpl.stderr.trim().split('\n')).toHaveLength(1);
    const badName = await cli(['create', 'Bad Name!', '-t', 'local'], { env });
    expect(badName.code).toBe(1);
    expect(badName.stderr).toMatch(/\(HTTP 400\)/);
    const badToken = await cli(['ls'], { env: { ...env, BERTH_TOKEN: 'berth_wrong' } });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/HTTP 401.*berth login/);
    const down = await cli(['ls', '--debug'], { env: { ...env, BERTH_URL: 'http://127.0.0.1:9/api/berth' } });
    expect(down.code).toBe(1);
    expect(down.stderr.split('\n')[0]).toMatch(/^error: list workspaces: cannot reach the Berth API/);
    expect(down.stderr).toMatch(/\n\s+at /);
    const notLoggedIn = await cli(['ls'], { env: { BERTH_CONFIG: path.join(tmp, 'none.json') } });
    expect(notLoggedIn.code).toBe(1);
    expect(notLoggedIn.stderr).toMatch(/not logged in; run berth login/);
  });

  it('login stores the URL and token with mode 0600; whoami uses it; logout removes it', async () => {
    const cfg = path.join(tmp, 'cfg', 'config.json');
    const base = stack.url.replace(/\/api\/berth$/, '');
    const noToken = await cli(['login', base], { env: { BERTH_CONFIG: cfg } });
    expect(noToken.code).toBe(2);
    const login = await cli(['login', base, '--token', stack.userToken, '-o', 'json'], { env: { BERTH_CONFIG: cfg } });
    expect(login.code).toBe(0);
    expect(login.json()).toMatchObject({ url: stack.url, user: 'user:default/dev' });
    expect(fs.statSync(cfg).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(cfg, 'utf8'))).toMatchObject({ url: stack.url, token: stack.userToken });
    const me = await cli(['whoami'], { env: { BERTH_CONFIG: cfg } });
    expect(me.stdout).toBe(`user:default/dev via token at ${stack.url}\n`);
    // BERTH_TOKEN overrides the file.
    const asAdmin = await cli(['whoami', '-o', 'json'], { env: { BERTH_CONFIG: cfg, BERTH_TOKEN: stack.adminToken } });
    expect(asAdmin.json()).toMatchObject({ user: 'user:default/admin', admin: true });
    const bad = await cli(['login', base, '--token', 'berth_nope'], { env: { BERTH_CONFIG: path.join(tmp, 'bad.json') } });
    expect(bad.code).toBe(1);
    expect(fs.existsSync(path.join(tmp, 'bad.json'))).toBe(false);
    const out = await cli(['logout'], { env: { BERTH_CONFIG: cfg } });
    expect(out.code).toBe(0);
    expect(fs.existsSync(cfg)).toBe(false);
  });

  it('login with a Backstage token creates a Berth API token and stores that', async () => {
    const base = stack.url.replace(/\/api\/berth$/, '');
    const res = await fetch(`${base}/api/auth/guest/refresh`, { method: 'POST' });
    const backstageToken = ((await res.json()) as { backstageIdentity: { token: string } }).backstageIdentity.token;
    const cfg = path.join(tmp, 'guest', 'config.json');
    const login = await cli(['login', base, '--token', backstageToken, '--token-name', 'laptop', '-o', 'json'], { env: { BERTH_CONFIG: cfg } });
    expect(login.stderr).toBe('');
    expect(login.json()).toMatchObject({ user: 'user:default/guest', created_token: true });
    const saved = JSON.parse(fs.readFileSync(cfg, 'utf8'));
    expect(saved.token).toMatch(/^berth_/);
    expect(fs.statSync(cfg).mode & 0o777).toBe(0o600);
    const tokens = await cli(['tokens', '-o', 'json'], { env: { BERTH_CONFIG: cfg } });
    expect(tokens.json<any[]>().map((t) => t.name)).toEqual(['laptop']);
    expect((await cli(['whoami', '-o', 'json'], { env: { BERTH_CONFIG: cfg } })).json()).toMatchObject({ user: 'user:default/guest', via: 'token' });
  });

  it('tokens: create (secret once), list, revoke', async () => {
    const created = await cli(['tokens', 'create', 'ci-token', '--lifetime', '1d', '-o', 'json'], { env });
    expect(created.code).toBe(0);
    const t = created.json();
    expect(t).toMatchObject({ name: 'ci-token', token: expect.stringMatching(/^berth_/) });
    const list = await cli(['tokens', '-o', 'json'], { env });
    expect(list.json<any[]>().map((x) => x.name)).toContain('ci-token');
    expect(JSON.stringify(list.json())).not.toContain(t.token);
    const revoked = await cli(['tokens', 'revoke', t.id, '-o', 'json'], { env });
    expect(revoked.json().revoked_at).toEqual(expect.any(String));
    const useRevoked = await cli(['whoami'], { env: { ...env, BERTH_TOKEN: t.token } });
    expect(useRevoked.code).toBe(1);
  });

  it('admins list everyone with --all; members do not see others', async () => {
    expect((await cli(['create', 'adm1', '-t', 'local'], { env: adminEnv })).code).toBe(0);
    const all = await cli(['ls', '--all', '-o', 'json'], { env: adminEnv });
    expect(all.json<any[]>().some((w) => w.name === 'adm1')).toBe(true);
    const table = await cli(['ls', '--all'], { env: adminEnv });
    expect(table.stdout.split('\n')[0]).toMatch(/^OWNER\s+NAME/);
    const member = await cli(['ls', '--all', '-o', 'json'], { env });
    expect(member.json<any[]>().some((w) => w.name === 'adm1')).toBe(false);
    const other = await cli(['show', 'admin/adm1'], { env });
    expect(other.code).toBe(1);
  });

  it('the built binary: no TTY prints a plain table (no Ink, no colour), NO_COLOR honoured, exit codes', async () => {
    if (!fs.existsSync(distCli)) throw new Error(`${distCli} is missing: run npm run build in tui/`);
    const exec = (args: string[], extra: NodeJS.ProcessEnv = {}) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [distCli, ...args], { env: { PATH: process.env.PATH, HOME: tmp, ...env, ...extra }, timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
    const bare = await exec([], { FORCE_COLOR: '1' });
    expect(bare.code).toBe(0);
    expect(bare.stdout).toMatch(/^NAME\s+TEMPLATE|^no workspaces/);
    expect(bare.stdout).not.toContain('\u001b[');
    const nc = await exec(['ls', '--all'], { NO_COLOR: '1', BERTH_TOKEN: stack.adminToken });
    expect(nc.stdout).not.toContain('\u001b[');
    expect((await exec(['ls', '-o', 'yaml'])).code).toBe(2);
    expect((await exec(['show', 'missing'])).code).toBe(1);
    expect((await exec(['--help'])).code).toBe(0);
  });
});
