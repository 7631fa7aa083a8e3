/**
 * The schedule rules run inside Temporal's workflow sandbox (DESIGN.md §3: workflow code imports
 * nothing from Node). Proven three ways:
 *
 * 1. a throwaway workflow file in the OS temp dir imports src/domain/schedule.ts by absolute path
 *    and calls its main functions; `bundleWorkflowCode` bundles it with **no** ignored modules
 *    (Temporal refuses disallowed modules such as `fs` at bundle time);
 * 2. the check can fail: the same file importing cron-parser's package index (which pulls in `fs`)
 *    is refused;
 * 3. the bundle really runs on a worker against a real Temporal dev server (the pinned CLI), and
 *    the decision/preview computed in the sandbox (cron-parser + luxon + Intl in the isolate)
 *    equal the ones computed in plain Node.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { resolveTemporalCli } from '../src/toolchain';
import { nextLifecycleDecision, previewSchedule, type LifecycleState } from '../src/domain/schedule';

try { Runtime.install({ logger: new DefaultLogger('ERROR') }); } catch { /* already installed in this jest worker */ }

const SCHEDULE_MODULE = path.resolve(__dirname, '..', 'src', 'domain', 'schedule');
const CRON_PARSER_INDEX = require.resolve('cron-parser');
const quiet = new DefaultLogger('ERROR');
/** The repo's node_modules: the probe lives in the OS temp dir, where `@temporalio/workflow` (imported by the generated entrypoint) is not resolvable. */
const NODE_MODULES = path.resolve(require.resolve('@temporalio/workflow/package.json'), '..', '..', '..');

/** Bundles like the worker does (no ignored modules), resolving packages from the repo as a fallback. */
function bundle(workflowsPath: string) {
  return bundleWorkflowCode({
    workflowsPath, ignoreModules: [], logger: quiet,
    webpackConfigHook: (config) => ({ ...config, resolve: { ...config.resolve, modules: [...(config.resolve?.modules ?? []), NODE_MODULES] } }),
  });
}

const PROBE_STATE: LifecycleState = {
  autostartSchedule: 'CRON_TZ=Europe/Berlin 30 2 * * *',
  ttlMs: 8 * 3_600_000,
  lastUsedAt: Date.parse('2026-03-20T10:00:00+01:00'),
  dormantAt: null,
  deletingAt: null,
  latestBuild: {
    transition: 'stop', jobStatus: 'succeeded', createdAt: Date.parse('2026-03-28T17:59:00+01:00'),
    completedAt: Date.parse('2026-03-28T18:00:00+01:00'), deadline: null, maxDeadline: null,
  },
  template: {
    defaultTtlMs: 0, activityBumpMs: 3_600_000, autostartAllowedDays: 0x7f, autostopRequirementDays: 0x7f, autostopRequirementWeeks: 1,
    allowUserAutostart: true, allowUserAutostop: true, failureTtlMs: 0, timeTilDormantMs: 30 * 86_400_000, timeTilDormantAutodeleteMs: 0,
  },
  userQuietHoursSchedule: 'CRON_TZ=Europe/Berlin 0 23 * * *',
  userStatus: 'active',
  isPrebuild: false,
  templateNeedsNewParameters: false,
};
const PROBE_NOW = Date.parse('2026-03-28T20:00:00+01:00');

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-schedule-bundle-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Writes a workflow file importing `schedule` from `importPath`, exporting `scheduleProbe`. */
function writeProbe(name: string, importPath: string, extra = ''): string {
  const file = path.join(tmp, `${name}.ts`);
  fs.writeFileSync(file, [
    `import { nextLifecycleDecision, previewSchedule, type LifecycleState } from ${JSON.stringify(importPath)};`,
    extra,
    'export async function scheduleProbe(state: LifecycleState, now: number) {',
    '  return { decision: nextLifecycleDecision(state, now), preview: previewSchedule(state, now, 3) };',
    '}',
    '',
  ].join('\n'));
  return file;
}

describe('schedule.ts in the workflow sandbox', () => {
  let code: string;

  it('bundles with no ignored modules (no fs, no Node built-ins reached)', async () => {
    ({ code } = await bundle(writeProbe('probe', SCHEDULE_MODULE)));
    expect(code).toContain('scheduleProbe');
    expect(code).toContain('CronExpressionParser');
    expect(code).not.toContain('CronFileParser');
  }, 120_000);

  it('the check can fail: importing the cron-parser index (which reads files) is refused', async () => {
    const file = writeProbe('probe-bad', SCHEDULE_MODULE, `import { CronFileParser } from ${JSON.stringify(CRON_PARSER_INDEX)};\nexport const keep = CronFileParser;`);
    await expect(bundle(file)).rejects.toThrow(/disallowed modules[\s\S]*'fs/);
  }, 120_000);

  it('runs on a real worker and gives the same answers as plain Node', async () => {
    expect(code).toBeDefined();
    const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: resolveTemporalCli().path } } });
    try {
      const taskQueue = `schedule-probe-${process.pid}`;
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: { code } });
      const got = await worker.runUntil(env.client.workflow.execute('scheduleProbe', {
        taskQueue, workflowId: `schedule-probe-${process.pid}-${Date.parse('2026-01-01T00:00:00Z')}`, args: [PROBE_STATE, PROBE_NOW],
      }));
      const expected = { decision: nextLifecycleDecision(PROBE_STATE, PROBE_NOW), preview: previewSchedule(PROBE_STATE, PROBE_NOW, 3) };
      expect(got).toEqual(JSON.parse(JSON.stringify(expected)));
      // and the answer is the DST-aware one: the 02:30 autostart on the gap night fires at 03:30 CEST
      expect(expected.decision).toMatchObject({ rule: 'autostart', dueAt: Date.parse('2026-03-29T03:30:00+02:00') });
      expect(expected.preview.autostarts.map((a) => a.iso)).toEqual(['2026-03-29T03:30:00+02:00', '2026-03-30T02:30:00+02:00', '2026-03-31T02:30:00+02:00']);
      expect(expected.preview.autostops.map((a) => a.iso)).toEqual(['2026-03-29T11:30:00+02:00', '2026-03-30T10:30:00+02:00', '2026-03-31T10:30:00+02:00']);
    } finally {
      await env.teardown();
    }
  }, 180_000);
});
