/**
 * The development backend (dev/index.ts, app-config.yaml) as a real process: `node
 * dist-dev/dev/index.js` against the run's Postgres and a real Temporal dev server. Proves the
 * guest sign-in, the example catalog, Berth's policy module (the guest is a Berth admin through
 * the catalog group), the berth plugin on the worker's database (no backstage_plugin_berth),
 * 401 without a token, and a clean SIGTERM shutdown.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { connectDb, resolveTemporalCli, SEARCH_ATTRIBUTES, testing, type Db } from '@berth/workflows';
import { eventually } from './support/api-stack';

const PKG = path.join(__dirname, '..');
const INDEX = path.join(PKG, 'dist-dev', 'dev', 'index.js');
const GUEST = 'user:development/guest';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

let db: Db;
let dbName: string;
let env: TestWorkflowEnvironment;
let child: ChildProcess;
let base: string;
let prefix: string;
const output: string[] = [];
const lastOutput = () => output.slice(-40).join('').replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex

async function status(urlPath: string, token?: string): Promise<number> {
  const res = await fetch(`${base}${urlPath}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  await res.arrayBuffer();
  return res.status;
}

async function getJson<T = Record<string, unknown>>(urlPath: string, token?: string): Promise<T> {
  const res = await fetch(`${base}${urlPath}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${urlPath}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function guestToken(): Promise<string> {
  const res = await fetch(`${base}/api/auth/guest/refresh`, { method: 'POST' });
  const body = await res.json() as { backstageIdentity?: { token?: string } };
  expect(res.status).toBe(200);
  expect(body.backstageIdentity?.token).toBeTruthy();
  return body.backstageIdentity!.token!;
}

beforeAll(async () => {
  if (!fs.existsSync(INDEX)) {
    // `npm run build` in this package emits it; build here when a bare jest run comes first.
    const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(PKG, 'tsconfig.dev.json')], { cwd: PKG, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`tsc -p tsconfig.dev.json failed (${r.status})`);
  }
  const created = await testing.createTestDatabase({ prefix: 'berth_devbackend', max: 2 });
  db = created.db;
  dbName = created.name;
  env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: resolveTemporalCli().path }, searchAttributes: SEARCH_ATTRIBUTES },
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  prefix = `devtest_${crypto.randomBytes(4).toString('hex')}_`;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: created.url,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: 'default',
    BERTH_BACKSTAGE_PORT: String(port),
    BERTH_BACKSTAGE_DB_PREFIX: prefix,
  };
  delete childEnv.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the backend
  child = spawn(process.execPath, [INDEX], { cwd: PKG, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const s of [child.stdout!, child.stderr!]) {
    s.setEncoding('utf8');
    s.on('data', (c: string) => { output.push(c); if (output.length > 400) output.shift(); });
  }
  await eventually('the dev backend to be ready', async () => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode}):\n${lastOutput()}`);
    return (await status('/api/berth/health')) === 200 && (await status('/.backstage/health/v1/readiness')) === 200;
  }, 150_000, 500).catch((e: Error) => { throw new Error(`${e.message}\n${lastOutput()}`); });
}, 240_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  await env?.teardown();
  await db?.destroy();
});

it('answers 401 without a token and 200 with the guest token', async () => {
  expect(await status('/api/berth/workspaces')).toBe(401);
  expect(await status('/api/berth/workspaces', 'not-a-token')).toBe(401);
  const token = await guestToken();
  expect(await getJson('/api/berth/workspaces', token)).toEqual({ workspaces: [], count: 0 });
  expect(await status('/api/berth/templates', token)).toBe(200);
  expect(await status('/api/berth/openapi.json')).toBe(200);
});

it('serves the example catalog: components annotated berth.dev/template', async () => {
  const token = await guestToken();
  const demo = await eventually('component berth-demo in the catalog', () =>
    getJson<{ metadata: { annotations: Record<string, string> } }>('/api/catalog/entities/by-name/component/default/berth-demo', token).catch(() => null), 90_000, 500);
  expect(demo!.metadata.annotations['berth.dev/template']).toBe('local');
  expect(demo!.metadata.annotations['berth.dev/preset']).toBe('default');
  const annotated = await getJson<Array<{ metadata: { name: string } }>>(`/api/catalog/entities?filter=${encodeURIComponent('metadata.annotations.berth.dev/template')}`, token);
  expect(annotated.map((e) => e.metadata.name).sort()).toEqual(['berth-demo', 'berth-website']);
});

it('signs the guest in as a catalog user in berth-admins: /me is admin', async () => {
  // The catalog user with its memberOf relation (stitched), then a fresh sign-in resolves it.
  await eventually('user:development/guest with memberOf in the catalog', async () => {
    const token = await guestToken();
    const u = await getJson<{ relations?: Array<{ type: string; targetRef: string }> }>('/api/catalog/entities/by-name/user/development/guest', token).catch(() => null);
    return u?.relations?.some((r) => r.type === 'memberOf' && r.targetRef === 'group:default/berth-admins');
  }, 90_000, 500);
  const token = await guestToken();
  const me = await getJson<{ user: string; ownership: string[]; admin: boolean; via: string }>('/api/berth/me', token);
  expect(me).toEqual({ user: GUEST, ownership: expect.arrayContaining([GUEST, 'group:default/berth-admins']), admin: true, via: 'backstage' });
});

it('runs the berth plugin on the worker database (DATABASE_URL), other plugins on <prefix><pluginId>', async () => {
  const admin = connectDb(process.env.BERTH_TEST_PG_URL!, { max: 1 });
  try {
    const names = (await admin.raw('select datname from pg_database')).rows.map((r: { datname: string }) => r.datname) as string[];
    expect(names).toEqual(expect.arrayContaining([dbName, `${prefix}catalog`, `${prefix}auth`]));
    expect(names).not.toContain(`${prefix}berth`);
  } finally {
    await admin.destroy();
  }
  // The plugin's own table (API tokens) is in the worker's database.
  expect(await db.schema.hasTable('api_tokens')).toBe(true);
});

it('stops cleanly on SIGTERM', async () => {
  const t = Date.now();
  child.kill('SIGTERM');
  const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.once('exit', (c, s) => r([c, s])));
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  expect(Date.now() - t).toBeLessThan(15_000);
});
