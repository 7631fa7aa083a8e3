/**
 * The whole lifecycle through HTTP against real Postgres, a real Temporal dev server and real
 * tofu on templates/local: push a template version (tar.gz), watch its import, create a
 * workspace, follow its build log over SSE to the end, stop, start, restart, schedule, extend,
 * history (with reasons and a Temporal UI link), audit, metrics, delete.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BerthApiClient, type ApiBuildLog } from '@berth/backstage-plugin-common';
import { createArchiveFromDirectory } from '@berth/workflows';
import { ADMIN, API, eventually, LOCAL_TEMPLATE, startApiStack, tempDir, userHeader, type ApiStack } from './support/api-stack';

const ANA = 'user:default/ana';
let stack: ApiStack;
let baseUrl: string;
let root: string;

beforeAll(async () => {
  stack = await startApiStack();
  const addr = stack.server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${addr.port}${API}`;
  root = tempDir('homes');
}, 120_000);
afterAll(async () => { await stack?.teardown(); });

const asAna = () => new BerthApiClient({ baseUrl, token: userHeader(ANA).replace(/^Bearer /, '') });

async function waitForBuild(id: string, n: number) {
  return eventually(`build #${n} to finish`, async () => {
    const r = await stack.http().get(`${API}/workspaces/${id}/builds/${n}`).set('Authorization', userHeader(ANA));
    return ['succeeded', 'failed', 'canceled'].includes(r.body.job_status) ? r.body : null;
  }, 120_000);
}

/** Reads an SSE stream to its end with plain node:http (no client library), returning the events in order. */
function readSse(path: string, auth: string): Promise<Array<{ event: string; data: string; id?: string }>> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${baseUrl}${path}`, { headers: { Authorization: auth, Accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) { let b = ''; res.on('data', (c) => { b += c; }); res.on('end', () => reject(new Error(`SSE status ${res.statusCode}: ${b}`))); return; }
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      let buf = '';
      const events: Array<{ event: string; data: string; id?: string }> = [];
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev: { event: string; data: string; id?: string } = { event: 'message', data: '' };
          for (const line of frame.split('\n')) {
            if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('data: ')) ev.data += line.slice(6);
            else if (line.startsWith('id: ')) ev.id = line.slice(4);
          }
          if (ev.data) events.push(ev);
        }
      });
      res.on('end', () => resolve(events));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

test('a workspace from local through HTTP: push, create, SSE log, stop, start, restart, schedule, history, audit, delete', async () => {
  const api = stack.http();
  // Push the template as an admin (tar.gz body), watch the import.
  const archive = await createArchiveFromDirectory(LOCAL_TEMPLATE);
  const pushed = await api.post(`${API}/templates/local/versions?name=v1&message=first`).set('Authorization', userHeader(ADMIN))
    .set('Content-Type', 'application/gzip').send(archive).expect(201);
  expect(pushed.body).toMatchObject({ name: 'v1', message: 'first', import_status: expect.stringMatching(/pending|running|succeeded/) });
  const imported = await eventually('import', async () => {
    const r = await stack.http().get(`${API}/templates/local/versions/v1`).set('Authorization', userHeader(ANA)).expect(200);
    return r.body.import_status === 'succeeded' && r.body.dry_run_status && !['pending', 'running'].includes(r.body.dry_run_status) ? r.body : null;
  }, 120_000);
  expect(imported.active).toBe(true);
  const logs = await api.get(`${API}/templates/local/versions/v1/logs`).set('Authorization', userHeader(ANA)).expect(200);
  expect(logs.body.import.map((l: ApiBuildLog) => l.stage)).toContain('init');
  const params = await api.get(`${API}/templates/local/versions/v1/parameters`).set('Authorization', userHeader(ANA)).expect(200);
  expect(params.body.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['workspaces_root', 'start_delay_seconds']));
  const presets = await api.get(`${API}/templates/local/versions/v1/presets`).set('Authorization', userHeader(ANA)).expect(200);
  expect(presets.body.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['default']));
  const preview = await api.get(`${API}/templates/local/versions/v1/resources`).set('Authorization', userHeader(ANA)).expect(200);
  expect(preview.body.dry_run_status).toBe('succeeded');
  expect(preview.body.resources.map((r: { address: string }) => r.address)).toEqual(expect.arrayContaining(['terraform_data.home']));

  // Create as ana; the answer is the workspace with its first (start) build.
  const created = await api.post(`${API}/workspaces`).set('Authorization', userHeader(ANA))
    .send({ name: 'dev', template: 'local', parameters: { workspaces_root: root }, ttl_ms: 8 * 3_600_000, entity_ref: 'component:default/shop' }).expect(201);
  const id = created.body.id as string;
  expect(created.body).toMatchObject({ owner: ANA, name: 'dev', template_name: 'local', latest_build: { build_number: 1, transition: 'start', reason: 'initiator', initiator: ANA } });

  // SSE: every line in order, then `end` when the build ends.
  const events = await readSse(`/workspaces/${id}/builds/1/logs?follow=true`, userHeader(ANA));
  const logEvents = events.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data) as ApiBuildLog);
  const end = events.at(-1)!;
  expect(end.event).toBe('end');
  expect(JSON.parse(end.data)).toMatchObject({ job_status: 'succeeded', status: 'running' });
  const stored = await api.get(`${API}/workspaces/${id}/builds/1/logs`).set('Authorization', userHeader(ANA)).expect(200);
  expect(logEvents.map((l) => l.seq)).toEqual(stored.body.map((l: ApiBuildLog) => l.seq));
  expect(logEvents.map((l) => l.output)).toEqual(stored.body.map((l: ApiBuildLog) => l.output));
  expect(logEvents.length).toBeGreaterThan(3);
  expect(logEvents.map((l) => l.seq)).toEqual([...logEvents.map((l) => l.seq)].sort((a, b) => a - b));
  // after=<seq> returns only the rest.
  const mid = logEvents[Math.floor(logEvents.length / 2)].seq;
  const rest = await api.get(`${API}/workspaces/${id}/builds/1/logs?after=${mid}`).set('Authorization', userHeader(ANA)).expect(200);
  expect(rest.body[0].seq).toBe(mid + 1);

  // The typed client sees it running, with a deadline 8h after the start.
  const client = asAna();
  const ws = await client.getWorkspace(id);
  expect(ws.status).toBe('running');
  const sched = await client.getSchedule(id);
  expect(sched.ttl_ms).toBe(8 * 3_600_000);
  expect(Date.parse(sched.deadline!)).toBeGreaterThan(Date.now() + 7.9 * 3_600_000);
  expect(sched.next_lifecycle).toMatchObject({ reason: 'autostop', transition: 'stop' });

  // Schedule: autostart weekdays 09:00 Berlin; preview the next events; extend the deadline.
  const put = await client.putSchedule(id, { autostart_schedule: 'CRON_TZ=Europe/Berlin 0 9 * * 1-5' });
  expect(put.autostart_schedule).toBe('CRON_TZ=Europe/Berlin 0 9 * * 1-5');
  const pv = await client.previewSchedule(id, { count: 3 });
  expect(pv.time_zone).toBe('Europe/Berlin');
  expect(pv.autostarts.length).toBe(3);
  expect(pv.autostarts[0].local).toMatch(/T09:00:00/);
  const newDeadline = new Date(Date.now() + 9 * 3_600_000).toISOString();
  const ext = await client.extendDeadline(id, newDeadline);
  expect(Math.abs(Date.parse(ext.deadline!) - Date.parse(newDeadline))).toBeLessThan(1000);
  await client.reportActivity(id);

  // Follow with the typed client while stopping: lines arrive, ends with the job status.
  const stop = await client.createBuild(id, { transition: 'stop' });
  expect(stop).toMatchObject({ build_number: 2, transition: 'stop', initiator: ANA });
  const followed: number[] = [];
  const result = await client.followBuildLogs(id, 2, { onLog: (l) => followed.push(l.seq) });
  expect(result.jobStatus).toBe('succeeded');
  expect(followed.length).toBeGreaterThan(0);
  expect((await client.getWorkspace(id)).status).toBe('stopped');

  // A start while stopped, then a restart (a stop build followed by a start build).
  await client.createBuild(id, { transition: 'start' });
  await waitForBuild(id, 3);
  const restart = await client.createBuild(id, { transition: 'restart' });
  expect(restart.transition).toBe('stop');
  await waitForBuild(id, 4);
  await eventually('restart start build', async () => (await client.listBuilds(id)).length >= 5);
  const b5 = await waitForBuild(id, 5);
  expect(b5).toMatchObject({ transition: 'start', job_status: 'succeeded' });

  // A build while another is in progress is refused with a 409 naming the state.
  const b6 = await client.createBuild(id, { transition: 'stop' });
  const conflict = await api.post(`${API}/workspaces/${id}/builds`).set('Authorization', userHeader(ANA)).send({ transition: 'start' }).expect(409);
  expect(conflict.body.error).toMatchObject({ name: 'ConflictError', message: expect.stringMatching(/pending|stopping|in progress/) });
  await waitForBuild(id, b6.build_number);
  await client.createBuild(id, { transition: 'start' });
  await waitForBuild(id, b6.build_number + 1);

  // Search.
  const mine = await client.listWorkspaces({ q: 'owner:me status:running dev' });
  expect(mine.workspaces.map((w) => w.id)).toEqual([id]);
  expect((await client.listWorkspaces({ q: 'status:stopped' })).count).toBe(0);
  expect((await client.listWorkspaces({ q: 'template:local' })).count).toBe(1);
  expect((await client.listWorkspaces({ q: 'entity:component:default/shop' })).workspaces.map((w) => [w.id, w.entity_ref])).toEqual([[id, 'component:default/shop']]);
  expect((await client.listWorkspaces({ q: 'entity:component:default/other' })).count).toBe(0);

  // History: the workspace workflow's timeline names builds, transitions and reasons; links to the UI.
  const hist = await client.getWorkspaceHistory(id);
  expect(hist.workflow_id).toBe(`workspace:${id}`);
  expect(hist.temporal_ui_url).toBe(`http://temporal-ui.test:8233/namespaces/default/workflows/${encodeURIComponent(`workspace:${id}`)}/${hist.run_id}/history`);
  const childStarts = hist.events.filter((e) => e.event === 'StartChildWorkflowExecutionInitiated');
  expect(childStarts.map((e) => [e.build_number, e.transition, e.reason])).toEqual([[1, 'start', 'initiator'], [2, 'stop', 'initiator'], [3, 'start', 'initiator'], [4, 'stop', 'initiator'], [5, 'start', 'initiator'], [6, 'stop', 'initiator'], [7, 'start', 'initiator']]);
  const enq = hist.events.find((e) => e.summary.startsWith('enqueue stop build'));
  expect(enq?.explanation).toBeTruthy();
  expect(hist.events.some((e) => e.event === 'WorkflowExecutionUpdateAccepted' && e.summary === `stop requested by ${ANA}`)).toBe(true);
  const bh = await client.getBuildHistory(id, 2);
  expect(bh.events[0]).toMatchObject({ event: 'WorkflowExecutionStarted', build_number: 2, transition: 'stop', reason: 'initiator' });
  expect(bh.events.at(-1)).toMatchObject({ event: 'WorkflowExecutionCompleted', summary: 'workflow completed: succeeded' });
  const raw = await client.exportHistory(id, 2) as { events: unknown[] };
  expect(raw.events.length).toBe(bh.events.length);

  // Audit: every mutating call, with the actor and result.
  const audit = await client.listAudit();
  const actions = audit.map((a) => a.action);
  expect(actions).toEqual(expect.arrayContaining(['createWorkspace', 'createBuild', 'putSchedule', 'extendDeadline', 'reportActivity']));
  expect(audit.find((a) => a.action === 'createBuild' && a.status_code === 409)).toMatchObject({ result: 'failed', actor: ANA });
  expect(audit.every((a) => a.actor === ANA)).toBe(true);
  const adminAudit = await api.get(`${API}/audit`).set('Authorization', userHeader(ADMIN)).expect(200);
  expect(adminAudit.body.map((a: { action: string }) => a.action)).toContain('pushTemplateVersion');

  // Metrics and health.
  const metrics = await api.get(`${API}/metrics`).expect(200);
  expect(metrics.text).toMatch(/berth_workspaces\{status="running"\} 1/);
  expect(metrics.text).toMatch(/berth_api_requests_total\{route="createWorkspace",method="post",status="201"\} 1/);
  const health = await api.get(`${API}/health`).expect(200);
  expect(health.body).toEqual({ status: 'ok', database: 'ok', temporal: 'ok' });

  // Delete: a delete build; the workspace is gone from the list.
  const del = await api.delete(`${API}/workspaces/${id}`).set('Authorization', userHeader(ANA)).expect(202);
  expect(del.body).toMatchObject({ transition: 'delete' });
  await waitForBuild(id, del.body.build_number);
  expect((await client.listWorkspaces()).count).toBe(0);
  expect((await client.getWorkspace(id)).status).toBe('deleted');
});

test('cancel a running build over HTTP; update to a newly promoted version; outdated search', async () => {
  const api = stack.http();
  const client = asAna();
  // A slow start, canceled while tofu runs: the build ends canceled, state is kept.
  const ws = await client.createWorkspace({ name: 'slow', template: 'local', parameters: { workspaces_root: root, start_delay_seconds: '30' } });
  await eventually('apply running', async () => (await client.getBuild(ws.id, 1)).job_status === 'running' && (await client.getBuildLogs(ws.id, 1)).some((l) => l.stage === 'apply'), 60_000);
  const canceling = await api.post(`${API}/workspaces/${ws.id}/builds/1/cancel`).set('Authorization', userHeader(ANA)).expect(202);
  expect(['canceling', 'canceled']).toContain(canceling.body.job_status);
  const done = await waitForBuild(ws.id, 1);
  expect(done.job_status).toBe('canceled');
  await api.post(`${API}/workspaces/${ws.id}/builds/1/cancel`).set('Authorization', userHeader(ANA)).expect(409);
  const start = await client.createBuild(ws.id, { transition: 'start', parameters: { start_delay_seconds: '0' } });
  expect((await waitForBuild(ws.id, start.build_number)).job_status).toBe('succeeded');
  expect((await client.getWorkspace(ws.id)).outdated).toBe(false);

  // A new version pushed and promoted: the workspace is outdated until an update build.
  const archive = await createArchiveFromDirectory(LOCAL_TEMPLATE);
  await api.post(`${API}/templates/local/versions?name=v2&activate=false`).set('Authorization', userHeader(ADMIN)).set('Content-Type', 'application/gzip').send(archive).expect(201);
  await eventually('v2 import', async () => (await client.getTemplateVersion('local', 'v2')).import_status === 'succeeded', 120_000);
  expect((await client.getTemplateVersion('local', 'v2')).active).toBe(false);
  await api.post(`${API}/templates/local/versions/v2/promote`).set('Authorization', userHeader(ANA)).expect(403);
  const promoted = await api.post(`${API}/templates/local/versions/v2/promote`).set('Authorization', userHeader(ADMIN)).expect(200);
  const v2 = await client.getTemplateVersion('local', 'v2');
  expect(promoted.body.active_version_id).toBe(v2.id);
  expect((await client.getWorkspace(ws.id)).outdated).toBe(true);
  expect((await client.listWorkspaces({ q: 'outdated:true' })).workspaces.map((w) => w.id)).toEqual([ws.id]);
  const upd = await client.createBuild(ws.id, { transition: 'update' });
  expect(upd).toMatchObject({ transition: 'start', template_version_id: v2.id });
  await waitForBuild(ws.id, upd.build_number);
  expect((await client.getWorkspace(ws.id)).outdated).toBe(false);
  expect((await client.listWorkspaces({ q: 'outdated:true' })).count).toBe(0);
  // Versions list shows both, v2 active.
  const versions = await client.listTemplateVersions('local');
  expect(versions.map((v) => [v.name, v.active])).toEqual(expect.arrayContaining([['v1', false], ['v2', true]]));
  await client.deleteWorkspace(ws.id);
});
