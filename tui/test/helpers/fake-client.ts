/**
 * An in-memory stand-in for the API client at the TUI's boundary (component tests only; the
 * CLI and tmux tests use the real stack). Records calls; logs are pushed by the test.
 */
import type { ApiBuild, ApiBuildLog, ApiWorkspace, FollowLogsOptions, FollowLogsResult } from '@berth/backstage-plugin-common';
import type { TuiClient } from '../../src/tui/types.js';

let n = 0;
export function workspace(name: string, over: Partial<ApiWorkspace> = {}): ApiWorkspace {
  const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const now = new Date().toISOString();
  return {
    id, owner: 'user:default/dev', name, template_id: 't1', template_name: 'local', status: 'running', autostart_schedule: null, ttl_ms: null,
    automatic_updates: 'never', entity_ref: null, last_used_at: now, created_at: now, updated_at: now, deleted: false, outdated: false,
    latest_build: build(id, 1, { transition: 'start', job_status: 'succeeded', status: 'running' }), ...over,
  };
}

export function build(workspaceId: string, number: number, over: Partial<ApiBuild> = {}): ApiBuild {
  const now = new Date().toISOString();
  return {
    id: `b-${workspaceId}-${number}`, workspace_id: workspaceId, build_number: number, transition: 'start', reason: 'initiator', initiator: 'user:default/dev',
    template_version_id: 'v1', job_id: 'j', job_status: 'pending', status: 'starting', created_at: now, started_at: null, completed_at: null, canceled_at: null,
    queue_wait_ms: null, duration_ms: null, error: null, error_code: null, deadline: null, max_deadline: null, explanation: 'requested by user:default/dev', outputs: {}, ...over,
  };
}

export interface Follow { id: string; build: number; opts: FollowLogsOptions; finish(status: string): void; aborted: boolean }

export function fakeClient(initial: ApiWorkspace[]) {
  const calls: { method: string; args: unknown[] }[] = [];
  const state = { workspaces: initial.slice() };
  const follows: Follow[] = [];
  const record = (method: string, ...args: unknown[]) => { calls.push({ method, args }); };
  const client = {
    async whoami() { return { user: 'user:default/dev', ownership: [], admin: false, via: 'token' as const }; },
    async listWorkspaces(o: { limit?: number; offset?: number } = {}) {
      const off = o.offset ?? 0;
      return { workspaces: state.workspaces.slice(off, off + (o.limit ?? 50)), count: state.workspaces.length };
    },
    async getWorkspace(id: string) { return state.workspaces.find((w) => w.id === id)!; },
    async createWorkspace(body: { name: string; template: string }) {
      record('createWorkspace', body);
      const w = workspace(body.name, { status: 'starting' });
      w.latest_build = build(w.id, 1);
      state.workspaces.push(w);
      return w;
    },
    async deleteWorkspace(id: string) { record('deleteWorkspace', id); return build(id, 9, { transition: 'delete' }); },
    async createBuild(id: string, body: { transition: string }) {
      record('createBuild', id, body);
      return build(id, 2, { transition: body.transition === 'stop' ? 'stop' : 'start' });
    },
    async listBuilds(id: string) { return [build(id, 2, { transition: 'stop', job_status: 'succeeded', explanation: 'stop requested' }), build(id, 1, { job_status: 'succeeded' })]; },
    async getBuild(id: string, number: number) { return build(id, number, { job_status: 'succeeded', status: 'running' }); },
    async cancelBuild(id: string, number: number) { record('cancelBuild', id, number); return build(id, number, { job_status: 'canceling' }); },
    async getBuildLogs() { return [] as ApiBuildLog[]; },
    followBuildLogs(id: string, number: number, opts: FollowLogsOptions): Promise<FollowLogsResult> {
      return new Promise((resolve) => {
        const f: Follow = { id, build: number, opts, aborted: false, finish: (status) => resolve({ jobStatus: status, lastSeq: 0 }) };
        opts.signal?.addEventListener('abort', () => { f.aborted = true; resolve({ jobStatus: 'detached', lastSeq: 0 }); });
        follows.push(f);
      });
    },
    async getSchedule() { return { autostart_schedule: null, ttl_ms: null, deadline: null, max_deadline: null, next_lifecycle: null }; },
    async putSchedule(id: string, body: unknown) { record('putSchedule', id, body); return { ...(body as object), deadline: null, max_deadline: null, next_lifecycle: null } as never; },
    async previewSchedule(id: string, body: { autostart_schedule?: string | null }) {
      record('previewSchedule', id, body);
      return { time_zone: 'UTC', autostarts: body.autostart_schedule ? [{ at: '2026-12-07T09:00:00Z', local: 'Mon 2026-12-07 09:00' }] : [], autostops: [], autostart_skip: null, notes: [] };
    },
    async getWorkspaceHistory(id: string) {
      return { workflow_id: `workspace:${id}`, run_id: 'r', temporal_ui_url: 'http://temporal/ui', events: [
        { event_id: 1, time: new Date().toISOString(), event: 'WorkflowExecutionStarted', summary: 'workspace workflow started' },
        { event_id: 5, time: new Date().toISOString(), event: 'WorkflowExecutionUpdateAccepted', summary: 'build #2 requested: stop', build_number: 2, transition: 'stop' as const, reason: 'autostop' as const, explanation: 'stopped: deadline reached' },
      ] };
    },
    async listTemplates() { return [{ id: 't1', name: 'local', display_name: 'Local', description: 'runs here', icon: '', active_version_id: 'v1', created_by: 'x', created_at: '', schedule: {} as never, require_active_version: false, allow_user_cancel_workspace_jobs: true, deprecation_message: '' }]; },
    async getTemplate() { return (await client.listTemplates())[0]; },
    async getTemplateVersionParameters() {
      return [{ name: 'cpu', display_name: 'CPU', description: 'cores', icon: '', order: 1, type: 'number' as const, default_value: '2', required: false, sensitive: false, mutable: true, ephemeral: false, options: [], validation: { min: 1, max: 8 } }];
    },
    async getTemplateVersionPresets() { return []; },
    async getTemplateVersionResources() { return { dry_run_status: 'succeeded' as const, dry_run_error: null, resources: [{ address: 'terraform_data.workspace[0]', type: 'terraform_data', name: 'workspace', mode: 'managed', actions: ['create'] }] }; },
  };
  return { client: client as unknown as TuiClient, calls, state, follows };
}

export function logLine(seq: number, stage: ApiBuildLog['stage'], output: string, atMs: number): ApiBuildLog {
  return { seq, created_at: new Date(atMs).toISOString(), level: 'info', stage, source: 'provisioner', output };
}
