/**
 * Prebuilds through the API on the real stack: a template whose preset keeps one prebuilt
 * workspace; GET /prebuilds shows the pool fill; creating with that preset claims the prebuild
 * (a running workspace at once, build reason `claim`); the pool refills; admins reset presets.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { createArchiveFromDirectory } from '@berth/workflows';
import type { ApiPrebuildPool } from '@berth/backstage-plugin-common';
import { ADMIN, API, eventually, LOCAL_TEMPLATE, startApiStack, tempDir, userHeader, type ApiStack } from './support/api-stack';

const ANA = 'user:default/ana';
let stack: ApiStack;
let root: string;

beforeAll(async () => { stack = await startApiStack(); root = tempDir('homes'); }, 120_000);
afterAll(async () => {
  await stack?.berth.temporal.workflow.getHandle('prebuild-reconciler').terminate('test done').catch(() => undefined);
  await stack?.teardown();
});

/** templates/local with one preset keeping `instances` prebuilds. */
function poolTemplate(instances: number): string {
  const dir = tempDir('tpl');
  for (const f of fs.readdirSync(LOCAL_TEMPLATE)) if (f.endsWith('.tf')) fs.copyFileSync(path.join(LOCAL_TEMPLATE, f), path.join(dir, f));
  const doc = YAML.parse(fs.readFileSync(path.join(LOCAL_TEMPLATE, 'berth.yaml'), 'utf8'));
  doc.presets = [{ name: 'ready', default: true, parameters: { workspaces_root: root }, prebuilds: { instances } }];
  fs.writeFileSync(path.join(dir, 'berth.yaml'), YAML.stringify(doc));
  return dir;
}

const pools = async (who = ANA): Promise<ApiPrebuildPool[]> =>
  (await stack.http().get(`${API}/prebuilds?template=pool`).set('Authorization', userHeader(who)).expect(200)).body;

test('the pool fills, a create with the preset claims a running prebuild, the pool refills', async () => {
  const archive = await createArchiveFromDirectory(poolTemplate(1));
  await stack.http().post(`${API}/templates/pool/versions?name=v1`).set('Authorization', userHeader(ADMIN)).set('Content-Type', 'application/gzip').send(archive).expect(201);
  const filled = await eventually('pool filled', async () => {
    const [p] = await pools();
    return p && p.eligible === 1 ? p : null;
  }, 180_000, 500);
  expect(filled).toMatchObject({ template: 'pool', preset: 'ready', active: true, status: 'healthy', desired: 1, running: 1, created: 1, claimed: 0 });

  const t0 = Date.now();
  const created = await stack.http().post(`${API}/workspaces`).set('Authorization', userHeader(ANA)).send({ name: 'fast', template: 'pool', preset: 'ready' }).expect(201);
  expect(created.body).toMatchObject({ owner: ANA, name: 'fast', latest_build: { reason: 'claim', transition: 'start', initiator: ANA } });
  const running = await eventually('claimed workspace running', async () => {
    const r = await stack.http().get(`${API}/workspaces/${created.body.id}`).set('Authorization', userHeader(ANA)).expect(200);
    return r.body.status === 'running' ? r.body : null;
  }, 120_000);
  expect(running?.latest_build.build_number).toBeGreaterThan(1);
  expect(Date.now() - t0).toBeLessThan(60_000);
  // The claimed workspace is ana's: another user cannot read it; the prebuilds user owns nothing of hers.
  await stack.http().get(`${API}/workspaces/${created.body.id}`).set('Authorization', userHeader('user:default/bob')).expect(403);

  const refilled = await eventually('pool refilled', async () => {
    const [p] = await pools();
    return p && p.eligible === 1 && p.claimed === 1 ? p : null;
  }, 180_000, 500);
  expect(refilled?.created).toBe(2);

  // Only admins reset a preset; the answer is the template's pools.
  await stack.http().post(`${API}/templates/pool/presets/ready/reset-prebuilds`).set('Authorization', userHeader(ANA)).expect(403);
  const reset = await stack.http().post(`${API}/templates/pool/presets/ready/reset-prebuilds`).set('Authorization', userHeader(ADMIN)).expect(200);
  expect(reset.body[0]).toMatchObject({ preset: 'ready', status: 'healthy' });
  await stack.http().post(`${API}/templates/pool/presets/nope/reset-prebuilds`).set('Authorization', userHeader(ADMIN)).expect(404);
  await stack.http().get(`${API}/prebuilds?template=nope`).set('Authorization', userHeader(ANA)).expect(404);
});
