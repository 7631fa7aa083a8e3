/**
 * Child process of test/bench/tui.mjs: renders the real TUI (tui/dist) against the Berth API
 * into an in-memory 120x40 TTY, then measures (1) time from render() to the first frame that
 * shows workspace rows and (2) per-keypress time from writing `j` to stdin to the frame that
 * shows the moved selection. Prints one JSON line. Lives in tui/ so that ink and react resolve
 * to the TUI's own copies. Env: BERTH_URL, BERTH_TOKEN, KEYPRESSES (default 200), KEY_GAP_MS (default 50),
 * EXPECT (row count). Uses the same Ink options as the real terminal (RENDER_OPTIONS) and, like
 * the `berth` binary, React's production build (NODE_ENV=production set by the parent).
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { createElement } from 'react';
import { render } from 'ink';
import { BerthApiClient } from '@berth/backstage-plugin-common';
import { App } from '../dist/tui/App.js';
import { RENDER_OPTIONS } from '../dist/tui/start.js';

const KEYS = Number(process.env.KEYPRESSES ?? 200);
const EXPECT = Number(process.env.EXPECT ?? 0);
/** Pause between key presses: 50 ms is 20 keys/s, a fast typist or key repeat. */
const GAP_MS = Number(process.env.KEY_GAP_MS ?? 50);

class Stdout extends EventEmitter {
  isTTY = true;
  columns = 120;
  rows = 40;
  frames = [];
  waiters = [];
  write = (s) => {
    const at = performance.now();
    const text = String(s);
    for (const w of this.waiters.slice()) if (w.test(text)) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(at); }
    return true;
  };
  /** Resolves with the time of the next write whose text passes `test`. */
  next(test, timeoutMs = 60_000) {
    return new Promise((resolve, reject) => {
      const w = { test, resolve: (at) => { clearTimeout(t); resolve(at); } };
      const t = setTimeout(() => { this.waiters.splice(this.waiters.indexOf(w), 1); reject(new Error(`no frame matching ${test} in ${timeoutMs} ms`)); }, timeoutMs);
      this.waiters.push(w);
    });
  }
}
class Stdin extends EventEmitter {
  isTTY = true;
  data = null;
  write(data) { this.data = data; this.emit('readable'); this.emit('data', data); }
  read() { const d = this.data; this.data = null; return d; }
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

const stdout = new Stdout();
const stdin = new Stdin();
const client = new BerthApiClient({ baseUrl: process.env.BERTH_URL, token: process.env.BERTH_TOKEN });
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]; };

const anyFrame = stdout.next(() => true);
const firstRows = stdout.next((t) => /> ws-/.test(t));
const t0 = performance.now();
const app = render(createElement(App, { client, url: process.env.BERTH_URL, refreshMs: 600_000 }), { ...RENDER_OPTIONS, stdout, stdin, stderr: stdout, patchConsole: false });
const firstPaint = (await anyFrame) - t0;
const firstFrame = (await firstRows) - t0;
const allLoaded = (await stdout.next((t) => new RegExp(`1/${EXPECT || '\\d{4,}'}`).test(t))) - t0;
const times = [];
for (let i = 0; i < KEYS; i++) {
  const want = `${i + 2}/${EXPECT}`;
  const frame = stdout.next((t) => t.includes(want), 10_000);
  const at = performance.now();
  stdin.write('j');
  times.push((await frame) - at);
  await new Promise((r) => setTimeout(r, GAP_MS));
}
app.unmount();
process.stdout.write(`${JSON.stringify({ first_paint_ms: firstPaint, first_frame_ms: firstFrame, all_loaded_ms: allLoaded, keypress_p50_ms: pct(times, 50), keypress_p95_ms: pct(times, 95), keypress_max_ms: Math.max(...times), keypresses: times.length })}\n`);
process.exit(0);
