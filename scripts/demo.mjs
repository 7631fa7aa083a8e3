#!/usr/bin/env node
/**
 * `npm run demo`: drives one workspace through its whole life against a running `npm start`
 * stack, printing each build's log live.
 *
 *   create (start) → stop → start → restart (stop + start) → delete
 *
 *   node scripts/demo.mjs          the full tour; the workspace is deleted at the end
 *   node scripts/demo.mjs --keep   skip the delete: the workspace is left running
 *
 * Environment: TEMPORAL_ADDRESS (localhost:7233), TEMPORAL_NAMESPACE (default), DATABASE_URL
 * (postgres://berth:berth@127.0.0.1:<BERTH_PG_PORT or 54329>/berth), BERTH_TASK_QUEUE (berth).
 * Exit codes: 0 done, 1 the stack is not reachable or a build failed, 2 bad usage, 130 Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const DIST_INDEX = join(ROOT, 'workflows', 'dist', 'index.js');
const OWNER = 'user:default/guest';
const TEMPLATE = 'local';
const POLL_MS = 300;
const HINT = 'is `npm start` running?';

const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (s) => (tty ? `\x1b[${code}m${s}\x1b[0m` : String(s));
const dim = paint('2');
const bold = paint('1');
const red = paint('31');
const green = paint('32');
const yellow = paint('33');

function fail(msg) {
  console.error(`${red('demo:')} ${msg}`);
  process.exit(1);
}

const args = process.argv.slice(2);
for (const a of args) {
  if (a === '-h' || a === '--help') { console.log('usage: node scripts/demo.mjs [--keep]   (npm run demo [-- --keep])'); process.exit(0); }
  if (a !== '--keep') { console.error(`demo: unknown argument ${a}\nusage: node scripts/demo.mjs [--keep]`); process.exit(2); }
}
const keep = args.includes('--keep');

if (!existsSync(DIST_INDEX)) fail(`workflows/dist is not built: run \`npm start\` first (it builds), or \`npm run build\`.`);
const berth = createRequire(import.meta.url)(DIST_INDEX);

const temporalSettings = berth.temporalSettingsFromEnv(process.env);
const databaseUrl = process.env.DATABASE_URL || `postgres://berth:berth@127.0.0.1:${process.env.BERTH_PG_PORT || 54329}/berth`;
const taskQueue = process.env.BERTH_TASK_QUEUE || berth.CONTROL_QUEUE;

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000}s`)), ms); }),
  ]);
}

const oneLine = (e) => String(e?.message ?? e).split('\n')[0];
const mask = (url) => url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:****@');

/** Resolves null when host:port accepts a TCP connection, else the error message. */
function probe(host, port, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (err) => { sock.destroy(); resolve(err); };
    sock.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000}s`));
    sock.once('connect', () => done(null));
    sock.once('error', (e) => done(e.message));
  });
}

// ---- connect (each failure is one clear line) -----------------------------------------------

// TCP probes first: quick, and they keep the drivers from printing their own retry noise.
{
  let u;
  try { u = new URL(databaseUrl); } catch { fail(`DATABASE_URL is not a valid URL: ${mask(databaseUrl)}`); }
  const pgErr = await probe(u.hostname.replace(/^\[|\]$/g, ''), Number(u.port || 5432));
  if (pgErr) fail(`cannot reach Postgres at ${mask(databaseUrl)} (${pgErr}) — ${HINT}`);
  const m = /^(.*):(\d+)$/.exec(temporalSettings.address);
  if (m) {
    const tErr = await probe(m[1].replace(/^\[|\]$/g, ''), Number(m[2]));
    if (tErr) fail(`cannot reach Temporal at ${temporalSettings.address} (${tErr}) — ${HINT}`);
  }
}

const db = berth.connectDb(databaseUrl, { max: 4 });
try {
  await withTimeout(db.raw('select 1'), 5000, 'Postgres');
} catch (e) {
  fail(`cannot reach Postgres at ${mask(databaseUrl)} (${oneLine(e)}) — ${HINT}`);
}
let connection;
let client;
try {
  ({ connection, client } = await withTimeout(berth.connectClient(temporalSettings), 8000, 'Temporal'));
} catch (e) {
  await db.destroy();
  fail(`cannot reach Temporal at ${temporalSettings.address} (${oneLine(e)}) — ${HINT}`);
}
async function close() {
  await connection?.close().catch(() => undefined);
  await db.destroy().catch(() => undefined);
}
async function die(msg) {
  await close();
  fail(msg);
}

try {
  const tq = await connection.workflowService.describeTaskQueue({
    namespace: temporalSettings.namespace, taskQueue: { name: taskQueue, kind: 1 }, taskQueueType: 1,
  });
  const recent = (tq.pollers ?? []).filter((p) => {
    const s = Number(p.lastAccessTime?.seconds ?? 0);
    return s === 0 || Date.now() / 1000 - s < 90;
  });
  if (recent.length === 0) await die(`no Berth worker is polling task queue ${taskQueue} on ${temporalSettings.address} — ${HINT}`);
} catch (e) {
  await die(`Temporal at ${temporalSettings.address} did not answer (${oneLine(e)}) — ${HINT}`);
}
try {
  const tpl = await berth.findTemplateByName(db, TEMPLATE);
  if (!tpl) await die(`template "${TEMPLATE}" not found in ${mask(databaseUrl)} — \`npm start\` seeds it; ${HINT}`);
} catch (e) {
  await die(`cannot read templates (${oneLine(e)}) — has \`npm start\` migrated this database? ${HINT}`);
}

const api = new berth.BerthClient({ db, temporal: client, taskQueue });

// ---- helpers --------------------------------------------------------------------------------

let current = null; // { id, name } of the demo workspace, for the Ctrl-C message
process.on('SIGINT', () => {
  console.log(`\n${yellow('interrupted.')}${current ? ` Workspace ${current.name} (${current.id}) is left as it is.` : ''}`);
  process.exit(130);
});

const t0 = Date.now();
const secs = (ms) => `${(ms / 1000).toFixed(1)}s`;

function heading(text) {
  console.log(`\n${bold(`== ${text}`)}`);
}

function statusColor(s) {
  if (s === 'running' || s === 'succeeded' || s === 'stopped' || s === 'deleted') return green(s);
  if (s === 'failed' || s === 'canceled') return red(s);
  return yellow(s);
}

/**
 * Streams the log of build `number` until it is no longer active (polling `after` seq), then
 * prints its result. @returns the finished build
 */
async function follow(wsId, number) {
  let after = 0;
  const started = Date.now();
  const drain = async () => {
    const lines = await api.getBuildLogs(wsId, number, after);
    for (const l of lines) {
      after = Math.max(after, l.seq);
      const text = `${dim(`[${l.stage}]`)} ${l.output}`;
      console.log(l.level === 'error' ? red(text) : text);
    }
  };
  let build;
  for (;;) {
    await drain();
    build = await api.getBuild(wsId, number);
    if (!berth.isActiveJob(build.jobStatus)) break;
    if (Date.now() - started > 10 * 60_000) await die(`build #${number} still ${build.jobStatus} after 10 minutes`);
    await sleep(POLL_MS);
  }
  await drain(); // lines written between the last poll and completion
  const took = build.startedAt && build.completedAt ? ` in ${secs(new Date(build.completedAt) - new Date(build.startedAt))}` : '';
  console.log(`${bold(`build #${build.buildNumber}`)} ${build.transition} (reason ${build.reason}): ${statusColor(build.jobStatus)}${took}`);
  if (build.explanation) console.log(`  explanation: ${build.explanation}`);
  if (build.error) console.log(red(`  error: ${build.error}`));
  return build;
}

async function showWorkspace(wsId) {
  const ws = await api.getWorkspace(wsId);
  const b = ws.latestBuild;
  console.log(`workspace ${bold(ws.name)}: ${statusColor(ws.status)}${b ? ` (latest build #${b.buildNumber} ${b.transition}, ${b.jobStatus})` : ''}`);
  return ws;
}

function showOutputs(build) {
  const o = build.outputs ?? {};
  const pid = o.pid ?? null;
  let alive = '';
  if (typeof pid === 'number') alive = existsSync(`/proc/${pid}`) ? ' (process alive)' : ' (no such process on this machine)';
  console.log(`outputs: home=${o.home ?? '-'}  pid=${pid ?? '-'}${alive}  running=${o.running ?? '-'}`);
}

async function checkOk(build, what) {
  if (build.jobStatus !== 'succeeded') {
    await die(`${what} build #${build.buildNumber} ${build.jobStatus}${build.error ? `: ${build.error}` : ''} (workspace ${current.name}, id ${current.id}, left as it is)`);
  }
}

/** Waits for build `number` to exist (a restart's start build is written after its stop build succeeds). */
async function waitForBuildRow(wsId, number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const builds = await api.listBuilds(wsId);
    if (builds.some((b) => b.buildNumber === number)) return;
    if (Date.now() > deadline) await die(`build #${number} of ${current.name} did not appear within ${timeoutMs / 1000}s`);
    await sleep(POLL_MS);
  }
}

async function request(kind) {
  heading(kind);
  let ref;
  try {
    ref = await api.requestBuild(current.id, { kind, initiator: OWNER });
  } catch (e) {
    await die(`${kind} refused: ${oneLine(e)}`);
  }
  console.log(dim(`requested ${kind}: build #${ref.buildNumber} (${ref.transition})${ref.followedBy ? `, then a ${ref.followedBy} build` : ''}`));
  const first = await follow(current.id, ref.buildNumber);
  await checkOk(first, kind);
  let last = first;
  if (ref.followedBy) {
    await waitForBuildRow(current.id, ref.buildNumber + 1);
    last = await follow(current.id, ref.buildNumber + 1);
    await checkOk(last, kind);
  }
  await showWorkspace(current.id);
  return last;
}

// ---- the tour -------------------------------------------------------------------------------

const name = `demo-${randomBytes(3).toString('hex').slice(0, 4)}`;
const workspacesRoot = join(ROOT, '.berth', 'workspaces');
console.log(`Berth demo against Temporal ${temporalSettings.address} and ${mask(databaseUrl)}`);
heading(`create ${name} (template ${TEMPLATE}, owner ${OWNER})`);
let created;
try {
  created = await api.createWorkspace({ owner: OWNER, name, template: TEMPLATE, parameters: { workspaces_root: workspacesRoot } });
} catch (e) {
  await die(`create failed: ${oneLine(e)}`);
}
current = { id: created.workspace.id, name };
console.log(dim(`workspace id ${current.id}; first build #${created.build.buildNumber} (${created.build.transition})`));
let build = await follow(current.id, created.build.buildNumber);
await checkOk(build, 'start');
await showWorkspace(current.id);
showOutputs(build);

await request('stop');
build = await request('start');
showOutputs(build);
build = await request('restart');
showOutputs(build);

if (keep) {
  const ws = await api.getWorkspace(current.id);
  console.log(`\n--keep: ${bold(name)} is left ${ws.status} (id ${current.id}, home ${build.outputs?.home ?? '?'}).`);
  console.log(`Its history is in the Temporal UI: search WorkspaceId="${current.id}".`);
} else {
  await request('delete');
  const builds = await api.listBuilds(current.id);
  console.log(`\n${builds.length} builds: ${builds.slice().sort((a, b) => a.buildNumber - b.buildNumber).map((b) => `#${b.buildNumber} ${b.transition} ${b.jobStatus}`).join(', ')}`);
  const home = build.outputs?.home;
  if (home) console.log(`home ${home}: ${existsSync(home) ? red('still exists') : 'removed'}`);
}
console.log(`\ndemo done in ${secs(Date.now() - t0)}`);
await close();
process.exit(0);
