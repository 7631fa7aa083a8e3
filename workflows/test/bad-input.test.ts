/**
 * Proof 5: bad input gets a clear error and changes nothing (every table's row count and the
 * workspace's builds are compared before and after each call).
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import * as tar from 'tar';
import { eventually, LOCAL_TEMPLATE, startTestStack, tempDir, type TestStack } from './support/stack';
import { ConflictError, InputError, NotFoundError } from '../src/errors';
import type { Workspace } from '../src/types';

let stack: TestStack;
let running: Workspace;
let deleted: Workspace;
const TABLES = ['templates', 'template_versions', 'workspaces', 'workspace_builds', 'build_parameters', 'provisioner_jobs', 'workspace_resources', 'build_logs'];

async function snapshot(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = Number((await stack.db(t).count<{ c: string }[]>('* as c'))[0].c);
  return out;
}

/** Asserts `fn` rejects with `type` and a message matching `message`, and that no row changed. */
async function rejectsCleanly(fn: () => Promise<unknown>, type: new (...a: any[]) => Error, message: RegExp): Promise<void> {
  const before = await snapshot();
  const err = await fn().then(() => null, (e: Error) => e);
  expect(err).toBeInstanceOf(type);
  expect(err?.message).toMatch(message);
  expect(await snapshot()).toEqual(before);
}

async function tarGz(entries: Array<{ path: string; body?: string }>): Promise<Buffer> {
  const dir = tempDir('crafted');
  // Stage one real file per entry, then rename each entry as it is written (real tar library).
  const staged = entries.map((e, i) => {
    const name = `f${i}.tf`;
    fs.writeFileSync(path.join(dir, name), e.body ?? 'terraform {}\n');
    return name;
  });
  const renames = new Map(staged.map((n, i) => [n, entries[i].path]));
  const chunks: Buffer[] = [];
  const stream = tar.c({ gzip: true, cwd: dir, portable: true, preservePaths: true, onWriteEntry: (e: any) => {
    const to = renames.get(e.path);
    if (to) { e.path = to; if (e.header) e.header.path = to; }
  } } as any, staged) as any;
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  stack = await startTestStack();
  const { client } = stack;
  await client.pushTemplate({ name: 'local', dir: LOCAL_TEMPLATE, createdBy: 'user:default/admin' });
  const root = tempDir('homes');
  running = (await client.createWorkspace({ owner: 'user:default/eve', name: 'ok', template: 'local', parameters: { workspaces_root: root } })).workspace;
  await client.waitForBuild(running.id, 1);
  deleted = (await client.createWorkspace({ owner: 'user:default/eve', name: 'gone', template: 'local', parameters: { workspaces_root: root } })).workspace;
  await client.waitForBuild(deleted.id, 1);
  await client.requestBuild(deleted.id, { kind: 'delete', initiator: 'user:default/eve' });
  expect((await client.waitForBuild(deleted.id, 2)).status).toBe('deleted');
});
afterAll(async () => { await stack?.teardown(); });

describe('workspaces', () => {
  test('unknown workspace (valid uuid and garbage id)', async () => {
    await rejectsCleanly(() => stack.client.requestBuild(crypto.randomUUID(), { kind: 'start', initiator: 'x' }), NotFoundError, /workspace .* not found/);
    await rejectsCleanly(() => stack.client.requestBuild("1; drop table workspaces", { kind: 'stop', initiator: 'x' }), NotFoundError, /not found/);
    await rejectsCleanly(() => stack.client.cancelBuild(crypto.randomUUID(), 'x'), NotFoundError, /not found/);
  });
  test('anything after delete names the deleted state', async () => {
    for (const kind of ['start', 'stop', 'restart', 'delete'] as const) {
      await rejectsCleanly(() => stack.client.requestBuild(deleted.id, { kind, initiator: 'user:default/eve' }), ConflictError, new RegExp(`cannot ${kind}: workspace gone is deleted`));
    }
    await rejectsCleanly(() => stack.client.cancelBuild(deleted.id, 'user:default/eve'), ConflictError, /cannot cancel: workspace gone is deleted/);
  });
  test('impossible transitions are refused by the workflow validator with the current state', async () => {
    await rejectsCleanly(() => stack.client.requestBuild(running.id, { kind: 'rebuild' as any, initiator: 'user:default/eve' }), InputError, /unknown build request "rebuild"/);
    await rejectsCleanly(() => stack.client.requestBuild(running.id, { kind: 'start', initiator: '' }), InputError, /initiator is required/);
    await rejectsCleanly(() => stack.client.requestBuild(running.id, { kind: 'start', initiator: 'u', reason: 'because' as any }), InputError, /unknown build reason/);
    await rejectsCleanly(() => stack.client.requestBuild(running.id, { kind: 'start', initiator: 'u', parameters: { berth_workspace_id: 'x' } }), InputError, /reserved/);
    await rejectsCleanly(() => stack.client.requestBuild(running.id, { kind: 'start', initiator: 'u', parameters: { n: 5 as any } }), InputError, /must be a string/);
    await rejectsCleanly(() => stack.client.cancelBuild(running.id, 'user:default/eve'), ConflictError, /cannot cancel: no build is active \(workspace is running\)/);
    await rejectsCleanly(() => stack.client.requestBuild(running.id, { kind: 'start', initiator: 'u', templateVersionId: crypto.randomUUID() }), NotFoundError, /template version .* not found/);
  });
  test('NUL bytes and control characters are refused before anything runs (the workspace is not wedged)', async () => {
    await rejectsCleanly(() => stack.client.requestBuild(running.id, { kind: 'stop', initiator: 'me', parameters: { start_delay_seconds: '1\u0000' } }), InputError, /contains a NUL byte/);
    await rejectsCleanly(() => stack.client.requestBuild(running.id, { kind: 'stop', initiator: 'bob\u0000' }), InputError, /initiator contains a control character/);
    await rejectsCleanly(() => stack.client.createWorkspace({ owner: 'user:default/eve', name: 'nul', template: 'local', initiator: 'x\u0000' }), InputError, /initiator contains a control character/);
    await rejectsCleanly(() => stack.client.createWorkspace({ owner: 'o'.repeat(300), name: 'nul', template: 'local' }), InputError, /owner is longer than 256/);
    await rejectsCleanly(() => stack.client.createWorkspace(null as any), InputError, /needs an input object/);
    await rejectsCleanly(() => stack.client.listBuilds('abc'), NotFoundError, /not found/);
    await rejectsCleanly(() => stack.client.getBuild(running.id, 1.5), NotFoundError, /not found/);
    await rejectsCleanly(() => stack.client.getBuildLogs(running.id, 1, -1), InputError, /after must be/);
    // the workspace still takes requests
    expect((await stack.client.describe(running.id)).queued).toEqual([]);
  });
  test('two requests at the same moment: exactly one is accepted, the other names the state', async () => {
    const results = await Promise.allSettled([
      stack.client.requestBuild(running.id, { kind: 'stop', initiator: 'user:default/eve' }),
      stack.client.requestBuild(running.id, { kind: 'start', initiator: 'user:default/eve' }),
      stack.client.requestBuild(running.id, { kind: 'restart', initiator: 'user:default/eve' }),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(ConflictError);
      expect(r.reason.message).toMatch(/cannot (stop|start|restart): (workspace is (pending|starting|stopping)|a \w+ build is about to start)/);
    }
    const n = (ok[0] as PromiseFulfilledResult<{ buildNumber: number }>).value.buildNumber;
    expect(n).toBe(2);
    await stack.client.waitForBuild(running.id, n);
    // a restart queues its start build after the stop: wait until the workflow has nothing left
    // to do, so no build of this test writes rows while the next test counts them
    await eventually('the workspace to settle', async () => {
      const d = await stack.client.describe(running.id);
      return d.activeBuild === null && d.queued.length === 0 ? d : null;
    });
    const last = (await stack.client.listBuilds(running.id))[0];
    await stack.client.waitForBuild(running.id, last.buildNumber);
  });
  test('create: bad names, duplicates, unknown template, bad variables', async () => {
    const c = stack.client;
    await rejectsCleanly(() => c.createWorkspace({ owner: 'user:default/eve', name: 'ok', template: 'local' }), ConflictError, /workspace "ok" already exists/);
    await rejectsCleanly(() => c.createWorkspace({ owner: 'user:default/eve', name: 'Not OK!', template: 'local' }), InputError, /workspace name "Not OK!" is invalid/);
    await rejectsCleanly(() => c.createWorkspace({ owner: 'user:default/eve', name: 'x'.repeat(33), template: 'local' }), InputError, /longer than 32/);
    await rejectsCleanly(() => c.createWorkspace({ owner: 'user:default/eve', name: 'new', template: 'nope' }), NotFoundError, /template "nope" not found/);
    await rejectsCleanly(() => c.createWorkspace({ owner: 'user:default/eve', name: 'new', template: 'local', parameters: { 'bad name': 'x' } }), InputError, /invalid parameter name/);
    await rejectsCleanly(() => c.createWorkspace({ owner: 'user:default/eve', name: 'new', template: 'local', templateVersionId: crypto.randomUUID() }), NotFoundError, /template version .* not found/);
    await rejectsCleanly(() => c.createWorkspace({ owner: 'user:default/eve', name: 'new', template: 'local', ttlMs: 5 }), InputError, /time until shutdown must be at least one minute/);
  });
});

describe('template archives', () => {
  test('oversized archive', async () => {
    const big = tempDir('big');
    fs.writeFileSync(path.join(big, 'main.tf'), 'terraform {}\n');
    fs.writeFileSync(path.join(big, 'blob.bin'), crypto.randomBytes(300_000));
    const small = new (stack.client.constructor as any)({ db: stack.db, temporal: stack.env.client, archiveLimits: { maxBytes: 100_000 } });
    await rejectsCleanly(() => small.pushTemplate({ name: 'big', dir: big, createdBy: 'u' }), InputError, /larger than the limit of 100000 bytes/);
    const archive = fs.readFileSync(path.join(LOCAL_TEMPLATE, 'main.tf'));
    await rejectsCleanly(() => small.pushTemplate({ name: 'big', archive: Buffer.concat([archive, crypto.randomBytes(200_000)]), createdBy: 'u' }), InputError, /larger than the limit/);
  });
  test('path traversal, absolute paths, symlinks and garbage', async () => {
    const c = stack.client;
    const traversal = await tarGz([{ path: '../../etc/evil.tf' }]);
    expect(traversal.length).toBeGreaterThan(0);
    await rejectsCleanly(() => c.pushTemplate({ name: 'evil', archive: traversal, createdBy: 'u' }), InputError, /archive entry "\.\.\/\.\.\/etc\/evil\.tf" contains "\.\."/);
    const absolute = await tarGz([{ path: '/etc/evil.tf' }]);
    await rejectsCleanly(() => c.pushTemplate({ name: 'evil', archive: absolute, createdBy: 'u' }), InputError, /is an absolute path/);
    await rejectsCleanly(() => c.pushTemplate({ name: 'evil', archive: crypto.randomBytes(2048), createdBy: 'u' }), InputError, /not a valid tar\.gz archive|no \.tf files/);
    const withLink = tempDir('link');
    fs.writeFileSync(path.join(withLink, 'main.tf'), 'terraform {}\n');
    fs.symlinkSync('/etc/passwd', path.join(withLink, 'passwd'));
    await rejectsCleanly(() => c.pushTemplate({ name: 'evil', dir: withLink, createdBy: 'u' }), InputError, /symlink: passwd/);
    await rejectsCleanly(() => c.pushTemplate({ name: 'Bad Name', dir: LOCAL_TEMPLATE, createdBy: 'u' }), InputError, /template name "Bad Name" is invalid/);
    await rejectsCleanly(() => c.pushTemplate({ name: 'local', dir: LOCAL_TEMPLATE, createdBy: 'u', provisionerTags: { 'bad key': 'x' } }), InputError, /invalid provisioner tag key/);
    await rejectsCleanly(() => c.pushTemplate({ name: 'local', dir: '/nonexistent/dir', createdBy: 'u' }), InputError, /does not exist/);
    // names and authors are checked before a new template is created
    await rejectsCleanly(() => c.pushTemplate({ name: 'brand-new', dir: LOCAL_TEMPLATE, createdBy: 'u', versionName: 'bad name!' }), InputError, /template version name "bad name!" is invalid/);
    await rejectsCleanly(() => c.pushTemplate({ name: 'brand-new', dir: LOCAL_TEMPLATE, createdBy: '' }), InputError, /createdBy is required/);
    await rejectsCleanly(() => c.pushTemplate({ name: 'brand-new', dir: LOCAL_TEMPLATE, createdBy: 'u', provisionerTags: { 'a b': 'x' } }), InputError, /invalid provisioner tag key/);
    // a file that is also a directory, and shipped working files
    const conflict = await tarGz([{ path: 'a' }, { path: 'a/b.tf' }]);
    await rejectsCleanly(() => c.pushTemplate({ name: 'evil', archive: conflict, createdBy: 'u' }), InputError, /archive entry "a" is both a file and a directory/);
    const stateShipped = await tarGz([{ path: 'terraform.tfstate' }]);
    await rejectsCleanly(() => c.pushTemplate({ name: 'evil', archive: stateShipped, createdBy: 'u' }), InputError, /"terraform\.tfstate" is a tofu or Berth working file/);
    const dotBerth = await tarGz([{ path: '.berth/tofu.pid' }]);
    await rejectsCleanly(() => c.pushTemplate({ name: 'evil', archive: dotBerth, createdBy: 'u' }), InputError, /working file/);
  });
});
