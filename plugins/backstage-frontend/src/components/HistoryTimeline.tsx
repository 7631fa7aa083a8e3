/**
 * The workspace workflow's Temporal history as a timeline: time, event, what it did, the build
 * reason and the lifecycle explanation ("stopped: deadline 17:00 reached; TTL 8h from start at
 * 09:00"), with "Open in Temporal UI" (a deep link to the execution) and a raw JSON export.
 * Workflow-task bookkeeping events are hidden unless "all events" is on.
 */
import { useState } from 'react';
import { Box, Button, Chip, FormControlLabel, Switch, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@material-ui/core';
import OpenInNew from '@material-ui/icons/OpenInNew';
import { Progress } from '@backstage/core-components';
import { localTime, runtimeZone, type ApiHistory } from '@berth/backstage-plugin-common';
import { useBerthApi, useLoaded } from '../hooks';

export interface HistoryTimelineProps {
  workspaceId: string;
  /** A build's own workflow instead of the workspace's. */
  buildNumber?: number;
  zone?: string;
}

/** Timeline of a workspace's (or one build's) workflow history. */
export function HistoryTimeline({ workspaceId, buildNumber, zone = runtimeZone() }: HistoryTimelineProps) {
  const api = useBerthApi();
  const [all, setAll] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const history = useLoaded<ApiHistory>(`${workspaceId}:${buildNumber ?? ''}`, () =>
    buildNumber === undefined ? api.getWorkspaceHistory(workspaceId) : api.getBuildHistory(workspaceId, buildNumber));

  const exportRaw = async () => {
    try {
      const raw = await api.exportHistory(workspaceId, buildNumber);
      const url = URL.createObjectURL(new Blob([JSON.stringify(raw, null, 2)], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${history.value?.workflow_id ?? workspaceId}.history.json`.replace(/[:/]/g, '_');
      a.click();
      URL.revokeObjectURL(url);
      setExportError(null);
    } catch (e) {
      setExportError((e as Error).message);
    }
  };

  if (history.loading) return <Progress />;
  if (history.error || !history.value) {
    return (
      <Box role="alert">
        <Typography color="error">{`Could not load the history: ${history.error?.message ?? 'no answer'}`}</Typography>
        <Button size="small" onClick={history.refresh}>Retry</Button>
      </Box>
    );
  }
  const h = history.value;
  const events = h.events.filter((e) => all || !/^WorkflowTask/.test(e.event));
  return (
    <Box>
      <Box display="flex" alignItems="center" flexWrap="wrap" style={{ gap: 8 }} mb={1}>
        <Button size="small" variant="outlined" href={h.temporal_ui_url} target="_blank" rel="noopener noreferrer" endIcon={<OpenInNew fontSize="small" />}>
          Open in Temporal UI
        </Button>
        <Button size="small" onClick={() => void exportRaw()}>Export raw JSON</Button>
        <Button size="small" onClick={history.refresh}>Refresh</Button>
        <FormControlLabel control={<Switch size="small" checked={all} onChange={(e) => setAll(e.target.checked)} />} label="all events" />
        <Typography variant="caption" color="textSecondary">{h.workflow_id}</Typography>
      </Box>
      {exportError && <Typography variant="body2" color="error" role="alert">{`Export failed: ${exportError}`}</Typography>}
      <Table size="small" aria-label="workflow history">
        <TableHead>
          <TableRow>
            <TableCell>Time</TableCell>
            <TableCell>Event</TableCell>
            <TableCell>What happened</TableCell>
            <TableCell>Reason</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {events.map((e) => (
            <TableRow key={e.event_id}>
              <TableCell style={{ whiteSpace: 'nowrap' }}>{localTime(e.time, zone, true)}</TableCell>
              <TableCell>{e.event.replace(/^WorkflowExecution/, '')}</TableCell>
              <TableCell>
                <Typography variant="body2">{e.summary}</Typography>
                {e.explanation && <Typography variant="caption" color="textSecondary">{e.explanation}</Typography>}
              </TableCell>
              <TableCell>{e.reason && <Chip size="small" label={e.reason} />}</TableCell>
            </TableRow>
          ))}
          {!events.length && (
            <TableRow><TableCell colSpan={4}>No events yet.</TableCell></TableRow>
          )}
        </TableBody>
      </Table>
    </Box>
  );
}
