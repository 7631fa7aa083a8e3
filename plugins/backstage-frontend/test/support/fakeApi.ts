/**
 * An in-memory stand-in for the Berth API client, for component tests only (below what they
 * claim: the components' behaviour, not the API's). It keeps workspaces and builds, records
 * every call, and can be told to fail a call the way the real API does (BerthApiError with the
 * status, name, message and details the backend sends). The real API is exercised end to end in
 * e2e/entity-page.e2e.test.ts.
 */
import { BerthApiError, type ApiBuild, type ApiBuildLog, type ApiParameter, type ApiPreset, type ApiSchedule, type ApiTemplate, type ApiWorkspace, type FollowLogsOptions } from '@berth/backstage-plugin-common';
import type { BerthApi } from '../../src/api';

const iso = (ms: number) => new Date(ms).toISOString();
export const T0 = Date.parse('2026-12-03T09:00:00Z');

export function build(over: Partial<ApiBuild> = {}): ApiBuild {
  return {
    id: `b-${over.build_number ?? 1}`, workspace_id: 'ws-1', build_number: 1, transition: 'start', reason: 'initiator', initiator: 'user:default/ana',
    template_version_id: 'tv-1', job_id: 'job-1', job_status: 'succeeded', status: 'running', created_at: iso(T0), started_at: iso(T0 + 1000), completed_at: iso(T0 + 5000),
    canceled_at: null, queue_wait_ms: 1000, duration_ms: 4000, error: null, error_code: null, deadline: iso(T0 + 8 * 3_600_000), max_deadline: null,
    explanation: 'started by user:default/ana', outputs: {}, ...over,
  };
}

export function workspace(over: Partial<ApiWorkspace> = {}): ApiWorkspace {
  const id = over.id ?? 'ws-1';
  return {
    id, owner: 'user:default/ana', name: 'dev', template_id: 't-1', template_name: 'local', status: 'running', autostart_schedule: null, ttl_ms: 8 * 3_600_000,
    automatic_updates: 'never', entity_ref: 'component:default/shop', last_used_at: iso(T0), created_at: iso(T0), updated_at: iso(T0), deleted: false, outdated: false,
    latest_build: build({ workspace_id: id }), ...over,
  };
}

export const TEMPLATE: ApiTemplate = {
  id: 't-1', name: 'local', display_name: 'Local workspace', description: 'runs on the worker host', icon: '', active_version_id: 'tv-1', created_by: 'user:default/admin',
  created_at: iso(T0), require_active_version: false, allow_user_cancel_workspace_jobs: true, deprecation_message: '',
  schedule: { default_ttl_ms: 0, activity_bump_ms: 3_600_000, autostart_allowed_days: 127, autostop_requirement_days: 0, autostop_requirement_weeks: 1, allow_user_autostart: true, allow_user_autostop: true, failure_ttl_ms: 0, time_til_dormant_ms: 0, time_til_dormant_autodelete_ms: 0 },
};

export function parameter(over: Partial<ApiParameter> & { name: string }): ApiParameter {
  return { display_name: '', description: '', icon: '', order: 0, type: 'string', default_value: null, required: true, sensitive: false, mutable: true, ephemeral: false, options: [], validation: {}, ...over };
}

export const PARAMETERS: ApiParameter[] = [
  parameter({ name: 'region', display_name: 'Region', order: 1, options: [{ value: 'eu', name: 'Europe', description: '', icon: '' }, { value: 'us', name: 'America', description: '', icon: '' }] }),
  parameter({ name: 'cpus', display_name: 'CPUs', order: 2, type: 'number', default_value: '2', required: false, validation: { min: 1, max: 8 } }),
  parameter({ name: 'gpu', display_name: 'GPU', order: 3, type: 'bool', default_value: 'false', required: false }),
  parameter({ name: 'dotfiles', display_name: 'Dotfiles repo', order: 4, default_value: '', required: false, validation: { regex: '^(https://.*)?$', error: 'use an https URL' } }),
];

export const PRESETS: ApiPreset[] = [
  { id: 'p-1', name: 'small', description: 'Europe, 2 CPUs', default: true, parameters: { region: 'eu', cpus: '2' }, prebuild_instances: 2, prebuild_expiration_s: null },
];

export interface Call { method: string; args: unknown[] }

/** The fake. `fail[method]` makes the next call of that method throw the given error. */
export class FakeBerthApi {
  calls: Call[] = [];
  workspaces: ApiWorkspace[] = [];
  builds = new Map<string, ApiBuild[]>();
  schedule: ApiSchedule = { autostart_schedule: 'CRON_TZ=Europe/Berlin 0 9 * * 1-5', ttl_ms: 8 * 3_600_000, deadline: iso(T0 + 8 * 3_600_000), max_deadline: null, next_lifecycle: null };
  fail: Partial<Record<keyof BerthApi, BerthApiError>> = {};
  /** Log lines a followed build delivers, and how it ends. */
  logs: ApiBuildLog[] = [];
  logEnd = 'succeeded';
  /** When set, followBuildLogs waits for `release()` before ending (a build still running). */
  private hold: Promise<void> | null = null;
  private releaseHold: (() => void) | null = null;

  asApi(): BerthApi { return this as unknown as BerthApi; }

  private record(method: keyof BerthApi, ...args: unknown[]) {
    this.calls.push({ method, args });
    const f = this.fail[method];
    if (f) { delete this.fail[method]; throw f; }
  }
  callsOf(method: keyof BerthApi): unknown[][] { return this.calls.filter((c) => c.method === method).map((c) => c.args); }

  holdLogs(): void { this.hold = new Promise((r) => { this.releaseHold = r; }); }
  release(): void { this.releaseHold?.(); this.hold = null; }

  async listWorkspaces(opts: { q?: string } = {}) { this.record('listWorkspaces', opts); return { workspaces: this.workspaces.filter((w) => !w.deleted), count: this.workspaces.length }; }
  async getWorkspace(id: string) { this.record('getWorkspace', id); const w = this.workspaces.find((x) => x.id === id); if (!w) throw new BerthApiError(404, 'NotFoundError', `workspace ${id} not found`); return w; }
  async listBuilds(id: string) { this.record('listBuilds', id); return this.builds.get(id) ?? []; }
  async getBuild(id: string, n: number) { this.record('getBuild', id, n); return (this.builds.get(id) ?? []).find((b) => b.build_number === n) ?? build({ workspace_id: id, build_number: n, job_status: this.logEnd as ApiBuild['job_status'] }); }
  async createBuild(id: string, body: { transition: string }) {
    this.record('createBuild', id, body);
    const ws = this.workspaces.find((w) => w.id === id)!;
    const b = build({ workspace_id: id, build_number: (ws.latest_build?.build_number ?? 0) + 1, transition: body.transition === 'stop' ? 'stop' : 'start', job_status: 'pending', status: body.transition === 'stop' ? 'stopping' : 'starting', completed_at: null, duration_ms: null });
    ws.latest_build = b;
    ws.status = b.status;
    return b;
  }
  async deleteWorkspace(id: string) { this.record('deleteWorkspace', id); const ws = this.workspaces.find((w) => w.id === id)!; ws.status = 'deleting'; return build({ workspace_id: id, build_number: 2, transition: 'delete', job_status: 'pending', status: 'deleting' }); }
  async cancelBuild(id: string, n: number) { this.record('cancelBuild', id, n); return build({ workspace_id: id, build_number: n, job_status: 'canceling', status: 'canceling' }); }
  async createWorkspace(body: { name: string }) {
    this.record('createWorkspace', body);
    const ws = workspace({ id: `ws-${this.workspaces.length + 1}`, name: body.name, status: 'starting', latest_build: build({ job_status: 'pending', status: 'starting', completed_at: null }) });
    this.workspaces.push(ws);
    return ws;
  }
  async getTemplate(name: string) { this.record('getTemplate', name); if (name !== 'local') throw new BerthApiError(404, 'NotFoundError', `template ${name} not found`); return TEMPLATE; }
  async listTemplates() { this.record('listTemplates'); return [TEMPLATE]; }
  async getTemplateVersionParameters(t: string, v: string) { this.record('getTemplateVersionParameters', t, v); return PARAMETERS; }
  async getTemplateVersionPresets(t: string, v: string) { this.record('getTemplateVersionPresets', t, v); return PRESETS; }
  async getTemplateVersionResources(t: string, v: string) {
    this.record('getTemplateVersionResources', t, v);
    return { dry_run_status: 'succeeded' as const, dry_run_error: null, resources: [{ address: 'terraform_data.home', type: 'terraform_data', name: 'home', mode: 'managed', actions: ['create'] }] };
  }
  async listPrebuildPools(t?: string) {
    this.record('listPrebuildPools', t);
    return [{ template_id: 't-1', template: 'local', template_version_id: 'tv-1', preset: 'small', preset_id: 'p-1', active: true, status: 'healthy' as const, desired: 2, running: 2, eligible: 1, expired: 0, starting: 1, created: 3, failed: 0, claimed: 1, backoff_until: null, explanation: 'creating 1 to reach 2' }];
  }
  async getSchedule(id: string) { this.record('getSchedule', id); return this.schedule; }
  async putSchedule(id: string, body: Partial<ApiSchedule>) { this.record('putSchedule', id, body); this.schedule = { ...this.schedule, ...body }; return this.schedule; }
  async previewSchedule(id: string, body: { autostart_schedule?: string | null; ttl_ms?: number | null }) {
    this.record('previewSchedule', id, body);
    const starts = body.autostart_schedule ? [{ at: '2026-12-07T08:00:00.000Z', local: '2026-12-07 09:00' }, { at: '2026-12-08T08:00:00.000Z', local: '2026-12-08 09:00' }] : [];
    const stops = body.ttl_ms ? [{ at: new Date(Date.parse('2026-12-07T08:00:00.000Z') + body.ttl_ms).toISOString(), local: '', source: 'ttl', started_at: starts[0] ?? null, max_deadline: null }] : [];
    return { time_zone: 'UTC', autostarts: starts, autostops: stops, autostart_skip: null, notes: [] };
  }
  async extendDeadline(id: string, deadline: string) { this.record('extendDeadline', id, deadline); this.schedule = { ...this.schedule, deadline }; return this.schedule; }
  async getWorkspaceHistory(id: string) {
    this.record('getWorkspaceHistory', id);
    return { workflow_id: `workspace:${id}`, run_id: 'r1', temporal_ui_url: `http://localhost:8233/namespaces/default/workflows/workspace:${id}`, events: [
      { event_id: 1, time: iso(T0), event: 'WorkflowExecutionStarted', summary: 'workspace workflow started' },
      { event_id: 2, time: iso(T0 + 1), event: 'WorkflowTaskScheduled', summary: 'workflow task' },
      { event_id: 9, time: iso(T0 + 8 * 3_600_000), event: 'StartChildWorkflowExecutionInitiated', summary: 'build #2 stop', build_number: 2, transition: 'stop' as const, reason: 'autostop' as const, explanation: 'stopped: deadline 17:00 UTC reached (TTL 8h from start at 09:00)' },
    ] };
  }
  async exportHistory(id: string) { this.record('exportHistory', id); return { events: [] }; }
  async followBuildLogs(id: string, n: number, opts: FollowLogsOptions) {
    // recorded by hand: a failure here comes after the lines, as a dropped stream does
    this.calls.push({ method: 'followBuildLogs', args: [id, n, { after: opts.after }] });
    const f = this.fail.followBuildLogs;
    let lastSeq = opts.after ?? 0;
    for (const l of this.logs.filter((x) => x.seq > (opts.after ?? 0))) {
      await new Promise((r) => setTimeout(r, 5));
      if (opts.signal?.aborted) return { jobStatus: 'detached', lastSeq };
      opts.onLog(l);
      lastSeq = l.seq;
    }
    if (f) { delete this.fail.followBuildLogs; throw f; }
    if (this.hold) await this.hold;
    return { jobStatus: this.logEnd, lastSeq };
  }
}

export function logLine(seq: number, stage: ApiBuildLog['stage'], output: string, atMs = T0 + seq * 100): ApiBuildLog {
  return { seq, created_at: iso(atMs), level: 'info', stage, source: 'provisioner', output };
}
