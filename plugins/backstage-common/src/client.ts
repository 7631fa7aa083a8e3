/**
 * An isomorphic HTTP client for the Berth API (browser `fetch`, Node ≥ 18 `fetch`, or a
 * Backstage `fetchApi.fetch`), used by the Backstage frontend plugin and the TUI. Every method
 * resolves with the typed answer or throws {@link BerthApiError} carrying the HTTP status and
 * the server's `{ error: { name, message, details } }`.
 */
import type * as T from './schemas';

/** Thrown for every non-2xx answer (and for network failures, with status 0). */
export class BerthApiError extends Error {
  /** HTTP status (0 when the server could not be reached). */
  readonly status: number;
  /** The server's error name (InputError, NotAllowedError, …), or `NetworkError`. */
  readonly errorName: string;
  readonly details?: Record<string, unknown>;
  constructor(status: number, errorName: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'BerthApiError';
    this.status = status;
    this.errorName = errorName;
    this.details = details;
  }
}

type FetchLike = (input: string, init?: { method?: string; headers?: Record<string, string>; body?: unknown; signal?: AbortSignal }) => Promise<{
  ok: boolean; status: number; statusText: string; headers: { get(name: string): string | null }; text(): Promise<string>;
  body?: unknown;
}>;

export interface BerthApiClientOptions {
  /** The plugin's base URL, e.g. `http://localhost:7007/api/berth`, or a function resolving it (Backstage discovery). */
  baseUrl: string | (() => Promise<string>);
  /** fetch implementation (default: global fetch). Backstage: `fetchApi.fetch`, which adds the user's token. */
  fetch?: FetchLike;
  /** Bearer token (a Berth API token or a Backstage token), or a function returning one. */
  token?: string | (() => Promise<string | undefined> | string | undefined);
}

/** Handlers for {@link BerthApiClient.followBuildLogs}. */
export interface FollowLogsOptions {
  /** Only lines with seq > after (default 0). */
  after?: number;
  onLog(line: T.ApiBuildLog): void;
  signal?: AbortSignal;
}

/** How a followed log ended: the build's final job status (or `detached` when aborted). */
export interface FollowLogsResult { jobStatus: string; lastSeq: number }

const enc = encodeURIComponent;

export class BerthApiClient {
  private readonly opts: BerthApiClientOptions;
  constructor(opts: BerthApiClientOptions) {
    this.opts = opts;
  }

  private async base(): Promise<string> {
    const b = typeof this.opts.baseUrl === 'function' ? await this.opts.baseUrl() : this.opts.baseUrl;
    return b.replace(/\/+$/, '');
  }

  private async headers(extra: Record<string, string> = {}): Promise<Record<string, string>> {
    const t = typeof this.opts.token === 'function' ? await this.opts.token() : this.opts.token;
    return { ...(t ? { Authorization: `Bearer ${t}` } : {}), ...extra };
  }

  private fetchImpl(): FetchLike {
    const f = this.opts.fetch ?? (globalThis as { fetch?: FetchLike }).fetch;
    if (!f) throw new BerthApiError(0, 'NetworkError', 'no fetch implementation available: pass one in the client options');
    return f;
  }

  /** Sends a request; parses JSON answers; throws BerthApiError for non-2xx. */
  async request<R>(method: string, path: string, opts: { body?: unknown; raw?: Uint8Array; contentType?: string; query?: Record<string, string | number | boolean | undefined>; text?: boolean } = {}): Promise<R> {
    const qs = Object.entries(opts.query ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => `${enc(k)}=${enc(String(v))}`).join('&');
    const url = `${await this.base()}${path}${qs ? `?${qs}` : ''}`;
    const headers = await this.headers(opts.body !== undefined ? { 'Content-Type': 'application/json' } : opts.raw ? { 'Content-Type': opts.contentType ?? 'application/octet-stream' } : {});
    let res;
    try {
      res = await this.fetchImpl()(url, { method, headers, body: opts.body !== undefined ? JSON.stringify(opts.body) : opts.raw });
    } catch (e) {
      throw new BerthApiError(0, 'NetworkError', `cannot reach the Berth API at ${url}: ${(e as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) throw errorFrom(res.status, res.statusText, text);
    if (opts.text) return text as R;
    if (!text) return undefined as R;
    try {
      return JSON.parse(text) as R;
    } catch {
      throw new BerthApiError(res.status, 'ParseError', `the Berth API answered ${method} ${path} with something that is not JSON`);
    }
  }

  // ---- system
  /** The caller as the API sees them. */
  whoami(): Promise<T.ApiWhoami> { return this.request('GET', '/me'); }
  health(): Promise<{ status: string; database: string; temporal: string }> { return this.request('GET', '/health'); }
  openApi(): Promise<Record<string, unknown>> { return this.request('GET', '/openapi.json'); }

  // ---- templates
  listTemplates(): Promise<T.ApiTemplate[]> { return this.request('GET', '/templates'); }
  getTemplate(template: string): Promise<T.ApiTemplate> { return this.request('GET', `/templates/${enc(template)}`); }
  listTemplateVersions(template: string): Promise<T.ApiTemplateVersion[]> { return this.request('GET', `/templates/${enc(template)}/versions`); }
  /** Pushes a version from a tar.gz (bytes). The import runs in the background: poll {@link getTemplateVersion}. */
  pushTemplateVersion(template: string, archive: Uint8Array, opts: { name?: string; message?: string; activate?: boolean; tags?: string } = {}): Promise<T.ApiTemplateVersion> {
    return this.request('POST', `/templates/${enc(template)}/versions`, { raw: archive, contentType: 'application/gzip', query: { ...opts, activate: opts.activate === undefined ? undefined : String(opts.activate) } });
  }
  getTemplateVersion(template: string, version: string): Promise<T.ApiTemplateVersion> { return this.request('GET', `/templates/${enc(template)}/versions/${enc(version)}`); }
  getTemplateVersionLogs(template: string, version: string): Promise<T.ApiVersionLogs> { return this.request('GET', `/templates/${enc(template)}/versions/${enc(version)}/logs`); }
  promoteTemplateVersion(template: string, version: string): Promise<T.ApiTemplate> { return this.request('POST', `/templates/${enc(template)}/versions/${enc(version)}/promote`); }
  getTemplateVersionParameters(template: string, version: string): Promise<T.ApiParameter[]> { return this.request('GET', `/templates/${enc(template)}/versions/${enc(version)}/parameters`); }
  getTemplateVersionPresets(template: string, version: string): Promise<T.ApiPreset[]> { return this.request('GET', `/templates/${enc(template)}/versions/${enc(version)}/presets`); }
  getTemplateVersionResources(template: string, version: string): Promise<T.ApiResourcePreview> { return this.request('GET', `/templates/${enc(template)}/versions/${enc(version)}/resources`); }

  /** Prebuild pools of every template (or one). */
  listPrebuildPools(template?: string): Promise<T.ApiPrebuildPool[]> { return this.request('GET', '/prebuilds', { query: { template } }); }
  /** Admins: clear a hard_limited preset; resolves with the template's pools. */
  resetPrebuilds(template: string, preset: string): Promise<T.ApiPrebuildPool[]> { return this.request('POST', `/templates/${enc(template)}/presets/${enc(preset)}/reset-prebuilds`); }

  // ---- workspaces
  /** Workspaces the caller may read; `q` is the Coder-style search (`owner:me status:running`). */
  listWorkspaces(opts: { q?: string; limit?: number; offset?: number } = {}): Promise<T.ApiWorkspaceList> { return this.request('GET', '/workspaces', { query: opts }); }
  createWorkspace(body: T.CreateWorkspaceBody): Promise<T.ApiWorkspace> { return this.request('POST', '/workspaces', { body }); }
  getWorkspace(id: string): Promise<T.ApiWorkspace> { return this.request('GET', `/workspaces/${enc(id)}`); }
  /** Starts a delete build; resolves with it. */
  deleteWorkspace(id: string): Promise<T.ApiBuild> { return this.request('DELETE', `/workspaces/${enc(id)}`); }

  // ---- builds
  listBuilds(id: string): Promise<T.ApiBuild[]> { return this.request('GET', `/workspaces/${enc(id)}/builds`); }
  createBuild(id: string, body: T.CreateBuildBody): Promise<T.ApiBuild> { return this.request('POST', `/workspaces/${enc(id)}/builds`, { body }); }
  getBuild(id: string, buildNumber: number): Promise<T.ApiBuild> { return this.request('GET', `/workspaces/${enc(id)}/builds/${buildNumber}`); }
  cancelBuild(id: string, buildNumber: number): Promise<T.ApiBuild> { return this.request('POST', `/workspaces/${enc(id)}/builds/${buildNumber}/cancel`); }
  getBuildLogs(id: string, buildNumber: number, after = 0): Promise<T.ApiBuildLog[]> { return this.request('GET', `/workspaces/${enc(id)}/builds/${buildNumber}/logs`, { query: { after } }); }
  getBuildResources(id: string, buildNumber: number): Promise<T.ApiResource[]> { return this.request('GET', `/workspaces/${enc(id)}/builds/${buildNumber}/resources`); }
  getBuildParameters(id: string, buildNumber: number): Promise<Record<string, string>> { return this.request('GET', `/workspaces/${enc(id)}/builds/${buildNumber}/parameters`); }

  /**
   * Follows a build's log over Server-Sent Events: calls `onLog` for every line in seq order
   * and resolves when the server ends the stream because the build ended (with its job
   * status), or with `detached` when `signal` aborts. Aborting never cancels the build.
   */
  async followBuildLogs(id: string, buildNumber: number, opts: FollowLogsOptions): Promise<FollowLogsResult> {
    const url = `${await this.base()}/workspaces/${enc(id)}/builds/${buildNumber}/logs?follow=true&after=${opts.after ?? 0}`;
    let lastSeq = opts.after ?? 0;
    let res;
    try {
      res = await this.fetchImpl()(url, { method: 'GET', headers: await this.headers({ Accept: 'text/event-stream' }), signal: opts.signal });
    } catch (e) {
      if (opts.signal?.aborted) return { jobStatus: 'detached', lastSeq };
      throw new BerthApiError(0, 'NetworkError', `cannot reach the Berth API at ${url}: ${(e as Error).message}`);
    }
    if (!res.ok) throw errorFrom(res.status, res.statusText, await res.text());
    const body = res.body as { getReader?: () => { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> } } | undefined;
    if (!body?.getReader) throw new BerthApiError(0, 'NetworkError', 'this fetch implementation cannot stream responses');
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    let status = 'detached';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let idx;
        while ((idx = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, idx);
          buf = buf.slice(idx + 2);
          const ev = parseSseFrame(frame);
          if (!ev) continue;
          if (ev.event === 'log') {
            const line = JSON.parse(ev.data) as T.ApiBuildLog;
            lastSeq = line.seq;
            opts.onLog(line);
          } else if (ev.event === 'end') {
            status = (JSON.parse(ev.data) as { job_status: string }).job_status;
          } else if (ev.event === 'error') {
            const e = JSON.parse(ev.data) as { name: string; message: string };
            throw new BerthApiError(500, e.name, e.message);
          }
        }
      }
    } catch (e) {
      if (opts.signal?.aborted) return { jobStatus: 'detached', lastSeq };
      throw e;
    }
    return { jobStatus: status, lastSeq };
  }

  // ---- schedule
  getSchedule(id: string): Promise<T.ApiSchedule> { return this.request('GET', `/workspaces/${enc(id)}/schedule`); }
  putSchedule(id: string, body: T.PutScheduleBody): Promise<T.ApiSchedule> { return this.request('PUT', `/workspaces/${enc(id)}/schedule`, { body }); }
  previewSchedule(id: string, body: T.PreviewScheduleBody = {}): Promise<T.ApiSchedulePreview> { return this.request('POST', `/workspaces/${enc(id)}/schedule/preview`, { body }); }
  /** Moves the deadline to `deadline` (ISO-8601). */
  extendDeadline(id: string, deadline: string): Promise<T.ApiSchedule> { return this.request('POST', `/workspaces/${enc(id)}/extend`, { body: { deadline } }); }
  reportActivity(id: string): Promise<void> { return this.request('POST', `/workspaces/${enc(id)}/activity`); }

  // ---- history
  getWorkspaceHistory(id: string): Promise<T.ApiHistory> { return this.request('GET', `/workspaces/${enc(id)}/history`); }
  getBuildHistory(id: string, buildNumber: number): Promise<T.ApiHistory> { return this.request('GET', `/workspaces/${enc(id)}/builds/${buildNumber}/history`); }
  /** The raw Temporal history JSON of the workspace workflow (or of one build). */
  exportHistory(id: string, buildNumber?: number): Promise<Record<string, unknown>> {
    return this.request('GET', buildNumber === undefined ? `/workspaces/${enc(id)}/history` : `/workspaces/${enc(id)}/builds/${buildNumber}/history`, { query: { format: 'raw' } });
  }

  // ---- tokens and audit
  listTokens(): Promise<T.ApiToken[]> { return this.request('GET', '/tokens'); }
  createToken(body: T.CreateTokenBody): Promise<T.ApiCreatedToken> { return this.request('POST', '/tokens', { body }); }
  revokeToken(tokenId: string): Promise<T.ApiToken> { return this.request('DELETE', `/tokens/${enc(tokenId)}`); }
  listAudit(opts: { limit?: number; actor?: string; target_id?: string } = {}): Promise<T.ApiAuditEntry[]> { return this.request('GET', '/audit', { query: opts }); }
}

/** Parses one SSE frame (`event:` and `data:` lines); null for comments/keep-alives. */
export function parseSseFrame(frame: string): { event: string; data: string } | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length ? { event, data: data.join('\n') } : null;
}

function errorFrom(status: number, statusText: string, text: string): BerthApiError {
  try {
    const body = JSON.parse(text) as T.ApiError;
    if (body?.error?.message) return new BerthApiError(status, body.error.name ?? 'Error', body.error.message, body.error.details);
  } catch { /* not JSON */ }
  return new BerthApiError(status, 'Error', `${status} ${statusText}${text ? `: ${text.slice(0, 200)}` : ''}`);
}
