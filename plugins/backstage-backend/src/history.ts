/**
 * Temporal histories as timelines platform teams can read: each event with its time, type and
 * one readable line; build requests, lifecycle decisions and child builds carry their build
 * number, transition, reason and explanation (decoded from the payloads Berth writes).
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { historyToJSON, type History } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import type { ApiHistoryEvent } from '@berth/backstage-plugin-common';

type Payloads = temporal.api.common.v1.IPayloads | null | undefined;
type Ev = temporal.api.history.v1.IHistoryEvent;

const EventType = temporal.api.enums.v1.EventType;

/** `EVENT_TYPE_WORKFLOW_EXECUTION_STARTED` → `WorkflowExecutionStarted`. */
export function eventTypeName(t: number | null | undefined): string {
  const raw = EventType[t ?? 0] ?? `EVENT_TYPE_${t}`;
  return raw.replace(/^EVENT_TYPE_/, '').toLowerCase().replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
}

function decode(p: Payloads): unknown[] {
  const out: unknown[] = [];
  for (const x of p?.payloads ?? []) {
    try { out.push(defaultPayloadConverter.fromPayload(x)); } catch { out.push(undefined); }
  }
  return out;
}

function timeOf(e: Ev): string {
  const t = e.eventTime;
  if (!t) return new Date(0).toISOString();
  const seconds = typeof t.seconds === 'number' ? t.seconds : Number(t.seconds ?? 0);
  return new Date(seconds * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString();
}

const durationMs = (d: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  d ? Number(d.seconds ?? 0) * 1000 + Math.floor((d.nanos ?? 0) / 1e6) : 0;

function fmtDuration(ms: number): string {
  if (ms >= 86_400_000) return `${(ms / 86_400_000).toFixed(1)} d`;
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 1000)} s`;
}

type Obj = Record<string, any>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});

/** Turns a workflow history into timeline events (every event is kept, in order). */
export function historyTimeline(history: History): ApiHistoryEvent[] {
  const events = history.events ?? [];
  const scheduled = new Map<number, { activity: string; input: Obj }>();
  const updates = new Map<string, { name: string; input: Obj }>();
  const children = new Map<number, Obj>();
  const out: ApiHistoryEvent[] = [];
  for (const e of events) {
    const id = Number(e.eventId ?? 0);
    const type = eventTypeName(e.eventType);
    const ev: ApiHistoryEvent = { event_id: id, time: timeOf(e), event: type, summary: type };
    const addBuild = (x: Obj) => {
      if (typeof x.buildNumber === 'number') ev.build_number = x.buildNumber;
      if (typeof x.transition === 'string') ev.transition = x.transition as ApiHistoryEvent['transition'];
      if (typeof x.reason === 'string') ev.reason = x.reason as ApiHistoryEvent['reason'];
      if (typeof x.explanation === 'string' && x.explanation) ev.explanation = x.explanation;
      if (typeof x.initiator === 'string') ev.initiator = x.initiator;
    };
    if (e.workflowExecutionStartedEventAttributes) {
      const a = e.workflowExecutionStartedEventAttributes;
      const input = obj(decode(a.input)[0]);
      ev.summary = `workflow ${a.workflowType?.name ?? ''} started${input.name ? ` for workspace ${input.owner ?? ''}/${input.name}` : ''}${input.buildNumber ? ` (build #${input.buildNumber})` : ''}`;
      addBuild(input);
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      const a = e.workflowExecutionUpdateAcceptedEventAttributes;
      const req = a.acceptedRequest;
      const name = req?.input?.name ?? 'update';
      const input = obj(decode(req?.input?.args)[0]);
      updates.set(a.protocolInstanceId ?? '', { name, input });
      const what = name === 'requestBuild' ? `${input.kind ?? 'build'} requested` : name === 'cancelBuild' ? 'cancel requested' : name === 'setSchedule' ? 'schedule change requested' : name === 'extendDeadline' ? 'deadline extension requested' : `${name} requested`;
      ev.summary = `${what}${input.initiator ? ` by ${input.initiator}` : ''}`;
      addBuild({ reason: input.reason, initiator: input.initiator });
    } else if (e.workflowExecutionUpdateCompletedEventAttributes) {
      const a = e.workflowExecutionUpdateCompletedEventAttributes;
      const u = updates.get(a.meta?.updateId ?? '') ?? [...updates.values()].at(-1);
      const failure = a.outcome?.failure;
      if (failure) ev.summary = `${u?.name ?? 'update'} refused: ${failure.message}`;
      else {
        const r = obj(decode(a.outcome?.success)[0]);
        ev.summary = `${u?.name ?? 'update'} done${typeof r.buildNumber === 'number' ? `: build #${r.buildNumber} (${r.transition})` : ''}`;
        addBuild({ buildNumber: r.buildNumber, transition: r.transition });
      }
    } else if (e.workflowExecutionUpdateRejectedEventAttributes) {
      ev.summary = `update refused: ${e.workflowExecutionUpdateRejectedEventAttributes.failure?.message ?? ''}`;
    } else if (e.activityTaskScheduledEventAttributes) {
      const a = e.activityTaskScheduledEventAttributes;
      const activity = a.activityType?.name ?? 'activity';
      const input = obj(decode(a.input)[0]);
      scheduled.set(id, { activity, input });
      ev.summary = activity === 'enqueueBuild' ? `enqueue ${input.transition} build (${input.reason})` : `activity ${activity} scheduled`;
      if (activity === 'enqueueBuild') addBuild(input);
    } else if (e.activityTaskCompletedEventAttributes) {
      const a = e.activityTaskCompletedEventAttributes;
      const s = scheduled.get(Number(a.scheduledEventId ?? 0));
      const r = obj(decode(a.result)[0]);
      ev.summary = `activity ${s?.activity ?? ''} completed${typeof r.buildNumber === 'number' ? `: build #${r.buildNumber}` : ''}`;
      if (s?.activity === 'enqueueBuild') addBuild({ ...s.input, buildNumber: r.buildNumber });
    } else if (e.activityTaskFailedEventAttributes) {
      const a = e.activityTaskFailedEventAttributes;
      const s = scheduled.get(Number(a.scheduledEventId ?? 0));
      ev.summary = `activity ${s?.activity ?? ''} failed: ${a.failure?.cause?.message ?? a.failure?.message ?? ''}`;
    } else if (e.activityTaskStartedEventAttributes) {
      const a = e.activityTaskStartedEventAttributes;
      const s = scheduled.get(Number(a.scheduledEventId ?? 0));
      ev.summary = `activity ${s?.activity ?? ''} started (attempt ${a.attempt ?? 1})`;
    } else if (e.timerStartedEventAttributes) {
      const a = e.timerStartedEventAttributes;
      ev.summary = `waiting ${fmtDuration(durationMs(a.startToFireTimeout as never))} for the next lifecycle decision`;
    } else if (e.timerFiredEventAttributes) {
      ev.summary = 'timer fired: lifecycle decision due';
    } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      const a = e.startChildWorkflowExecutionInitiatedEventAttributes;
      const input = obj(decode(a.input)[0]);
      children.set(id, input);
      ev.summary = `build #${input.buildNumber} (${input.transition}, ${input.reason}) started as ${a.workflowId}`;
      addBuild(input);
    } else if (e.childWorkflowExecutionCompletedEventAttributes) {
      const a = e.childWorkflowExecutionCompletedEventAttributes;
      const input = children.get(Number(a.initiatedEventId ?? 0)) ?? {};
      const r = obj(decode(a.result)[0]);
      ev.summary = `build #${r.buildNumber ?? input.buildNumber} ${r.jobStatus ?? 'finished'}${r.error ? `: ${r.error}` : ''}`;
      addBuild({ ...input, buildNumber: r.buildNumber ?? input.buildNumber });
    } else if (e.childWorkflowExecutionFailedEventAttributes) {
      const a = e.childWorkflowExecutionFailedEventAttributes;
      ev.summary = `build workflow failed: ${a.failure?.message ?? ''}`;
      addBuild(children.get(Number(a.initiatedEventId ?? 0)) ?? {});
    } else if (e.workflowExecutionSignaledEventAttributes) {
      const a = e.workflowExecutionSignaledEventAttributes;
      ev.summary = `signal ${a.signalName}${a.signalName === 'activity' ? ': workspace used (activity bump)' : ''}`;
    } else if (e.markerRecordedEventAttributes) {
      ev.summary = `marker ${e.markerRecordedEventAttributes.markerName}`;
    } else if (e.upsertWorkflowSearchAttributesEventAttributes) {
      ev.summary = 'search attributes updated';
    } else if (e.workflowExecutionCompletedEventAttributes) {
      const r = obj(decode(e.workflowExecutionCompletedEventAttributes.result)[0]);
      ev.summary = `workflow completed${r.jobStatus ? `: ${r.jobStatus}` : ''}`;
      addBuild(r);
    } else if (e.workflowExecutionFailedEventAttributes) {
      ev.summary = `workflow failed: ${e.workflowExecutionFailedEventAttributes.failure?.message ?? ''}`;
    } else if (e.workflowExecutionContinuedAsNewEventAttributes) {
      ev.summary = 'continued as new (history compacted)';
    } else if (e.workflowTaskFailedEventAttributes) {
      ev.summary = `workflow task failed: ${e.workflowTaskFailedEventAttributes.failure?.message ?? ''}`;
    }
    out.push(ev);
  }
  return out;
}

/** The history as Temporal's own JSON (what `temporal workflow show --output json` prints), for export and replay. */
export function historyJson(history: History): unknown {
  return JSON.parse(historyToJSON(history));
}

/** Deep link to a workflow run in the Temporal Web UI. */
export function temporalUiUrl(uiBase: string, namespace: string, workflowId: string, runId?: string | null): string {
  const base = uiBase.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}${runId ? `/${encodeURIComponent(runId)}` : ''}/history`;
}
