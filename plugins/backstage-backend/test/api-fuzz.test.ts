/**
 * Fuzz: well over 1,000 malformed bodies, queries, path parameters, cron strings, TTLs,
 * deadlines and parameter values, from a seeded generator (reproducible: BERTH_FUZZ_SEED).
 * Every answer must be a 4xx with a readable message — never a 5xx — the server must stay up,
 * and no row may change in any table (the audit log, which records each refused call, aside).
 */
import { tableCounts, testing } from '@berth/workflows';
import { API, startApiStack, tempDir, userHeader, eventually, type ApiStack } from './support/api-stack';
import { seedLocalTemplate } from './support/seed';

const ANA = 'user:default/ana';
const SEED = Number(process.env.BERTH_FUZZ_SEED ?? 20261202);

let stack: ApiStack;
let wsId: string;
let root: string;
beforeAll(async () => {
  stack = await startApiStack();
  root = tempDir('homes');
  await seedLocalTemplate(stack);
  const ws = await stack.http().post(`${API}/workspaces`).set('Authorization', userHeader(ANA)).send({ name: 'dev', template: 'local', parameters: { workspaces_root: root } }).expect(201);
  wsId = ws.body.id;
  await eventually('first build', async () => (await stack.berth.getWorkspace(wsId)).status === 'running', 120_000);
}, 240_000);
afterAll(async () => { await stack?.teardown(); });

type Case = { what: string; method: 'get' | 'post' | 'put' | 'delete'; path: string; body?: unknown; raw?: string; contentType?: string };

function generate(): Case[] {
  const r = testing.seededRandom(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const junkString = () => pick(['', ' ', '\u0000', 'a\u0000b', 'x'.repeat(int(40, 5000)), '💥'.repeat(int(1, 40)), '../../etc/passwd', '<script>', '%00', 'DROP TABLE workspaces;--', 'Ünïcödé', '\n\t']);
  const junkValue = (): unknown => pick([null, true, false, 0, -1, 1.5, 1e308, -1e308, NaN, [], [1, 2], {}, { a: { b: [] } }, junkString(), 'valid-looking']);
  const badName = () => pick(['', 'UPPER', 'has space', 'a--b', '-lead', 'trail-', 'x'.repeat(33), 'dots.dots', 'ünï', 'a\u0000', 'under_score', '😀']);
  const badCron = () => pick([
    () => `${int(60, 99)} 9 * * 1-5`, () => `0 ${int(24, 99)} * * *`, () => `0 9 ${int(1, 28)} * *`, () => `0 9 * ${int(1, 12)} *`, () => `0 9 * * ${int(8, 20)}`,
    () => `CRON_TZ=Mars/Olympus_Mons 0 9 * * *`, () => `CRON_TZ= 0 9 * * *`, () => `TZ=UTC 0 9 * * *`, () => `0 9 * *`, () => `0 9 * * * *`,
    () => { const s = junkString(); return s.trim() ? s : '@hourly'; }, () => `@daily`, () => `0 9 L * *`, () => `0 9 * * 1-5 extra`, () => `0 9 * * MON-XYZ`, () => `CRON_TZ=Europe/Berlin 0 25 * * 1`,
  ])();
  const badTtl = () => pick([-1, 1.5, 'eight hours', '8h', 31 * 24 * 3_600_000, 1e20, true, [], {}, -0.5]);
  const badParams = () => pick([
    () => ({ nope: 'x' }), () => ({ start_delay_seconds: 'abc' }), () => ({ start_delay_seconds: 5 }), () => ({ workspaces_root: null }),
    () => ({ workspaces_root: ['a'] }), () => ({ [`p${int(0, 99)}`]: 'v' }), () => 'not-an-object', () => [1, 2, 3], () => ({ start_delay_seconds: '1e999' }),
    () => ({ ['x'.repeat(200)]: 'long name' }), () => ({ workspaces_root: 'x'.repeat(70_000) }),
  ])();
  const cases: Case[] = [];
  const ws = () => `/workspaces/${wsId}`;
  const gens: Array<() => Case> = [
    // create: one bad field at a time, everything else valid
    () => ({ what: 'create: bad name', method: 'post', path: '/workspaces', body: { name: badName(), template: 'local', parameters: { workspaces_root: root } } }),
    () => ({ what: 'create: bad template', method: 'post', path: '/workspaces', body: { name: `f${int(0, 1e6)}`, template: pick(['', 'nope', junkString(), 42, null]) } }),
    () => ({ what: 'create: bad parameters', method: 'post', path: '/workspaces', body: { name: `f${int(0, 1e6)}`, template: 'local', parameters: badParams() } }),
    () => ({ what: 'create: bad autostart cron', method: 'post', path: '/workspaces', body: { name: `f${int(0, 1e6)}`, template: 'local', parameters: { workspaces_root: root }, autostart_schedule: badCron() } }),
    () => ({ what: 'create: bad ttl', method: 'post', path: '/workspaces', body: { name: `f${int(0, 1e6)}`, template: 'local', parameters: { workspaces_root: root }, ttl_ms: badTtl() } }),
    () => ({ what: 'create: bad entity ref', method: 'post', path: '/workspaces', body: { name: `f${int(0, 1e6)}`, template: 'local', parameters: { workspaces_root: root }, entity_ref: pick(['shop', 'component:shop', 'Component:default/shop', ':default/x', 'component:default/', 7, 'component:default/a b', `component:default/${'x'.repeat(80)}`]) } }),
    () => ({ what: 'create: bad preset', method: 'post', path: '/workspaces', body: { name: `f${int(0, 1e6)}`, template: 'local', parameters: { workspaces_root: root }, preset: pick(['nope', '', 7]) } }),
    () => ({ what: 'create: extra field', method: 'post', path: '/workspaces', body: { name: `f${int(0, 1e6)}`, template: 'local', [pick(['id', 'owner_id', 'deleted', '__proto__x'])]: junkValue() } }),
    () => ({ what: 'create: bad version id', method: 'post', path: '/workspaces', body: { name: `f${int(0, 1e6)}`, template: 'local', template_version_id: pick(['v1', '00000000-0000-4000-8000-000000000000', junkString()]) } }),
    () => ({ what: 'create: body not an object', method: 'post', path: '/workspaces', body: junkValue() }),
    () => ({ what: 'create: invalid JSON', method: 'post', path: '/workspaces', raw: pick(['{', '{"name":', 'nul', '[1,', '{"a":1}}', '\u0000', '{"name": "x", }']), contentType: 'application/json' }),
    // builds
    () => ({ what: 'build: bad transition', method: 'post', path: `${ws()}/builds`, body: { transition: pick(['pause', '', 'START', null, 1, 'restart ']) } }),
    () => ({ what: 'build: bad parameters', method: 'post', path: `${ws()}/builds`, body: { transition: 'start', parameters: badParams() } }),
    () => ({ what: 'build: bad version', method: 'post', path: `${ws()}/builds`, body: { transition: 'start', template_version_id: pick(['x', '00000000-0000-4000-8000-000000000000']) } }),
    () => ({ what: 'build: unknown workspace', method: 'post', path: `/workspaces/${pick(['nope', '00000000-0000-4000-8000-000000000000', '%00', 'x'.repeat(300)])}/builds`, body: { transition: 'stop' } }),
    () => ({ what: 'cancel: bad build number', method: 'post', path: `${ws()}/builds/${pick(['0', '-1', 'abc', '1.5', '99999999999', '1e3', '%20'])}/cancel` }),
    () => ({ what: 'cancel: finished build', method: 'post', path: `${ws()}/builds/1/cancel` }),
    () => ({ what: 'get build: bad number', method: 'get', path: `${ws()}/builds/${pick(['0', '-3', 'x', '2147483648', '999'])}` }),
    () => ({ what: 'logs: bad query', method: 'get', path: `${ws()}/builds/1/logs?${pick(['after=-1', 'after=abc', 'after=1.5', 'follow=maybe', 'colour=red', 'after=1e400'])}` }),
    // schedule
    () => ({ what: 'schedule: bad cron', method: 'put', path: `${ws()}/schedule`, body: { autostart_schedule: badCron() } }),
    () => ({ what: 'schedule: bad ttl', method: 'put', path: `${ws()}/schedule`, body: { ttl_ms: badTtl() } }),
    () => ({ what: 'schedule: empty body', method: 'put', path: `${ws()}/schedule`, body: pick([{}, { other: 1 }, [], 'x']) }),
    () => ({ what: 'preview: bad cron', method: 'post', path: `${ws()}/schedule/preview`, body: { autostart_schedule: badCron() } }),
    () => ({ what: 'preview: bad count', method: 'post', path: `${ws()}/schedule/preview`, body: { count: pick([0, -1, 51, 1.5, 'five']) } }),
    () => ({ what: 'extend: bad deadline', method: 'post', path: `${ws()}/extend`, body: { deadline: pick(['tomorrow', '', '2026-13-45T00:00:00Z', 12345, null, new Date(Date.now() - 3_600_000).toISOString(), new Date(Date.now() + 60_000).toISOString(), '9999-12-31T23:59:59Z', '+275760-09-13T00:00:00.000Z']) } }),
    // lists and queries
    () => ({ what: 'list: bad query', method: 'get', path: `/workspaces?${pick(['q=colour:red', 'q=status:sleeping', 'q=owner:', 'q=template:%22abc', 'limit=0', 'limit=501', 'limit=x', 'offset=-1', 'sort=name', `q=${'a'.repeat(1100)}`, 'include_deleted=maybe'])}` }),
    () => ({ what: 'NUL in a query or path', method: 'get', path: pick([`/workspaces?q=${encodeURIComponent(pick(['name:a\u0000', 'a\u0000b', 'owner:\u0000', 'template:x\u0000']))}`, `/audit?actor=%00`, `/templates/local/versions/v%001`, `/templates/lo%00cal`, `${ws()}/builds/1%00`]) }),
    () => ({ what: 'audit: bad query', method: 'get', path: `/audit?${pick(['limit=0', 'limit=abc', 'limit=5000', 'page=2'])}` }),
    () => ({ what: 'history: bad format', method: 'get', path: `${ws()}/history?format=${pick(['xml', '', 'RAW'])}` }),
    // tokens
    () => ({ what: 'token: bad body', method: 'post', path: '/tokens', body: pick([{}, { name: '' }, { name: 'has space' }, { name: 'x'.repeat(65) }, { name: 'ok', lifetime_ms: pick([1, -1, 1e15, 'forever']) }, { name: 'ok', extra: 1 }]) }),
    () => ({ what: 'token: revoke unknown', method: 'delete', path: `/tokens/${pick(['nope', '00000000-0000-4000-8000-000000000000'])}` }),
    // templates
    () => ({ what: 'template: push junk archive', method: 'post', path: `/templates/local/versions`, raw: pick(['not a tarball', '\u001f\u008b\u0008garbage', 'x'.repeat(int(1, 3000))]), contentType: 'application/gzip' }),
    () => ({ what: 'template: push empty', method: 'post', path: `/templates/local/versions`, raw: '', contentType: 'application/gzip' }),
    () => ({ what: 'template: push bad name', method: 'post', path: `/templates/${pick(['Bad Name', 'UPPER', 'x'.repeat(80)])}/versions`, raw: 'x', contentType: 'application/gzip' }),
    () => ({ what: 'template: push bad query', method: 'post', path: `/templates/local/versions?${pick(['activate=maybe', 'tags=novalue', 'name=', `name=${'v'.repeat(70)}`, 'colour=1'])}`, raw: 'x', contentType: 'application/gzip' }),
    () => ({ what: 'template: unknown version', method: 'get', path: `/templates/local/versions/${pick(['v9', '00000000-0000-4000-8000-000000000000', '..'])}` }),
    () => ({ what: 'template: promote unknown', method: 'post', path: `/templates/${pick(['nope', 'local'])}/versions/${pick(['v9', 'nope'])}/promote` }),
  ];
  for (let i = 0; i < 1200; i++) cases.push(pick(gens)());
  // Every generator at least 5 times, whatever the draw.
  for (const g of gens) for (let i = 0; i < 5; i++) cases.push(g());
  return cases;
}

test(`fuzz: every malformed request is a 4xx with a message, nothing changes (seed ${SEED})`, async () => {
  const cases = generate();
  expect(cases.length).toBeGreaterThanOrEqual(1000);
  const before = await tableCounts(stack.db);
  const wsBefore = await stack.db('workspaces').orderBy('id');
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  for (const c of cases) {
    let req = stack.http()[c.method](`${API}${c.path}`).set('Authorization', userHeader(c.path.startsWith('/templates') && c.method === 'post' ? 'user:default/admin' : ANA));
    if (c.raw !== undefined) req = req.set('Content-Type', c.contentType ?? 'application/octet-stream').send(c.raw);
    else if (c.body !== undefined) req = req.set('Content-Type', 'application/json').send(JSON.stringify(c.body) ?? 'null');
    const res = await req;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const message = res.body?.error?.message;
    if (res.status < 400 || res.status >= 500 || typeof message !== 'string' || message.length < 5) {
      failures.push(`${c.what}: ${c.method.toUpperCase()} ${c.path.slice(0, 120)} ${JSON.stringify(c.body ?? c.raw)?.slice(0, 160)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    }
  }
  expect(failures.slice(0, 20)).toEqual([]);
  // Still up, and nothing changed.
  await stack.http().get(`${API}/health`).expect(200);
  expect(await tableCounts(stack.db)).toEqual(before);
  expect(await stack.db('workspaces').orderBy('id')).toEqual(wsBefore);
  // A spread of 4xx statuses, not one catch-all.
  expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 404, 409]));
}, 600_000);
