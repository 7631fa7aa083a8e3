/** The TUI's views and key handling, rendered with ink-testing-library inside act(). */
import { describe, expect, it } from '@jest/globals';
import { act } from 'react';
import { App } from '../src/tui/App.js';
import { KEYMAP, footerHints } from '../src/tui/keymap.js';
import { fakeClient, logLine, workspace } from './helpers/fake-client.js';
import { keys, render } from './helpers/ink.js';

const three = () => [workspace('alpha'), workspace('beta', { status: 'stopped' }), workspace('gamma')];

async function app(list = three(), opts: { columns?: number; rows?: number; refreshMs?: number } = {}) {
  const fake = fakeClient(list);
  const r = await render(<App client={fake.client} url="http://berth.test/api/berth" refreshMs={opts.refreshMs ?? 60_000} />, opts);
  await r.waitFor('> alpha');
  return { ...r, ...fake };
}

describe('App home', () => {
  it('shows the table with a selection marker and moves with j/k, arrows, g/G', async () => {
    const t = await app();
    expect(t.frame()).toMatch(/NAME\s+TEMPLATE\s+STATUS\s+LAST BUILT\s+AUTOSTOP/);
    await t.press('j');
    expect(t.frame()).toContain('> beta');
    await t.press(keys.down);
    expect(t.frame()).toContain('> gamma');
    await t.press('k');
    expect(t.frame()).toContain('> beta');
    await t.press('G');
    expect(t.frame()).toContain('> gamma');
    await t.press('g');
    expect(t.frame()).toContain('> alpha');
    await t.unmount();
  });

  it('handles keys that arrive together ("jj" moves twice)', async () => {
    const t = await app();
    await t.press('jj');
    expect(t.frame()).toContain('> gamma');
    await t.press('\u001b[Ak');
    expect(t.frame()).toContain('> alpha');
    await t.unmount();
  });

  it('keeps the selection by id across a live refresh that reorders rows', async () => {
    const t = await app(three(), { refreshMs: 50 });
    await t.press('j');
    expect(t.frame()).toContain('> beta');
    await act(async () => { t.state.workspaces.unshift(workspace('aaa-first')); t.state.workspaces.reverse(); });
    await t.waitFor('aaa-first');
    expect(t.frame()).toContain('> beta');
    await t.unmount();
  });

  it('filters with /, clears with Esc', async () => {
    const t = await app();
    await t.press('/', 'g', 'a');
    await t.waitFor('filter: ga');
    expect(t.frame()).toContain('> gamma');
    expect(t.frame()).not.toContain('alpha');
    await t.press(keys.enter);
    await t.press('/', keys.escape);
    await t.waitFor((f) => f.includes('alpha') && f.includes('beta'));
    await t.press('/', ...'status:stopped', keys.enter);
    await t.waitFor((f) => f.includes('> beta') && !f.includes('gamma'));
    await t.unmount();
  });

  it('? shows help generated from the keymap table, and the footer uses the same table', async () => {
    const t = await app();
    await t.press('?');
    const f = await t.waitFor('Keys (home)');
    for (const b of KEYMAP.filter((x) => x.views.includes('home'))) expect(f).toContain(b.description);
    await t.press('z');
    await t.waitFor((fr) => !fr.includes('Keys (home)'));
    expect(t.frame()).toContain(footerHints('home', 100).slice(0, 30));
    await t.unmount();
  });

  it('footer hints collapse on a narrow terminal', async () => {
    const t = await app();
    expect(t.frame()).toContain('q quit');
    await t.resize(40);
    await t.waitFor((f) => !f.includes('q quit'));
    expect(t.frame()).toContain('Enter open');
    await t.unmount();
  });
});

describe('App actions', () => {
  it('x asks "Stop alpha? (y/N)"; Enter (default No) changes nothing', async () => {
    const t = await app();
    await t.press('x');
    await t.waitFor('Stop alpha? (y/N)');
    await t.press(keys.enter);
    await t.waitFor('cancelled: nothing changed');
    expect(t.calls.filter((c) => c.method === 'createBuild')).toEqual([]);
    await t.unmount();
  });

  it('"xy" arriving together stops the workspace and opens its live log', async () => {
    const t = await app();
    await t.press('xy');
    await t.waitFor('logs · alpha · build #2');
    expect(t.calls).toContainEqual({ method: 'createBuild', args: [t.state.workspaces[0].id, { transition: 'stop' }] });
    await t.unmount();
  });

  it('D needs the exact name; a wrong name deletes nothing', async () => {
    const t = await app();
    await t.press('j', 'D');
    await t.waitFor('Delete beta and its resources?');
    await t.press('b', 'e', keys.enter);
    await t.waitFor('the name did not match');
    expect(t.calls.some((c) => c.method === 'deleteWorkspace')).toBe(false);
    await t.press('D', 'beta', keys.enter);
    await t.waitFor('logs · beta · build #9');
    expect(t.calls).toContainEqual({ method: 'deleteWorkspace', args: [t.state.workspaces[1].id] });
    await t.unmount();
  });

  it('s starts, u updates, R and C ask first', async () => {
    const list = three();
    list[1].latest_build = { ...list[1].latest_build!, job_status: 'running' };
    const t = await app(list);
    await t.press('s');
    await t.waitFor('logs · alpha');
    await t.press(keys.escape);
    await t.waitFor('> alpha');
    await t.press('u');
    await t.waitFor('logs · alpha');
    await t.press(keys.escape, 'R');
    await t.waitFor('Restart alpha? (y/N)');
    await t.press('n', 'j', 'C');
    await t.waitFor('Cancel build #1 (start) of beta? (y/N)');
    await t.press('y');
    await t.waitFor('beta: build #1 canceling');
    expect(t.calls.map((c) => c.method === 'createBuild' ? (c.args[1] as { transition: string }).transition : c.method)).toEqual(['start', 'update', 'cancelBuild']);
    await t.unmount();
  });
});

describe('App log view', () => {
  it('shows stages with spinners, then ticks and durations; Ctrl-C detaches without cancelling', async () => {
    const t = await app();
    await t.press('l');
    await t.waitFor('logs · alpha · build #1');
    const f = t.follows[0];
    const t0 = Date.now() - 5000;
    await act(async () => {
      f.opts.onLog(logLine(1, 'init', 'Initializing the backend...', t0));
      f.opts.onLog(logLine(2, 'init', 'OpenTofu has been successfully initialized!', t0 + 100));
      f.opts.onLog(logLine(3, 'plan', 'Plan: 2 to add', t0 + 250));
      await new Promise((r) => setTimeout(r, 150));
    });
    const mid = await t.waitFor('✔ init [250ms]');
    expect(mid).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] plan/);
    await t.press(keys.ctrlC);
    await t.waitFor('detached from build #1 of alpha: it keeps running');
    expect(f.aborted).toBe(true);
    expect(t.calls.some((c) => c.method === 'cancelBuild')).toBe(false);
    expect(t.frame()).toContain('> alpha');
    await t.unmount();
  });

  it('marks the last stage done and prints the final status when the build ends', async () => {
    const t = await app();
    await t.press('l');
    await t.waitFor('logs · alpha');
    const f = t.follows[0];
    const t0 = Date.now() - 3000;
    await act(async () => {
      f.opts.onLog(logLine(1, 'plan', 'Plan: 2 to add', t0));
      f.opts.onLog(logLine(2, 'apply', 'Apply complete!', t0 + 40));
      f.opts.onLog(logLine(3, 'apply', 'Outputs: 3', t0 + 540));
      f.finish('succeeded');
    });
    await t.waitFor('✔ build #1 (start) succeeded · workspace running');
    expect(t.frame()).toContain('✔ plan [40ms]');
    expect(t.frame()).toContain('✔ apply [500ms]');
    await t.unmount();
  });
});

describe('App detail', () => {
  it('Enter opens tabs info / builds / logs / schedule / history; ] and [ switch; Esc goes back', async () => {
    const t = await app();
    await t.press(keys.enter);
    await t.waitFor(/alpha\s+ info\s+builds/);
    expect(t.frame()).toContain('last build');
    await t.press(']');
    await t.waitFor('stop requested');
    await t.press(']', ']');
    await t.waitFor('next starts');
    await t.press(']');
    await t.waitFor('Temporal UI: http://temporal/ui');
    expect(t.frame()).toContain('build #2 requested: stop');
    expect(t.frame()).toContain('[autostop]');
    expect(t.frame()).toContain('stopped: deadline reached');
    await t.press('[', '[', '[', '[');
    await t.waitFor('last build');
    await t.press(keys.escape);
    await t.waitFor('> alpha');
    await t.unmount();
  });
});

describe('Create wizard', () => {
  it('template → name validated as typed → parameter checked → review with resources → create → live log', async () => {
    const t = await app();
    await t.press('c');
    await t.waitFor('> local');
    await t.press(keys.enter);
    await t.waitFor('> name:');
    await t.press('Bad');
    await t.waitFor('lowercase letters, digits and single hyphens');
    await t.press(keys.enter);
    expect(t.frame()).toContain('name: Bad');
    await t.press(keys.backspace, keys.backspace, keys.backspace, 'dev-2', keys.enter);
    await t.waitFor('parameter 1/1: CPU');
    await t.press(keys.backspace, '9');
    await t.waitFor('at most 8');
    await t.press(keys.enter);
    expect(t.frame()).toContain('parameter 1/1');
    await t.press(keys.backspace, '4', keys.enter);
    await t.waitFor('+ terraform_data.workspace[0]');
    expect(t.frame()).toContain('cpu = 4');
    await t.press(keys.enter);
    await t.waitFor('logs · dev-2 · build #1');
    expect(t.calls).toContainEqual({ method: 'createWorkspace', args: [{ name: 'dev-2', template: 'local', parameters: { cpu: '4' } }] });
    await t.unmount();
  });
});

describe('Schedule editor', () => {
  it('previews the next start while typing, refuses a bad time, saves on Enter', async () => {
    const t = await app();
    await t.press('e');
    await t.waitFor('schedule · alpha');
    await t.press('25:00');
    await t.waitFor('"25:00" is not a time of day');
    await t.press(...Array(5).fill(keys.backspace), '09:00 Mon-Fri UTC');
    await t.waitFor('next starts: Mon 2026-12-07 09:00');
    expect(t.calls.filter((c) => c.method === 'previewSchedule').at(-1)?.args[1]).toEqual({ autostart_schedule: 'CRON_TZ=UTC 0 9 * * 1-5', ttl_ms: null, count: 3 });
    await t.press(keys.tab, '8h', keys.enter);
    await t.waitFor('alpha: autostart');
    expect(t.calls).toContainEqual({ method: 'putSchedule', args: [t.state.workspaces[0].id, { autostart_schedule: 'CRON_TZ=UTC 0 9 * * 1-5', ttl_ms: 8 * 3_600_000 }] });
    await t.unmount();
  });
});

describe('App detail (keys together)', () => {
  it('"]]]]" arriving in one chunk moves four tabs', async () => {
    const t = await app();
    await t.press(keys.enter);
    await t.waitFor('last build');
    await t.press(']]]]');
    await t.waitFor('Temporal UI: http://temporal/ui');
    await t.unmount();
  });
});

describe('text fields (keys together)', () => {
  it('several Backspaces in one chunk delete as many characters', async () => {
    const t = await app();
    await t.press('c');
    await t.waitFor('> local');
    await t.press(keys.enter, 'abcd', '\u007f\u007f\u007f');
    await t.waitFor(/> name: a\s*$/m);
    await t.unmount();
  });
});

describe('Create wizard (keys together)', () => {
  it('a name and Enter arriving in one chunk move on to the parameters', async () => {
    const t = await app();
    await t.press('c');
    await t.waitFor('> local');
    await t.press('\r');
    await t.waitFor('> name:');
    await t.press('dev-3\r');
    await t.waitFor('parameter 1/1: CPU');
    await t.unmount();
  });
});

describe('App log view (scrolling)', () => {
  it('k scrolls up and pauses following; G follows again', async () => {
    const t = await app(three(), { rows: 12 });
    await t.press('l');
    await t.waitFor('logs · alpha');
    const f = t.follows[0];
    await act(async () => {
      for (let i = 1; i <= 30; i++) f.opts.onLog(logLine(i, 'apply', `line ${i}`, Date.now() - 1000 + i));
      await new Promise((r) => setTimeout(r, 150));
    });
    await t.waitFor('line 30');
    await t.press('k', 'k', 'k');
    await t.waitFor('(paused: G follows)');
    expect(t.frame()).not.toContain('line 30');
    await t.press('G');
    await t.waitFor((fr) => fr.includes('line 30') && !fr.includes('paused'));
    await t.unmount();
  });
});

describe('Command palette', () => {
  it(': runs commands on a named workspace, Tab completes, unknown commands say so', async () => {
    const t = await app();
    await t.press(':', 's', 't', 'o', keys.tab);
    await t.waitFor(/^:stop\s*$/m);
    await t.press('b', keys.tab);
    await t.waitFor(/^:stop beta\s*$/m);
    await t.press(keys.enter);
    await t.waitFor('Stop beta? (y/N)');
    await t.press('n');
    await t.press(':logs gamma', keys.enter);
    await t.waitFor('logs · gamma · build #1');
    await t.press(keys.escape, ':frob', keys.enter);
    await t.waitFor('unknown command "frob"');
    await t.press(':filter status:stopped\r');
    await t.waitFor((f) => f.includes('> beta') && !f.includes('gamma'));
    await t.unmount();
  });
});
