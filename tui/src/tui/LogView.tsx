/**
 * A build's live log, staged like Coder's CLI: `⠋ plan` while a stage runs, `✔ plan [96ms]`
 * once done, `✘` when it failed. Follows by default; scrolling up pauses following, `G`
 * follows again. Lines are buffered and flushed every 100 ms (never one render per line).
 * Leaving the view aborts the stream only: the build keeps running.
 */
import { Box, Text } from 'ink';
import { Spinner } from '@inkjs/ui';
import { forwardRef, useEffect, useImperativeHandle, useMemo, useRef, useState } from 'react';
import type { ApiBuild, ApiBuildLog } from '@berth/backstage-plugin-common';
import { formatDuration } from '../format.js';
import { addLines, emptyLog, endLog, stageDuration, stageMark, type StagedLog } from '@berth/backstage-plugin-common';
import type { TuiClient } from './types.js';

export interface LogViewHandle { command(c: string): void }

interface Props { client: TuiClient; workspaceId: string; workspaceName: string; buildNumber: number; height: number; width: number }

type Row = { kind: 'stage'; key: string; stage: StagedLog['stages'][number] } | { kind: 'line'; key: string; line: ApiBuildLog };

export const LogView = forwardRef<LogViewHandle, Props>(function LogView({ client, workspaceId, workspaceName, buildNumber, height, width }, ref) {
  const [log, setLog] = useState<StagedLog>(emptyLog);
  const [final, setFinal] = useState<ApiBuild | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [follow, setFollow] = useState(true);
  const [offset, setOffset] = useState(0);
  const [, setTick] = useState(0);
  const buffer = useRef<ApiBuildLog[]>([]);

  useEffect(() => {
    const ac = new AbortController();
    let alive = true;
    const flush = () => {
      if (!buffer.current.length) return;
      const lines = buffer.current;
      buffer.current = [];
      setLog((l) => addLines(l, lines));
    };
    const timer = setInterval(() => { flush(); setTick((t) => t + 1); }, 100);
    client.followBuildLogs(workspaceId, buildNumber, { signal: ac.signal, onLog: (l) => { buffer.current.push(l); } })
      .then(async (r) => {
        if (!alive) return;
        flush();
        if (r.jobStatus === 'detached') return;
        setLog((l) => endLog(l, r.jobStatus));
        const b = await client.getBuild(workspaceId, buildNumber);
        if (alive) setFinal(b);
      })
      .catch((e: Error) => { if (alive) setError(e.message); })
      .finally(() => clearInterval(timer));
    return () => { alive = false; ac.abort(); clearInterval(timer); };
  }, [client, workspaceId, buildNumber]);

  const rows = useMemo<Row[]>(() => {
    const out: Row[] = [];
    // Following: finished stages collapse to their header line (as Coder's CLI), so every
    // stage stays on screen; scrolled (paused): every line.
    const last = log.stages.length - 1;
    for (const [i, s] of log.stages.entries()) {
      out.push({ kind: 'stage', key: `s${i}`, stage: s });
      if (!follow || i === last || s.state === 'failed') for (const l of s.lines) out.push({ kind: 'line', key: `l${l.seq}`, line: l });
    }
    return out;
  }, [log, follow]);

  const bodyHeight = Math.max(3, height - 3);
  const maxOffset = Math.max(0, rows.length - bodyHeight);
  const start = follow ? maxOffset : Math.min(offset, maxOffset);

  useImperativeHandle(ref, () => ({
    command(c: string) {
      if (c === 'follow') setFollow((f) => !f);
      else if (c === 'bottom') setFollow(true);
      else if (c === 'up' || c === 'pageUp') { setFollow(false); setOffset(Math.max(0, start - (c === 'up' ? 1 : bodyHeight))); }
      else if (c === 'down' || c === 'pageDown') { setOffset(Math.min(maxOffset, start + (c === 'down' ? 1 : bodyHeight))); }
      else if (c === 'top') { setFollow(false); setOffset(0); }
    },
  }), [start, bodyHeight, maxOffset]);

  const visible = rows.slice(start, start + bodyHeight);
  const status = final
    ? `build #${final.build_number} (${final.transition}) ${final.job_status} · workspace ${final.status}${final.error ? ` · ${final.error}` : ''}`
    : log.end ? `build #${buildNumber} ${log.end}` : `build #${buildNumber} running`;
  return (
    <Box flexDirection="column">
      <Text bold>logs · {workspaceName} · build #{buildNumber}{follow ? '' : '  (paused: G follows)'}</Text>
      {visible.map((r) => (r.kind === 'stage' ? <StageLine key={r.key} stage={r.stage} /> : (
        <Text key={r.key} wrap="truncate" color={r.line.level === 'error' ? 'red' : r.line.level === 'warn' ? 'yellow' : undefined}>{'    '}{r.line.output.slice(0, width)}</Text>
      )))}
      {error ? <Text color="red">✘ log stream: {error}</Text> : null}
      <Text bold color={final ? (final.job_status === 'succeeded' ? 'green' : 'red') : 'yellow'}>{final ? (final.job_status === 'succeeded' ? '✔ ' : '✘ ') : ''}{status}</Text>
    </Box>
  );
});

function StageLine({ stage }: { stage: StagedLog['stages'][number] }) {
  if (stage.state === 'running') return <Box><Spinner label={`${stage.name} [${formatDuration(stageDuration(stage))}]`} /></Box>;
  const color = stage.state === 'done' ? 'green' : 'red';
  return <Text><Text color={color}>{stageMark(stage.state)}</Text> {stage.name} [{formatDuration(stageDuration(stage))}]</Text>;
}
