/**
 * Lifecycle scheduling on the time-skipping test server: days and weeks of simulated time, real
 * tofu builds of templates/local, real Postgres. Autostart on weekdays with a TTL across a DST
 * change, failure cleanup retried once per failure TTL, dormancy then autodelete, activity bumps
 * capped by max_deadline.
 */
import path from 'node:path';
import { eventually, FIXTURES, LOCAL_TEMPLATE, tempDir } from './support/stack';
import { advance as advanceBy, DAY, HOUR, settledBuilds as settled, startTimeSkippingStack, type TimeSkippingStack } from './support/time-skipping';

let ts: TimeSkippingStack;
const settledBuilds = (id: string) => settled(ts, id);
const advance = (ms: number, step?: number) => advanceBy(ts, ms, step);
const DEV = 'user:default/sam';

beforeAll(async () => {
  ts = await startTimeSkippingStack();
  await ts.push({ name: 'local', dir: LOCAL_TEMPLATE, createdBy: 'user:default/admin' });
}, 120_000);
afterAll(async () => { await ts?.teardown(); });

/** Deletes a workspace so its timers do not run during later tests' simulated time. */
async function remove(workspaceId: string): Promise<void> {
  const ws = await ts.client.getWorkspace(workspaceId);
  if (ws.deleted) return;
  const ref = await ts.client.requestBuild(workspaceId, { kind: 'delete', initiator: DEV });
  expect((await ts.client.waitForBuild(workspaceId, ref.buildNumber)).status).toBe('deleted');
}


test('a TTL stops a started workspace at its deadline, with the reason and an explanation', async () => {
  const { workspace } = await ts.client.createWorkspace({ owner: DEV, name: 'ttl', template: 'local', ttlMs: 2 * HOUR, parameters: { workspaces_root: tempDir('homes') } });
  const [b1] = await settledBuilds(workspace.id);
  expect(b1.status).toBe('running');
  expect(b1.deadline).not.toBeNull();
  expect(b1.deadline!.getTime() - b1.completedAt!.getTime()).toBe(2 * HOUR);
  // the workflow learns of the finished build a moment after the database does
  const d = await eventually('the next decision', async () => (await ts.client.describe(workspace.id)).nextLifecycle, 10_000);
  expect(d).toMatchObject({ rule: 'autostop_deadline', transition: 'stop', reason: 'autostop' });
  await advance(3 * HOUR);
  const builds = await settledBuilds(workspace.id);
  expect(builds.map((b) => `${b.transition}:${b.reason}:${b.jobStatus}`)).toEqual(['start:initiator:succeeded', 'stop:autostop:succeeded']);
  expect(builds[1].explanation).toMatch(/^stopped: deadline \d\d:\d\d UTC reached \(TTL 2h from start at (\d{4}-\d\d-\d\d )?\d\d:\d\d\)/);
  await remove(workspace.id);
});

test('failure cleanup stops a failed workspace after the failure TTL and retries about once per failure TTL', async () => {
  await ts.push({ name: 'failing', dir: path.join(FIXTURES, 'failing'), createdBy: 'user:default/admin' });
  await ts.client.updateTemplate('failing', { schedule: { failureTtlMs: HOUR } });
  const { workspace } = await ts.client.createWorkspace({ owner: DEV, name: 'flaky', template: 'failing', parameters: { marker_dir: tempDir('markers'), fail: 'true' } });
  const [b1] = await settledBuilds(workspace.id);
  expect(b1.jobStatus).toBe('failed');
  await advance(150 * 60_000, 15 * 60_000);
  const builds = await settledBuilds(workspace.id);
  const cleanups = builds.filter((b) => b.reason === 'autostop');
  // +1h and +2h: once per failure TTL, not in a tight loop
  expect(cleanups.map((b) => b.transition)).toEqual(['stop', 'stop']);
  expect(cleanups.every((b) => b.jobStatus === 'failed')).toBe(true);
  expect(cleanups[0].explanation).toMatch(/fail/);
  const gap = cleanups[1].completedAt!.getTime() - cleanups[0].completedAt!.getTime();
  expect(gap).toBeGreaterThanOrEqual(HOUR - 60_000);
  expect(gap).toBeLessThan(2 * HOUR);
  await remove(workspace.id);
});

test('dormancy after time_til_dormant without use, then autodelete after time_til_dormant_autodelete', async () => {
  await ts.push({ name: 'dormy', dir: LOCAL_TEMPLATE, createdBy: 'user:default/admin' });
  await ts.client.updateTemplate('dormy', { schedule: { timeTilDormantMs: DAY, timeTilDormantAutodeleteMs: 3 * DAY } });
  const { workspace } = await ts.client.createWorkspace({ owner: DEV, name: 'idle', template: 'dormy', parameters: { workspaces_root: tempDir('homes') } });
  expect((await settledBuilds(workspace.id))[0].status).toBe('running');
  await advance(DAY + 2 * HOUR);
  let builds = await settledBuilds(workspace.id);
  expect(builds.map((b) => `${b.transition}:${b.reason}`)).toEqual(['start:initiator', 'stop:dormancy']);
  const dormant = await ts.db('workspaces').where({ id: workspace.id }).first('dormant_at', 'deleting_at', 'deleted');
  expect(dormant.dormant_at).not.toBeNull();
  expect(dormant.deleting_at.getTime() - dormant.dormant_at.getTime()).toBe(3 * DAY);
  await advance(3 * DAY + HOUR, 12 * HOUR);
  builds = await settledBuilds(workspace.id);
  expect(builds.map((b) => `${b.transition}:${b.reason}:${b.jobStatus}`)).toEqual(['start:initiator:succeeded', 'stop:dormancy:succeeded', 'delete:autodelete:succeeded']);
  expect((await ts.client.getWorkspace(workspace.id)).deleted).toBe(true);
  expect(builds[2].explanation).toMatch(/dormant/);
});

test('activity bumps move the deadline later but never past max_deadline, where the workspace stops', async () => {
  await ts.push({ name: 'bumpy', dir: LOCAL_TEMPLATE, createdBy: 'user:default/admin' });
  await ts.client.updateTemplate('bumpy', { schedule: { defaultTtlMs: HOUR, activityBumpMs: HOUR, autostopRequirementDays: 127, autostopRequirementWeeks: 1 } });
  const t0 = await ts.now();
  const quietHour = new Date(t0 + 6 * HOUR).getUTCHours();
  await ts.client.setUserQuietHours('user:default/bumper', `CRON_TZ=UTC 0 ${quietHour} * * *`);
  const { workspace } = await ts.client.createWorkspace({ owner: 'user:default/bumper', name: 'busy', template: 'bumpy', parameters: { workspaces_root: tempDir('homes') } });
  const [b1] = await settledBuilds(workspace.id);
  expect(b1.maxDeadline).not.toBeNull();
  const max = b1.maxDeadline!.getTime();
  expect(max - t0).toBeGreaterThan(4 * HOUR);
  expect(max - t0).toBeLessThanOrEqual(6 * HOUR);
  let last = b1.deadline!.getTime();
  const seen: number[] = [last];
  for (let i = 0; i < 12; i++) {
    await ts.env.sleep(45 * 60_000);
    const b = (await ts.client.listBuilds(workspace.id))[0];
    if (b.transition !== 'start') break; // stopped at max_deadline
    await ts.client.reportActivity(workspace.id);
    for (let j = 0; j < 50; j++) {
      const d = (await ts.client.getBuild(workspace.id, 1)).deadline!.getTime();
      if (d !== last) { last = d; break; }
      await new Promise((r) => setTimeout(r, 100));
    }
    seen.push(last);
  }
  // only ever later, never past max_deadline, and it reached max_deadline
  for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
  expect(Math.max(...seen)).toBeLessThanOrEqual(max);
  expect(seen).toContain(max);
  await advance(2 * HOUR, HOUR);
  const builds = await settledBuilds(workspace.id);
  expect(builds.map((b) => `${b.transition}:${b.reason}`)).toEqual(['start:initiator', 'stop:autostop']);
  expect(builds[1].completedAt!.getTime()).toBeGreaterThanOrEqual(max);
  expect(builds[1].completedAt!.getTime() - max).toBeLessThan(10 * 60_000);
  await remove(workspace.id);
});

test('setSchedule takes effect at once without starting or stopping; a new TTL applies from the next build; extend and preview', async () => {
  const { workspace } = await ts.client.createWorkspace({ owner: DEV, name: 'sched', template: 'local', ttlMs: 4 * HOUR, parameters: { workspaces_root: tempDir('homes') } });
  const [b1] = await settledBuilds(workspace.id);
  const deadline1 = b1.deadline!.getTime();
  const now = await ts.now();
  // an autostart a minute ago would be overdue: setting it must not start anything (it is running anyway) nor stop it
  const past = new Date(now - 60_000);
  const r = await ts.client.setSchedule(workspace.id, { autostartSchedule: `CRON_TZ=UTC ${past.getUTCMinutes()} ${past.getUTCHours()} * * *`, ttlMs: HOUR }, DEV);
  expect(r.ttlMs).toBe(HOUR);
  expect(r.nextStartAt).toBeGreaterThan(now + 23 * HOUR);
  expect((await ts.client.listBuilds(workspace.id))).toHaveLength(1);
  // TTL applies from the next build: the running deadline is unchanged
  expect((await ts.client.getBuild(workspace.id, 1)).deadline!.getTime()).toBe(deadline1);
  // bad input is refused and changes nothing
  await expect(ts.client.setSchedule(workspace.id, { autostartSchedule: '0 9 * * 8' }, DEV)).rejects.toThrow(/Invalid autostart schedule/);
  await expect(ts.client.setSchedule(workspace.id, { ttlMs: 1000 }, DEV)).rejects.toThrow(/at least one minute/);
  await expect(ts.client.setSchedule(workspace.id, { ttlMs: 31 * DAY }, DEV)).rejects.toThrow(/less than 30 days/);
  // extend: at least 30 minutes ahead
  await expect(ts.client.extendDeadline(workspace.id, now + 10 * 60_000, DEV)).rejects.toThrow(/at least 30 minutes/);
  const extended = await ts.client.extendDeadline(workspace.id, now + 6 * HOUR, DEV);
  expect(extended.deadline).toBe(now + 6 * HOUR);
  expect((await ts.client.getBuild(workspace.id, 1)).deadline!.getTime()).toBe(now + 6 * HOUR);
  // preview: the next autostarts are daily at the schedule's time; the next autostop is the extended deadline
  const preview = await ts.client.previewSchedule(workspace.id, {}, 3, now);
  expect(preview.autostarts).toHaveLength(3);
  expect(preview.autostarts[1].at - preview.autostarts[0].at).toBe(DAY);
  expect(preview.autostops[0].at).toBe(now + 6 * HOUR);
  await expect(ts.client.previewSchedule(workspace.id, { autostartSchedule: 'every day' }, 3, now)).rejects.toThrow(/Invalid autostart schedule/);
  // the stop happens at the extended deadline, and the next start uses the new TTL
  await advance(7 * HOUR, HOUR);
  let builds = await settledBuilds(workspace.id);
  expect(builds.map((b) => `${b.transition}:${b.reason}`)).toEqual(['start:initiator', 'stop:autostop']);
  expect(builds[1].explanation).toMatch(/set by an extend request/);
  await advance(18 * HOUR, 3 * HOUR);
  builds = await settledBuilds(workspace.id);
  const start = builds.find((b) => b.reason === 'autostart')!;
  expect(start).toBeDefined();
  expect(start.deadline!.getTime() - start.completedAt!.getTime()).toBe(HOUR);
  // lifecycle counters
  const metrics = await ts.workers.metrics.registry.getSingleMetricAsString('berth_lifecycle_transitions_total');
  expect(metrics).toMatch(/berth_lifecycle_transitions_total\{transition="start",reason="autostart"\} [1-9]/);
  expect(metrics).toMatch(/berth_lifecycle_transitions_total\{transition="stop",reason="autostop"\} [1-9]/);
  await remove(workspace.id);
});
