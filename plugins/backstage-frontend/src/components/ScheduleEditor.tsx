/**
 * Schedule editor: autostart in the grammar of `coder schedule start` (`09:00 Mon-Fri
 * Europe/Berlin`, empty or `off` = no autostart) and the TTL as a duration (`8h`, empty or `off`
 * = no autostop). While the user types, it asks the API for the next autostart and autostop
 * times (POST …/schedule/preview, debounced) and lists them in the browser's zone; a problem is
 * shown under the field it is in, and Save is enabled only for a valid, changed schedule. A
 * running workspace's deadline can be extended by an hour.
 */
import { useEffect, useMemo, useState } from 'react';
import { Box, Button, List, ListItem, ListItemText, TextField, Typography } from '@material-ui/core';
import { Progress } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { localTime, parseScheduleFields, runtimeZone, scheduleFieldsOf, type ApiSchedule, type ApiSchedulePreview } from '@berth/backstage-plugin-common';
import { useBerthApi } from '../hooks';

export interface ScheduleEditorProps {
  workspaceId: string;
  workspaceName: string;
  /** Preview debounce (ms). */
  debounceMs?: number;
  /** The zone times are shown in and autostarts without a zone use (default: the browser's). */
  zone?: string;
  onSaved?(schedule: ApiSchedule): void;
}

/** The schedule form with its live preview. */
export function ScheduleEditor({ workspaceId, workspaceName, debounceMs = 300, zone = runtimeZone(), onSaved }: ScheduleEditorProps) {
  const api = useBerthApi();
  const alertApi = useApi(alertApiRef);
  const [current, setCurrent] = useState<ApiSchedule | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [start, setStart] = useState('');
  const [ttl, setTtl] = useState('');
  const [preview, setPreview] = useState<ApiSchedulePreview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    api.getSchedule(workspaceId).then((s) => {
      if (!alive) return;
      setCurrent(s);
      const f = scheduleFieldsOf(s);
      setStart(f.start);
      setTtl(f.ttl);
    }, (e: Error) => alive && setLoadError(e.message));
    return () => { alive = false; };
  }, [api, workspaceId]);

  const parsed = useMemo(() => parseScheduleFields(start, ttl, zone), [start, ttl, zone]);
  const body = 'error' in parsed ? null : parsed;
  const key = body ? JSON.stringify(body) : null;
  const changed = Boolean(body && current && (body.autostart_schedule !== current.autostart_schedule || body.ttl_ms !== current.ttl_ms));

  useEffect(() => {
    if (!key || !current) return undefined;
    let alive = true;
    const t = setTimeout(() => {
      api.previewSchedule(workspaceId, { ...JSON.parse(key), count: 3 }).then(
        (p) => { if (alive) { setPreview(p); setPreviewError(null); } },
        (e: Error) => { if (alive) { setPreview(null); setPreviewError(e.message); } },
      );
    }, debounceMs);
    return () => { alive = false; clearTimeout(t); };
  }, [api, workspaceId, key, current, debounceMs]);

  const save = async () => {
    if (!body) return;
    setSaving(true);
    setSaveError(null);
    try {
      const s = await api.putSchedule(workspaceId, body);
      setCurrent(s);
      alertApi.post({ message: `${workspaceName}: schedule saved`, severity: 'success', display: 'transient' });
      onSaved?.(s);
    } catch (e) {
      setSaveError((e as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const extend = async () => {
    const base = current?.deadline ? Date.parse(current.deadline) : Date.now();
    try {
      const s = await api.extendDeadline(workspaceId, new Date(Math.max(base, Date.now()) + 3_600_000).toISOString());
      setCurrent(s);
      alertApi.post({ message: `${workspaceName}: deadline now ${localTime(s.deadline, zone, true)}`, severity: 'success', display: 'transient' });
    } catch (e) {
      alertApi.post({ message: `${workspaceName}: extend failed: ${(e as Error).message}`, severity: 'error' });
    }
  };

  if (loadError) return <Typography color="error" role="alert">{`Could not load the schedule: ${loadError}`}</Typography>;
  if (!current) return <Progress />;
  const startError = 'error' in parsed && parsed.field === 0 ? parsed.error : null;
  const ttlError = 'error' in parsed && parsed.field === 1 ? parsed.error : null;

  return (
    <Box component="form" onSubmit={(e: React.FormEvent) => { e.preventDefault(); void save(); }} aria-label={`schedule of ${workspaceName}`}>
      <TextField
        fullWidth margin="dense" variant="outlined" id="berth-autostart" label="Autostart"
        value={start} onChange={(e) => { setStart(e.target.value); setSaveError(null); }}
        error={Boolean(startError)}
        helperText={startError ?? `<hh:mm> [days] [zone], e.g. "09:00 Mon-Fri ${zone}"; empty = off`}
      />
      <TextField
        fullWidth margin="dense" variant="outlined" id="berth-ttl" label="Autostop after (TTL)"
        value={ttl} onChange={(e) => { setTtl(e.target.value); setSaveError(null); }}
        error={Boolean(ttlError)}
        helperText={ttlError ?? 'a duration such as 8h or 90m after each start; empty = off'}
      />
      <Box mt={1} data-testid="schedule-preview" aria-live="polite">
        {previewError && <Typography variant="body2" color="error" role="alert">{previewError}</Typography>}
        {preview && (
          <>
            <Typography variant="subtitle2">{`Next events (${zone})`}</Typography>
            <List dense disablePadding>
              {[
                ...preview.autostarts.map((a) => ({ at: a.at, primary: `start ${localTime(a.at, zone, true)}`, secondary: undefined as string | undefined })),
                ...preview.autostops.map((a) => ({ at: a.at, primary: `stop ${localTime(a.at, zone, true)}`, secondary: a.started_at ? `${a.source} from the start at ${localTime(a.started_at.at, zone, true)}` : a.source })),
              ].sort((x, y) => Date.parse(x.at) - Date.parse(y.at)).map((e) => (
                <ListItem key={`${e.primary}`} disableGutters><ListItemText primary={e.primary} secondary={e.secondary} /></ListItem>
              ))}
              {!preview.autostarts.length && !preview.autostops.length && <ListItem disableGutters><ListItemText primary="no autostart or autostop" /></ListItem>}
            </List>
            {preview.autostart_skip && <Typography variant="body2" color="textSecondary">{preview.autostart_skip.message}</Typography>}
            {preview.notes.map((n) => <Typography key={n} variant="body2" color="textSecondary">{n}</Typography>)}
          </>
        )}
      </Box>
      <Box mt={1} display="flex" alignItems="center" style={{ gap: 8 }}>
        <Button type="submit" variant="contained" color="primary" disabled={!changed || saving}>Save schedule</Button>
        {current.deadline && <Button onClick={() => void extend()}>Extend deadline by 1h</Button>}
        {current.deadline && <Typography variant="body2" color="textSecondary">{`deadline ${localTime(current.deadline, zone, true)}`}</Typography>}
      </Box>
      {saveError && <Typography variant="body2" color="error" role="alert" style={{ marginTop: 8 }}>{`Not saved: ${saveError}`}</Typography>}
      {current.next_lifecycle && (
        <Typography variant="body2" color="textSecondary" style={{ marginTop: 8 }}>
          {`Next: ${current.next_lifecycle.transition ?? current.next_lifecycle.rule} at ${localTime(current.next_lifecycle.due_at, zone, true)}: ${current.next_lifecycle.explanation}`}
        </Typography>
      )}
    </Box>
  );
}
