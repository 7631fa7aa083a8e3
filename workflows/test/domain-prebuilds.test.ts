/**
 * The prebuild reconciliation plan and claim rules (src/domain/prebuilds.ts), table-driven, no
 * server: create up to desired, delete extras (oldest first), expired ones and those of
 * non-active versions (invalidation), backoff after failures (last build + failures × interval),
 * the hard limit (and that deletions still happen while hard_limited), and parameter matching
 * for claims.
 */
import {
  backoffUntil, claimMatches, DEFAULT_PREBUILD_CONFIG, isExpired, isHardLimited, plan, planPreset, prebuildName, type PresetSnapshot,
} from '../src/domain/prebuilds';
import type { TemplateParameter } from '../src/domain/parameter-types';

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const cfg = DEFAULT_PREBUILD_CONFIG;

function preset(over: Partial<PresetSnapshot> = {}): PresetSnapshot {
  return {
    presetId: 'p1', presetName: 'standard', templateId: 't1', templateName: 'local', templateVersionId: 'v1', active: true,
    desiredInstances: 3, expirationTtlMs: null, status: 'healthy', running: [], inProgress: { start: 0, stop: 0, delete: 0 }, recentBuilds: [],
    ...over,
  };
}
const ws = (id: string, ageMs: number) => ({ workspaceId: id, createdAt: NOW - ageMs });
const ok = (agoMs: number) => ({ finishedAt: NOW - agoMs, failed: false });
const bad = (agoMs: number) => ({ finishedAt: NOW - agoMs, failed: true });

describe('planPreset', () => {
  const cases: Array<{ name: string; p: PresetSnapshot; create: number; delete: Array<[string, string]>; backoff?: boolean; hardLimited?: boolean; mark?: boolean; healthy?: boolean; desired?: number; eligible?: number }> = [
    { name: 'empty pool: create up to desired', p: preset(), create: 3, delete: [] },
    { name: 'partly filled: create the rest', p: preset({ running: [ws('a', HOUR)] }), create: 2, delete: [], eligible: 1 },
    { name: 'in-progress starts count toward desired', p: preset({ running: [ws('a', HOUR)], inProgress: { start: 2, stop: 0, delete: 0 } }), create: 0, delete: [] },
    { name: 'in-progress deletes do not reduce create', p: preset({ inProgress: { start: 0, stop: 0, delete: 2 } }), create: 3, delete: [] },
    { name: 'full pool: nothing to do', p: preset({ running: [ws('a', 3), ws('b', 2), ws('c', 1)] }), create: 0, delete: [], eligible: 3 },
    {
      name: 'extras above desired: delete the oldest',
      p: preset({ desiredInstances: 1, running: [ws('young', MIN), ws('old', 3 * HOUR), ws('mid', HOUR)] }),
      create: 0, delete: [['old', 'extraneous'], ['mid', 'extraneous']],
    },
    { name: 'desired 0 on an active version: delete all as extraneous', p: preset({ desiredInstances: 0, running: [ws('a', MIN)] }), create: 0, delete: [['a', 'extraneous']], desired: 0 },
    {
      name: 'expired prebuilds are deleted and replaced',
      p: preset({ desiredInstances: 2, expirationTtlMs: 2 * HOUR, running: [ws('stale', 3 * HOUR), ws('fresh', HOUR)] }),
      create: 1, delete: [['stale', 'expired']], eligible: 1,
    },
    {
      name: 'exactly at the TTL is not yet expired (created_at + ttl < now)',
      p: preset({ desiredInstances: 1, expirationTtlMs: HOUR, running: [ws('edge', HOUR)] }), create: 0, delete: [],
    },
    {
      name: 'expired and extraneous together',
      p: preset({ desiredInstances: 1, expirationTtlMs: 2 * HOUR, running: [ws('stale', 5 * HOUR), ws('a', HOUR), ws('b', MIN)] }),
      create: 0, delete: [['stale', 'expired'], ['a', 'extraneous']],
    },
    {
      name: 'invalidation: a non-active version deletes every running prebuild, creates none',
      p: preset({ active: false, running: [ws('a', MIN), ws('b', HOUR)], recentBuilds: [bad(MIN)] }),
      create: 0, delete: [['b', 'invalidation'], ['a', 'invalidation']], desired: 0, eligible: 0,
    },
    { name: 'inactive with nothing running: nothing to do', p: preset({ active: false }), create: 0, delete: [], desired: 0 },
    {
      name: 'backoff: a failure 30 s ago blocks everything until last build + 1 × interval',
      p: preset({ recentBuilds: [bad(30_000)] }), create: 0, delete: [], backoff: true,
    },
    { name: 'backoff over: a failure 2 min ago with 1 failure (1 min unit)', p: preset({ recentBuilds: [bad(2 * MIN)] }), create: 3, delete: [] },
    {
      name: 'backoff grows with the failures in the window: 2 failures, last 90 s ago → wait 2 min',
      p: preset({ recentBuilds: [bad(90_000), bad(10 * MIN)] }), create: 0, delete: [], backoff: true,
    },
    {
      name: 'failures outside the lookback window do not back off',
      p: preset({ recentBuilds: [bad(2 * HOUR), bad(3 * HOUR)] }), create: 3, delete: [],
    },
    {
      name: 'a success after an older failure within the last N = desired builds still backs off (Coder: any failure of the last N)',
      p: preset({ desiredInstances: 2, recentBuilds: [ok(10_000), bad(20_000)] }), create: 0, delete: [], backoff: true,
    },
    {
      name: 'failures older than the last N = desired builds do not back off',
      p: preset({ desiredInstances: 1, running: [ws('a', MIN)], recentBuilds: [ok(10_000), bad(20_000)] }), create: 0, delete: [],
    },
    {
      name: 'hard limit: the last 3 builds failed → hard_limited, marked once, no create',
      p: preset({ recentBuilds: [bad(2 * HOUR), bad(3 * HOUR), bad(4 * HOUR)] }), create: 0, delete: [], hardLimited: true, mark: true,
    },
    {
      name: 'already hard_limited: not marked again',
      p: preset({ status: 'hard_limited', recentBuilds: [bad(2 * HOUR), bad(3 * HOUR), bad(4 * HOUR)] }), create: 0, delete: [], hardLimited: true, mark: false,
    },
    {
      name: 'hard_limited still deletes expired prebuilds',
      p: preset({ desiredInstances: 1, expirationTtlMs: HOUR, running: [ws('stale', 2 * HOUR)], recentBuilds: [bad(2 * HOUR), bad(3 * HOUR), bad(4 * HOUR)] }),
      create: 0, delete: [['stale', 'expired']], hardLimited: true, mark: true,
    },
    {
      name: 'a success among the last 3 builds: not hard-limited',
      p: preset({ recentBuilds: [bad(2 * HOUR), ok(3 * HOUR), bad(4 * HOUR)] }), create: 3, delete: [],
    },
    {
      name: 'stored hard_limited but the builds no longer reach the limit (limit raised): back to healthy',
      p: preset({ status: 'hard_limited', recentBuilds: [bad(2 * HOUR), bad(3 * HOUR)] }), create: 3, delete: [], healthy: true,
    },
    { name: 'fewer builds than the limit: not hard-limited', p: preset({ recentBuilds: [bad(2 * HOUR), bad(3 * HOUR)] }), create: 3, delete: [] },
  ];
  test.each(cases)('$name', (c) => {
    const r = planPreset(c.p, NOW, cfg);
    expect(r.create).toBe(c.create);
    expect(r.delete.map((d) => [d.workspaceId, d.reason])).toEqual(c.delete);
    expect(r.backoffUntil !== null).toBe(c.backoff ?? false);
    expect(r.hardLimited).toBe(c.hardLimited ?? false);
    expect(r.markHardLimited).toBe(c.mark ?? false);
    expect(r.markHealthy).toBe(c.healthy ?? false);
    if (c.desired !== undefined) expect(r.state.desired).toBe(c.desired);
    if (c.eligible !== undefined) expect(r.state.eligible).toBe(c.eligible);
    expect(r.explanation.length).toBeGreaterThan(5);
  });

  test('backoff ends at last build + failures × interval', () => {
    const p = preset({ recentBuilds: [bad(90_000), bad(10 * MIN)] });
    expect(backoffUntil(p, NOW, cfg)).toBe(NOW - 90_000 + 2 * MIN);
    expect(planPreset(p, NOW, cfg).backoffUntil).toBe(NOW + 30_000);
    expect(backoffUntil(p, NOW + 30_000, cfg)).toBeNull();
    expect(planPreset(p, NOW + 30_000, cfg).create).toBe(3);
  });

  test('the hard limit follows the setting; 0 disables it', () => {
    const builds = [bad(1), bad(2), bad(3), bad(4), bad(5)];
    expect(isHardLimited(builds, 3)).toBe(true);
    expect(isHardLimited(builds, 5)).toBe(true);
    expect(isHardLimited(builds, 6)).toBe(false);
    expect(isHardLimited(builds, 0)).toBe(false);
    expect(planPreset(preset({ recentBuilds: builds.map((b) => ({ ...b, finishedAt: NOW - 2 * HOUR })) }), NOW, { ...cfg, failureHardLimit: 0 }).create).toBe(3);
  });

  test('expiry: ttl null or 0 never expires', () => {
    expect(isExpired(ws('a', 100 * HOUR), null, NOW)).toBe(false);
    expect(isExpired(ws('a', 100 * HOUR), 0, NOW)).toBe(false);
    expect(isExpired(ws('a', 2 * HOUR), HOUR, NOW)).toBe(true);
  });

  test('plan() covers every preset, is pure (same input, same output) and does not mutate its input', () => {
    const ps = [preset(), preset({ presetId: 'p2', active: false, running: [ws('x', MIN)] })];
    const copy = JSON.parse(JSON.stringify(ps));
    const a = plan(ps, NOW, cfg);
    expect(plan(ps, NOW, cfg)).toEqual(a);
    expect(ps).toEqual(copy);
    expect(a.map((p) => [p.presetId, p.create, p.delete.length])).toEqual([['p1', 3, 0], ['p2', 0, 1]]);
  });
});

describe('claimMatches', () => {
  const param = (name: string, mutable: boolean, defaultValue: string | null = 'd'): TemplateParameter => ({
    name, displayName: name, description: '', icon: '', order: 0, type: 'string', defaultValue, required: defaultValue === null,
    sensitive: false, nullable: true, mutable, ephemeral: false, options: [], validation: {}, terraformValidations: [],
  });
  const params = [param('size', false), param('root', false), param('delay', true)];
  const presetValues = { size: 'l' };
  const prebuild = { size: 'l', root: '/w', delay: '0' };
  test.each([
    ['no parameters', {}, true],
    ['the preset value itself', { size: 'l' }, true],
    ['a value conflicting with the preset', { size: 's' }, false],
    ['an immutable parameter equal to the prebuild', { root: '/w' }, true],
    ['an immutable parameter that differs', { root: '/elsewhere' }, false],
    ['a mutable parameter that differs (applied by the claim build)', { delay: '5' }, true],
    ['an unknown parameter', { nope: 'x' }, false],
  ] as Array<[string, Record<string, string>, boolean]>)('%s', (_n, requested, expected) => {
    expect(claimMatches(params, presetValues, prebuild, requested)).toBe(expected);
  });
});

test('prebuild names are valid workspace names', () => {
  expect(prebuildName('DEADBEEF99')).toBe('prebuild-deadbeef');
  expect(prebuildName('')).toBe('prebuild-00000000');
  expect(prebuildName('0a1b2c3d')).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
});
