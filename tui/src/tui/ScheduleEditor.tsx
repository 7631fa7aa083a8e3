/**
 * Schedule editor: autostart as `<hh:mm> [days] [zone]` and TTL as a duration (`8h`, or `off`).
 * While typing it asks the API for the next start and stop times (POST …/schedule/preview,
 * debounced) and shows them; Enter saves only a valid schedule.
 */
import { Box, Text } from 'ink';
import { useChunkedInput } from './hooks.js';
import { useEffect, useState } from 'react';
import type { ApiSchedulePreview } from '@berth/backstage-plugin-common';
import { describeAutostart, formatDuration, parseScheduleFields, scheduleFieldsOf } from '../format.js';
import type { TuiClient } from './types.js';
import { Field, editText } from './widgets.js';

export function ScheduleEditor({ client, workspaceId, workspaceName, onDone, debounceMs = 250 }: { client: TuiClient; workspaceId: string; workspaceName: string; onDone(message?: string): void; debounceMs?: number }) {
  const [start, setStart] = useState<string | null>(null);
  const [ttl, setTtl] = useState('');
  const [field, setField] = useState<0 | 1>(0);
  const [preview, setPreview] = useState<ApiSchedulePreview | null>(null);
  const [apiError, setApiError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    client.getSchedule(workspaceId).then((s) => {
      const f = scheduleFieldsOf(s);
      setStart(f.start);
      setTtl(f.ttl);
    }, (e: Error) => { setStart(''); setApiError(e.message); });
  }, [client, workspaceId]);

  const parsed = start === null ? null : parseScheduleFields(start, ttl);
  const key = parsed && !('error' in parsed) ? JSON.stringify(parsed) : null;
  useEffect(() => {
    if (!key) return;
    let alive = true;
    const t = setTimeout(() => {
      client.previewSchedule(workspaceId, { ...JSON.parse(key), count: 3 }).then((p) => { if (alive) { setPreview(p); setApiError(null); } }, (e: Error) => { if (alive) { setPreview(null); setApiError(e.message); } });
    }, debounceMs);
    return () => { alive = false; clearTimeout(t); };
  }, [client, workspaceId, key, debounceMs]);

  useChunkedInput((input, k) => {
    if (saving || start === null) return;
    if (k.escape) { onDone('schedule unchanged'); return; }
    if (k.tab || k.upArrow || k.downArrow) { setField((f) => (f === 0 ? 1 : 0)); return; }
    if (k.return) {
      if (!parsed || 'error' in parsed) return;
      setSaving(true);
      client.putSchedule(workspaceId, parsed).then(
        (s) => onDone(`${workspaceName}: autostart ${describeAutostart(s.autostart_schedule)}, TTL ${s.ttl_ms ? formatDuration(s.ttl_ms) : 'off'}`),
        (e: Error) => { setSaving(false); setApiError(e.message); },
      );
      return;
    }
    if (field === 0) { const n = editText(start, input, k); if (n !== null) setStart(n); } else { const n = editText(ttl, input, k); if (n !== null) setTtl(n); }
  });

  if (start === null) return <Text>loading schedule…</Text>;
  const err = parsed && 'error' in parsed ? parsed : null;
  return (
    <Box flexDirection="column">
      <Text bold>schedule · {workspaceName}</Text>
      <Field label="autostart" value={start} active={field === 0} error={err?.field === 0 ? err.error : null} hint='"<hh:mm> [days] [zone]", e.g. 09:00 Mon-Fri Europe/Berlin; empty = off' />
      <Field label="autostop after (TTL)" value={ttl} active={field === 1} error={err?.field === 1 ? err.error : null} hint="e.g. 8h or 90m; empty = off" />
      {apiError ? <Text color="red">✘ {apiError}</Text> : null}
      {preview && !err ? (
        <Box flexDirection="column">
          <Text>next starts: {preview.autostarts.map((a) => a.local).join(', ') || (preview.autostart_skip?.message ?? 'none')}</Text>
          <Text>next stops:  {preview.autostops.map((a) => a.local).join(', ') || 'none'}</Text>
          {preview.notes.map((n) => <Text key={n} dimColor>{n}</Text>)}
        </Box>
      ) : null}
      <Text dimColor>{saving ? 'saving…' : 'Tab switches field · Enter saves · Esc cancels'}</Text>
    </Box>
  );
}
