/** Workspace detail: tabs info / builds / logs / schedule / history. */
import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import type { ApiBuild, ApiHistory, ApiSchedule, ApiSchedulePreview, ApiWorkspace } from '@berth/backstage-plugin-common';
import { autostopText, describeAutostart, formatDuration, localTime } from '../format.js';
import { LogView } from './LogView.js';
import type { TuiClient } from './types.js';

export const TABS = ['info', 'builds', 'logs', 'schedule', 'history'] as const;

export function Detail({ client, ws, tab, width, height }: { client: TuiClient; ws: ApiWorkspace; tab: number; width: number; height: number }) {
  const name = TABS[tab];
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>{ws.name}</Text>{'  '}
        {TABS.map((t, i) => <Text key={t} inverse={i === tab} bold={i === tab}>{` ${t} `}</Text>)}
      </Text>
      {name === 'info' ? <Info ws={ws} /> : null}
      {name === 'builds' ? <Builds client={client} ws={ws} height={height} /> : null}
      {name === 'logs' ? (ws.latest_build ? <LogView client={client} workspaceId={ws.id} workspaceName={ws.name} buildNumber={ws.latest_build.build_number} height={height - 1} width={width - 6} /> : <Text>no builds yet</Text>) : null}
      {name === 'schedule' ? <Schedule client={client} ws={ws} /> : null}
      {name === 'history' ? <History client={client} ws={ws} height={height} /> : null}
    </Box>
  );
}

function Pairs({ pairs }: { pairs: [string, string][] }) {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return <Box flexDirection="column">{pairs.map(([k, v]) => <Text key={k}><Text dimColor>{k.padEnd(w)}</Text>  {v}</Text>)}</Box>;
}

function Info({ ws }: { ws: ApiWorkspace }) {
  const b = ws.latest_build;
  return (
    <Pairs pairs={[
      ['owner', ws.owner], ['template', `${ws.template_name}${ws.outdated ? ' (outdated: u updates)' : ''}`], ['status', ws.status],
      ['autostart', describeAutostart(ws.autostart_schedule)], ['ttl', ws.ttl_ms ? formatDuration(ws.ttl_ms) : 'off'], ['autostop', autostopText(ws)],
      ['last build', b ? `#${b.build_number} ${b.transition} ${b.job_status} (${b.reason})` : '-'], ['why', b?.explanation ?? '-'],
      ...(b?.error ? [['error', b.error] as [string, string]] : []), ['id', ws.id],
    ]} />
  );
}

function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): { data: T | null; error: string | null } {
  const [state, setState] = useState<{ data: T | null; error: string | null }>({ data: null, error: null });
  useEffect(() => {
    let alive = true;
    fn().then((data) => alive && setState({ data, error: null }), (e: Error) => alive && setState({ data: null, error: e.message }));
    return () => { alive = false; };
  }, deps);
  return state;
}

function Builds({ client, ws, height }: { client: TuiClient; ws: ApiWorkspace; height: number }) {
  const { data, error } = useLoad<ApiBuild[]>(() => client.listBuilds(ws.id), [client, ws.id, ws.latest_build?.job_status, ws.latest_build?.build_number]);
  if (error) return <Text color="red">✘ {error}</Text>;
  if (!data) return <Text>loading builds…</Text>;
  return (
    <Box flexDirection="column">
      <Text bold>{'BUILD'.padEnd(7)}{'TRANSITION'.padEnd(12)}{'REASON'.padEnd(12)}{'JOB'.padEnd(11)}{'CREATED'.padEnd(18)}{'DURATION'.padEnd(10)}WHY</Text>
      {data.slice(0, Math.max(1, height - 2)).map((b) => (
        <Text key={b.id} wrap="truncate">{`#${b.build_number}`.padEnd(7)}{b.transition.padEnd(12)}{b.reason.padEnd(12)}{b.job_status.padEnd(11)}{localTime(b.created_at, undefined, true).padEnd(18)}{formatDuration(b.duration_ms).padEnd(10)}{b.error ?? b.explanation}</Text>
      ))}
    </Box>
  );
}

function Schedule({ client, ws }: { client: TuiClient; ws: ApiWorkspace }) {
  const { data, error } = useLoad<[ApiSchedule, ApiSchedulePreview]>(() => Promise.all([client.getSchedule(ws.id), client.previewSchedule(ws.id, { count: 3 })]), [client, ws.id, ws.autostart_schedule, ws.ttl_ms, ws.status]);
  if (error) return <Text color="red">✘ {error}</Text>;
  if (!data) return <Text>loading schedule…</Text>;
  const [s, p] = data;
  return (
    <Box flexDirection="column">
      <Pairs pairs={[
        ['autostart', describeAutostart(s.autostart_schedule)], ['ttl', s.ttl_ms ? formatDuration(s.ttl_ms) : 'off'],
        ['deadline', localTime(s.deadline, undefined, true)], ['max deadline', localTime(s.max_deadline, undefined, true)],
        ['next', s.next_lifecycle ? `${s.next_lifecycle.transition ?? s.next_lifecycle.rule} ${localTime(s.next_lifecycle.due_at, undefined, true)} — ${s.next_lifecycle.explanation}` : '-'],
        ['next starts', p.autostarts.map((a) => a.local).join(', ') || (p.autostart_skip?.message ?? '-')],
        ['next stops', p.autostops.map((a) => a.local).join(', ') || '-'],
      ]} />
      <Text dimColor>e edits the schedule</Text>
    </Box>
  );
}

function History({ client, ws, height }: { client: TuiClient; ws: ApiWorkspace; height: number }) {
  const { data, error } = useLoad<ApiHistory>(() => client.getWorkspaceHistory(ws.id), [client, ws.id, ws.latest_build?.job_status, ws.latest_build?.build_number]);
  if (error) return <Text color="red">✘ {error}</Text>;
  if (!data) return <Text>loading history…</Text>;
  const events = data.events.filter((e) => !/^WorkflowTask/.test(e.event));
  const shown = events.slice(-Math.max(1, height - 3));
  return (
    <Box flexDirection="column">
      {shown.map((e) => (
        <Text key={e.event_id} wrap="truncate">
          <Text dimColor>{localTime(e.time, undefined, true)}</Text>  {e.summary}
          {e.reason ? <Text color="cyan">  [{e.reason}]</Text> : null}{e.explanation ? <Text dimColor>  {e.explanation}</Text> : null}
        </Text>
      ))}
      <Text dimColor wrap="truncate">Temporal UI: {data.temporal_ui_url}</Text>
    </Box>
  );
}
