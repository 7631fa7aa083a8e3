/**
 * Lifecycle scheduling on the time-skipping test server, part 2 (its own server, so simulated
 * time starts at today): a weekday autostart with an 8h TTL over two weeks across the New York
 * DST change, with real tofu builds of templates/local.
 */
import { LOCAL_TEMPLATE, tempDir } from './support/stack';
import { advance as advanceBy, DAY, HOUR, localTime, settledBuilds as settled, startTimeSkippingStack, type TimeSkippingStack } from './support/time-skipping';

let ts: TimeSkippingStack;
const settledBuilds = (id: string) => settled(ts, id);
const advance = (ms: number, step?: number) => advanceBy(ts, ms, step);
const DEV = 'user:default/sam';

beforeAll(async () => {
  ts = await startTimeSkippingStack();
  await ts.push({ name: 'local', dir: LOCAL_TEMPLATE, createdBy: 'user:default/admin' });
}, 120_000);
afterAll(async () => { await ts?.teardown(); });

test('weekday autostart with an 8h TTL over two weeks across the New York DST change', async () => {
  const zone = 'America/New_York';
  // Move simulated time to Monday 2027-03-08 12:00 EST (DST starts Sunday 2027-03-14).
  const target = Date.parse('2027-03-08T17:00:00Z');
  const now = await ts.now();
  expect(now).toBeLessThan(target);
  await advance(target - now, 30 * DAY);
  const { workspace } = await ts.client.createWorkspace({
    owner: DEV, name: 'office', template: 'local', ttlMs: 8 * HOUR, autostartSchedule: `CRON_TZ=${zone} 0 9 * * 1-5`,
    parameters: { workspaces_root: tempDir('homes') },
  });
  await settledBuilds(workspace.id);
  await advance(14 * DAY);
  const builds = await settledBuilds(workspace.id);
  const starts = builds.filter((b) => b.reason === 'autostart');
  const stops = builds.filter((b) => b.reason === 'autostop');
  expect(builds.every((b) => b.jobStatus === 'succeeded')).toBe(true);
  // Mon 8 → Mon 22 March: autostarts on Tue 9 … Fri 12, Mon 15 … Fri 19, Mon 22
  const day = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short' }).format(new Date(ms));
  expect(starts.map((b) => day(b.completedAt!.getTime()))).toEqual([
    'Tue, 2027-03-09', 'Wed, 2027-03-10', 'Thu, 2027-03-11', 'Fri, 2027-03-12',
    'Mon, 2027-03-15', 'Tue, 2027-03-16', 'Wed, 2027-03-17', 'Thu, 2027-03-18', 'Fri, 2027-03-19', 'Mon, 2027-03-22',
  ].map((d) => d.replace(/^(\w+), (.*)$/, '$2')).map((d, i) => `${['Tue', 'Wed', 'Thu', 'Fri', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Mon'][i]}, ${d}`));
  // 09:00 local both before and after the change; deadlines 17:00 local = 22:00Z (EST) then 21:00Z (EDT)
  for (const b of starts) {
    expect(localTime(b.completedAt!.getTime(), zone)).toBe('09:00');
    expect(localTime(b.deadline!.getTime(), zone)).toBe('17:00');
  }
  const minute = (d: Date) => new Date(Math.floor(d.getTime() / 60_000) * 60_000).toISOString();
  expect(minute(starts[3].deadline!)).toBe('2027-03-12T22:00:00.000Z');
  expect(minute(starts[4].deadline!)).toBe('2027-03-15T21:00:00.000Z');
  // the first build (created at 12:00 on Monday) stopped at 20:00; every autostarted day at 17:00
  expect(stops[0].explanation).toMatch(/^stopped: deadline 20:00 America\/New_York reached \(TTL 8h from start at 12:00\)/);
  for (const b of stops.slice(1)) expect(b.explanation).toMatch(/^stopped: deadline 17:00 America\/New_York reached \(TTL 8h from start at 09:00\)/);
  expect(starts[0].explanation).toMatch(/^started: autostart at 09:00 America\/New_York/);
  expect(stops).toHaveLength(10); // Monday 8th's + Tue 9 … Fri 19 (Mon 22 still running)
  expect(builds[builds.length - 1].reason).toBe('autostart');
}, 300_000);
