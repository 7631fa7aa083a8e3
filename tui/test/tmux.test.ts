/**
 * End to end in a real terminal (tmux) against a real stack: the built `berth` binary opens the
 * TUI; create a workspace from `local` through the wizard, watch its log reach running, stop
 * it through the y/N confirmation, see the stop in the history tab; Ctrl-C in a live log
 * detaches and the build still finishes. Keys are sent one per send-keys with the screen polled
 * in between (tui-and-style.md §A2.7).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from './support/cli.js';
import { startStack, type Stack } from './support/stack.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const distCli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const SOCKET = `berth-tui-e2e-${process.pid}`;
const SESSION = 'berth';

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', SESSION);
/** One key per send-keys, a little apart (keys sent together arrive as one chunk; the TUI copes, but the test types like a person). */
async function send(...keys: string[]) {
  for (const k of keys) {
    tmux('send-keys', '-t', SESSION, k);
    await new Promise((r) => setTimeout(r, 60));
  }
}
const type = (text: string) => tmux('send-keys', '-t', SESSION, '-l', text);
async function waitFor(needle: string | RegExp, timeoutMs = 60_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = screen();
    if (typeof needle === 'string' ? s.includes(needle) : needle.test(s)) return s;
    if (Date.now() > until) throw new Error(`timed out waiting for ${String(needle)}; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

(hasTmux ? describe : describe.skip)('berth TUI in tmux (real stack)', () => {
  let stack: Stack;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    if (!fs.existsSync(distCli)) throw new Error(`${distCli} is missing: run npm run build in tui/`);
    stack = await startStack();
    env = { BERTH_URL: stack.url, BERTH_TOKEN: stack.userToken, BERTH_CONFIG: '/nonexistent/berth.json' };
    const vars = Object.entries({ ...env, CI: 'false', TZ: 'UTC', NODE_OPTIONS: '', FORCE_COLOR: '0' }).map(([k, v]) => `${k}='${v}'`).join(' ');
    tmux('new-session', '-d', '-s', SESSION, '-x', '110', '-y', '32', `env ${vars} ${process.execPath} ${distCli}; echo berth-exited-$?; sleep 60`);
  });
  afterAll(async () => {
    try { tmux('kill-server'); } catch { /* already gone */ }
    await stack?.stop();
  });

  it('create through the wizard, log to running, stop with confirmation, history; Ctrl-C detaches', async () => {
    await waitFor('no workspaces yet: press c to create one');
    // Given the wizard, When the user picks local and types a name…
    await send('c');
    await waitFor('> local');
    await send('Enter');
    await waitFor('> name:');
    type('E2e');
    await waitFor('lowercase letters, digits and single hyphens');
    await send('BSpace', 'BSpace', 'BSpace');
    type('e2e-one');
    await send('Enter');
    await waitFor('> none (set parameters)');
    await send('Enter');
    await waitFor('parameter 1/2');
    await send('Enter');
    await waitFor('parameter 2/2');
    await send('Enter');
    await waitFor('+ terraform_data.workspace[0]');
    await send('Enter');
    // …Then the first build's live log runs through its stages to running.
    await waitFor('logs · e2e-one · build #1');
    const done = await waitFor('✔ build #1 (start) succeeded · workspace running');
    for (const stage of ['init', 'plan', 'apply']) expect(done).toMatch(new RegExp(`✔ ${stage} \\[\\d`));
    await send('Escape');
    await waitFor(/> e2e-one\s+local\s+running/);

    // Stop asks first; Escape/Enter keep it running, y stops it.
    await send('x');
    await waitFor('Stop e2e-one? (y/N)');
    await send('Enter');
    await waitFor('cancelled: nothing changed');
    await send('x');
    await waitFor('Stop e2e-one? (y/N)');
    await send('y');
    await waitFor('logs · e2e-one · build #2');
    await waitFor('✔ build #2 (stop) succeeded · workspace stopped');
    await send('Escape');
    await waitFor(/> e2e-one\s+local\s+stopped/);

    // The history tab shows the stop.
    await send('Enter');
    await waitFor(/e2e-one\s+ info/);
    await send(']', ']', ']', ']');
    const history = await waitFor('Temporal UI: http://localhost:8233');
    expect(history).toContain('build #2 succeeded');
    expect(history).toContain('stop requested by user:default/dev');
    await send('Escape');

    // Ctrl-C in a live log detaches; the build is not cancelled and finishes.
    await send('s');
    await waitFor('logs · e2e-one · build #3');
    await send('C-c');
    await waitFor('detached from build #3 of e2e-one: it keeps running');
    const until = Date.now() + 60_000;
    let ws;
    do {
      ws = (await cli(['show', 'e2e-one', '-o', 'json'], { env })).json();
      if (ws.latest_build.job_status === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 300));
    } while (Date.now() < until);
    expect(ws.latest_build).toMatchObject({ build_number: 3, transition: 'start', job_status: 'succeeded' });
    await waitFor(/> e2e-one\s+local\s+running/);

    await send('q');
    await waitFor('berth-exited-0');
  });
});
