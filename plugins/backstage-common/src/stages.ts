/**
 * Staged build logs, as Coder's `cliui.ProvisionerJob`: lines grouped by stage (setup, init,
 * validate, plan, apply, cleanup), each stage pending (⧗) until the next one starts, then done
 * (✔) with its duration, or failed (✘) when the job failed in it. Pure: fed log lines and the
 * job's end; the plain-text `berth logs`, the TUI's log view and the Backstage log drawer render it.
 */
import type { ApiBuildLog } from './schemas';

/** One stage of a build log; times are epoch ms (UTC) taken from the log lines. */
export interface Stage {
  name: string;
  state: 'running' | 'done' | 'failed' | 'canceled';
  startedAt: number;
  endedAt: number | null;
  lines: ApiBuildLog[];
}

/** A build log grouped by stage. */
export interface StagedLog {
  stages: Stage[];
  /** Final job status once the build ended (succeeded, failed, canceled), else null. */
  end: string | null;
  lastSeq: number;
}

/** A log with no lines yet. */
export const emptyLog = (): StagedLog => ({ stages: [], end: null, lastSeq: 0 });

/** Adds lines (in seq order; older or repeated seqs are ignored). Returns a new value. */
export function addLines(log: StagedLog, lines: ApiBuildLog[], maxLinesPerStage = 2000): StagedLog {
  const stages = log.stages.map((s) => ({ ...s, lines: s.lines }));
  let lastSeq = log.lastSeq;
  for (const l of lines) {
    if (l.seq <= lastSeq) continue;
    lastSeq = l.seq;
    const t = Date.parse(l.created_at);
    let cur = stages[stages.length - 1];
    if (!cur || cur.name !== l.stage) {
      if (cur && cur.state === 'running') stages[stages.length - 1] = { ...cur, state: 'done', endedAt: t };
      cur = { name: l.stage, state: 'running', startedAt: t, endedAt: null, lines: [] };
      stages.push(cur);
    }
    const next = cur.lines.length >= maxLinesPerStage ? cur.lines.slice(-maxLinesPerStage + 1) : cur.lines.slice();
    next.push(l);
    stages[stages.length - 1] = { ...cur, lines: next };
  }
  return { ...log, stages, lastSeq };
}

/** Marks the end of the job: the last stage becomes done, failed or canceled. */
export function endLog(log: StagedLog, jobStatus: string, at = Date.now()): StagedLog {
  const stages = log.stages.slice();
  const last = stages[stages.length - 1];
  if (last && last.state === 'running') {
    const lastLine = last.lines[last.lines.length - 1];
    const endedAt = lastLine ? Math.max(Date.parse(lastLine.created_at), last.startedAt) : at;
    stages[stages.length - 1] = { ...last, state: jobStatus === 'succeeded' ? 'done' : jobStatus === 'canceled' ? 'canceled' : 'failed', endedAt };
  }
  return { ...log, stages, end: jobStatus };
}

/** The mark shown before a stage: ⧗ running, ✔ done, ⊘ canceled, ✘ failed. */
export const stageMark = (s: Stage['state']): string => (s === 'running' ? '⧗' : s === 'done' ? '✔' : s === 'canceled' ? '⊘' : '✘');

/** How long a stage ran (ms, never negative: the log's times come from the server's clock); a running stage counts up to `now`. */
export function stageDuration(s: Stage, now = Date.now()): number {
  return Math.max(0, (s.endedAt ?? now) - s.startedAt);
}
