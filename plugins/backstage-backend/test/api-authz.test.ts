/**
 * Authorization matrix: every route × {owner, owner's API token, another user, admin,
 * anonymous, revoked token}, against the real permission backend with Berth's policy module
 * (conditional "is owner" decisions resolved through the plugin's apply-conditions endpoint),
 * and the error bodies of 400/401/403/404/409.
 */
import { BERTH_ROUTES } from '@berth/backstage-plugin-common';
import { createArchiveFromDirectory } from '@berth/workflows';
import { ADMIN, API, eventually, LOCAL_TEMPLATE, startApiStack, tempDir, userHeader, type ApiStack } from './support/api-stack';
import { seedLocalTemplate } from './support/seed';

const ANA = 'user:default/ana';
const BOB = 'user:default/bob';
type Who = 'owner' | 'ownerToken' | 'other' | 'admin' | 'anonymous' | 'revoked';
const WHO: Who[] = ['owner', 'ownerToken', 'other', 'admin', 'anonymous', 'revoked'];

let stack: ApiStack;
let root: string;
let wsId: string;
const headers: Partial<Record<Who, string>> = {};
let spareTokenId: string;

beforeAll(async () => {
  stack = await startApiStack();
  root = tempDir('homes');
  await seedLocalTemplate(stack);
  headers.owner = userHeader(ANA);
  headers.other = userHeader(BOB);
  headers.admin = userHeader(ADMIN);
  const t1 = await stack.http().post(`${API}/tokens`).set('Authorization', headers.owner!).send({ name: 'cli' }).expect(201);
  headers.ownerToken = `Bearer ${t1.body.token}`;
  const t2 = await stack.http().post(`${API}/tokens`).set('Authorization', headers.owner!).send({ name: 'old' }).expect(201);
  await stack.http().delete(`${API}/tokens/${t2.body.id}`).set('Authorization', headers.owner!).expect(200);
  headers.revoked = `Bearer ${t2.body.token}`;
  const t3 = await stack.http().post(`${API}/tokens`).set('Authorization', headers.owner!).send({ name: 'spare' }).expect(201);
  spareTokenId = t3.body.id;
  const ws = await stack.http().post(`${API}/workspaces`).set('Authorization', headers.owner!)
    .send({ name: 'dev', template: 'local', parameters: { workspaces_root: root } }).expect(201);
  wsId = ws.body.id;
  await eventually('first build', async () => (await stack.berth.getWorkspace(wsId)).status === 'running', 120_000);
}, 240_000);
afterAll(async () => { await stack?.teardown(); });

/** Expected status per principal: a number, or 'allowed' (neither 401 nor 403, and no 5xx: the state decides 2xx/409). */
type Expect = number | 'allowed';
const readWs = { owner: 200, ownerToken: 200, other: 403, admin: 200, anonymous: 401, revoked: 401 } as const;
const changeWs = { owner: 'allowed', ownerToken: 'allowed', other: 403, admin: 'allowed', anonymous: 401, revoked: 401 } as const;
const anyUser = { owner: 200, ownerToken: 200, other: 200, admin: 200, anonymous: 401, revoked: 401 } as const;
const adminOnly = { owner: 403, ownerToken: 403, other: 403, admin: 'allowed', anonymous: 401, revoked: 401 } as const;
const open = { owner: 200, ownerToken: 200, other: 200, admin: 200, anonymous: 200, revoked: 200 } as const;

let n = 0;
const MATRIX: Record<string, { expect: Record<Who, Expect>; body?: () => unknown; query?: string; raw?: boolean }> = {
  health: { expect: open },
  metrics: { expect: open },
  openapi: { expect: open },
  whoami: { expect: anyUser },
  listTemplates: { expect: anyUser },
  getTemplate: { expect: anyUser },
  listTemplateVersions: { expect: anyUser },
  pushTemplateVersion: { expect: adminOnly, raw: true, query: '?activate=false' },
  getTemplateVersion: { expect: anyUser },
  getTemplateVersionLogs: { expect: anyUser },
  promoteTemplateVersion: { expect: adminOnly },
  getTemplateVersionParameters: { expect: anyUser },
  getTemplateVersionPresets: { expect: anyUser },
  getTemplateVersionResources: { expect: anyUser },
  listPrebuildPools: { expect: anyUser },
  resetPrebuilds: { expect: adminOnly },
  listWorkspaces: { expect: anyUser },
  createWorkspace: { expect: { owner: 201, ownerToken: 201, other: 201, admin: 201, anonymous: 401, revoked: 401 }, body: () => ({ name: `m${++n}`, template: 'local', parameters: { workspaces_root: root } }) },
  getWorkspace: { expect: readWs },
  listBuilds: { expect: readWs },
  getBuild: { expect: readWs },
  getBuildLogs: { expect: readWs },
  getBuildResources: { expect: readWs },
  getBuildParameters: { expect: readWs },
  getSchedule: { expect: readWs },
  previewSchedule: { expect: readWs, body: () => ({ count: 2 }) },
  getWorkspaceHistory: { expect: readWs },
  getBuildHistory: { expect: readWs },
  putSchedule: { expect: changeWs, body: () => ({ ttl_ms: 3_600_000 }) },
  extendDeadline: { expect: changeWs, body: () => ({ deadline: new Date(Date.now() + 3 * 3_600_000).toISOString() }) },
  reportActivity: { expect: changeWs },
  createBuild: { expect: changeWs, body: () => ({ transition: 'stop' }) },
  cancelBuild: { expect: changeWs },
  listTokens: { expect: anyUser },
  createToken: { expect: { owner: 201, ownerToken: 201, other: 201, admin: 201, anonymous: 401, revoked: 401 }, body: () => ({ name: `t${++n}` }) },
  revokeToken: { expect: { owner: 200, ownerToken: 200, other: 404, admin: 404, anonymous: 401, revoked: 401 } },
  listAudit: { expect: anyUser },
  deleteWorkspace: { expect: changeWs },
};

function pathOf(p: string): string {
  return p.replace(':workspaceId', wsId).replace(':buildNumber', '1').replace(':template', 'local').replace(':version', 'v1').replace(':tokenId', spareTokenId).replace(':preset', 'default');
}

// Reads first, then changes, deleteWorkspace last (the order of the table).
const order = Object.keys(MATRIX);

test('the matrix names every route', () => {
  expect(order.sort()).toEqual(BERTH_ROUTES.map((r) => r.id).sort());
});

describe.each(order.map((id) => [id]))('%s', (id) => {
  const spec = BERTH_ROUTES.find((r) => r.id === id)!;
  const m = MATRIX[id];
  test.each(WHO.map((w) => [w]))('as %s', async (who: Who) => {
    const url = `${API}${pathOf(spec.path)}${m.query ?? ''}`;
    let req = stack.http()[spec.method](url);
    if (headers[who]) req = req.set('Authorization', headers[who]!);
    if (m.raw) req = req.set('Content-Type', 'application/gzip').send(await createArchiveFromDirectory(LOCAL_TEMPLATE));
    else if (m.body) req = req.send(m.body() as object);
    const res = await req;
    const want = m.expect[who];
    if (want === 'allowed') {
      expect([401, 403]).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
    } else {
      expect({ status: res.status, body: res.status === want ? undefined : res.body }).toEqual({ status: want, body: undefined });
    }
    if (res.status >= 400) {
      expect(res.body.error).toEqual(expect.objectContaining({ name: expect.any(String), message: expect.any(String) }));
      expect(res.body.error.message.length).toBeGreaterThan(5);
    }
    if (id === 'listWorkspaces' && who === 'other') expect(res.body.workspaces.map((w: { owner: string }) => w.owner)).not.toContain(ANA);
    if (id === 'listWorkspaces' && who === 'admin') expect(res.body.workspaces.map((w: { owner: string }) => w.owner)).toContain(ANA);
    if (id === 'whoami' && who === 'admin') expect(res.body).toMatchObject({ user: ADMIN, admin: true, via: 'backstage' });
    if (id === 'whoami' && who === 'ownerToken') expect(res.body).toMatchObject({ user: ANA, admin: false, via: 'token' });
  });
});

describe('error bodies', () => {
  test.each([
    [400, 'InputError', () => stack.http().post(`${API}/workspaces`).set('Authorization', headers.owner!).send({ name: 'Bad Name!', template: 'local' })],
    [400, 'InputError', () => stack.http().post(`${API}/workspaces`).set('Authorization', headers.owner!).set('Content-Type', 'application/json').send('{"name":')],
    [401, 'AuthenticationError', () => stack.http().get(`${API}/workspaces`)],
    [401, 'AuthenticationError', () => stack.http().get(`${API}/workspaces`).set('Authorization', 'Bearer berth_not-a-token')],
    [401, 'AuthenticationError', () => stack.http().get(`${API}/workspaces`).set('Authorization', 'Bearer garbage')],
    [403, 'NotAllowedError', () => stack.http().post(`${API}/templates/local/versions/v1/promote`).set('Authorization', headers.other!)],
    [404, 'NotFoundError', () => stack.http().get(`${API}/workspaces/00000000-0000-4000-8000-000000000000`).set('Authorization', headers.owner!)],
    [404, 'NotFoundError', () => stack.http().get(`${API}/templates/nope`).set('Authorization', headers.owner!)],
    [404, 'NotFoundError', () => stack.http().get(`${API}/no/such/route`).set('Authorization', headers.owner!)],
    [409, 'ConflictError', () => stack.http().post(`${API}/workspaces`).set('Authorization', headers.other!).send({ name: 'm3', template: 'local' })],
  ])('%i %s', async (status, name, send) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: { name, message: expect.any(String) }, response: { statusCode: status } });
  });
});

test('tokens are stored hashed, shown once, and listed without their secret', async () => {
  const created = await stack.http().post(`${API}/tokens`).set('Authorization', headers.owner!).send({ name: 'shown-once' }).expect(201);
  expect(created.body.token).toMatch(/^berth_[A-Za-z0-9_-]{43}$/);
  const rows = await stack.db('api_tokens').where({ id: created.body.id });
  expect(JSON.stringify(rows)).not.toContain(created.body.token);
  expect(rows[0].hashed_secret).toMatch(/^[0-9a-f]{64}$/);
  const list = await stack.http().get(`${API}/tokens`).set('Authorization', headers.owner!).expect(200);
  expect(JSON.stringify(list.body)).not.toContain(created.body.token);
  expect(list.body.find((t: { id: string }) => t.id === created.body.id)).toMatchObject({ name: 'shown-once', revoked_at: null });
  const dup = await stack.http().post(`${API}/tokens`).set('Authorization', headers.owner!).send({ name: 'shown-once' }).expect(400);
  expect(dup.body.error.message).toMatch(/already have a token named/);
});
