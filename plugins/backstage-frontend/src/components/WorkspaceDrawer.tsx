/**
 * A workspace's details in a side drawer, with tabs: Logs (a build's live staged log; opens on
 * the build an action just started), Builds (every build with its reason and explanation; click
 * one to read its log), Schedule (the editor with the next-events preview) and History (the
 * Temporal timeline). Esc or the close button closes it; closing never cancels a build.
 */
import { useEffect, useState } from 'react';
import { Box, Drawer, IconButton, Tab, Tabs, Table, TableBody, TableCell, TableHead, TableRow, Typography, makeStyles } from '@material-ui/core';
import Close from '@material-ui/icons/Close';
import { Progress } from '@backstage/core-components';
import { formatDuration, localTime, relative, runtimeZone, type ApiBuild, type ApiWorkspace } from '@berth/backstage-plugin-common';
import { isTransitioning } from '../actions';
import { useBerthApi, usePolled } from '../hooks';
import { BuildLog } from './BuildLog';
import { HistoryTimeline } from './HistoryTimeline';
import { ScheduleEditor } from './ScheduleEditor';
import { WorkspaceActions } from './WorkspaceActions';
import { WorkspaceStatus } from './WorkspaceStatus';

/** The drawer's tabs. */
export type WorkspaceTab = 'logs' | 'builds' | 'schedule' | 'history';
const TABS: WorkspaceTab[] = ['logs', 'builds', 'schedule', 'history'];

const useStyles = makeStyles((theme) => ({
  paper: { width: 'min(960px, 100vw)', padding: theme.spacing(2, 3) },
  row: { cursor: 'pointer' },
}));

export interface WorkspaceDrawerProps {
  /** The workspace shown (null: closed). */
  workspace: ApiWorkspace | null;
  /** Tab to open on. */
  tab?: WorkspaceTab;
  /** Build whose log to show (default: the latest). */
  buildNumber?: number;
  onClose(): void;
  /** Lists refresh after an action in the drawer. */
  onChanged?(): void;
}

/** Details drawer of one workspace. */
export function WorkspaceDrawer({ workspace, tab = 'logs', buildNumber, onClose, onChanged }: WorkspaceDrawerProps) {
  const classes = useStyles();
  const api = useBerthApi();
  const [current, setCurrent] = useState<WorkspaceTab>(tab);
  const [build, setBuild] = useState<number | undefined>(buildNumber);
  useEffect(() => { setCurrent(tab); setBuild(buildNumber); }, [workspace?.id, tab, buildNumber]);

  const id = workspace?.id ?? '';
  const live = usePolled<ApiWorkspace | null>(`ws:${id}`, () => (id ? api.getWorkspace(id) : Promise.resolve(null)), (w) => (!id ? null : w && isTransitioning(w) ? 2000 : 10_000));
  const builds = usePolled<ApiBuild[]>(`builds:${id}`, () => (id ? api.listBuilds(id) : Promise.resolve([])), () => (id && current === 'builds' ? 5000 : null));
  const ws = live.value ?? workspace;
  const shownBuild = build ?? ws?.latest_build?.build_number;
  const zone = runtimeZone();

  return (
    <Drawer anchor="right" open={Boolean(workspace)} onClose={onClose} classes={{ paper: classes.paper }}>
      {ws && (
        <Box role="dialog" aria-label={`workspace ${ws.name}`}>
          <Box display="flex" alignItems="center" style={{ gap: 12 }}>
            <Typography variant="h5" component="h2">{ws.name}</Typography>
            <WorkspaceStatus status={ws.status} />
            <Box flexGrow={1} />
            <WorkspaceActions workspace={ws} onBuild={(_w, b) => { setBuild(b.build_number); setCurrent('logs'); live.refresh(); builds.refresh(); }} onChanged={() => { live.refresh(); onChanged?.(); }} />
            <IconButton aria-label="close" onClick={onClose}><Close /></IconButton>
          </Box>
          <Typography variant="body2" color="textSecondary">
            {`${ws.template_name} · owner ${ws.owner}${ws.outdated ? ' · outdated: an update is available' : ''}${ws.latest_build?.deadline && ws.status === 'running' ? ` · autostop ${localTime(ws.latest_build.deadline, zone, true)}` : ''}`}
          </Typography>
          <Tabs value={current} onChange={(_e, v: WorkspaceTab) => setCurrent(v)} indicatorColor="primary" textColor="primary" aria-label="workspace details">
            {TABS.map((t) => <Tab key={t} value={t} label={t} id={`berth-tab-${t}`} aria-controls={`berth-tabpanel-${t}`} />)}
          </Tabs>
          <Box mt={2} role="tabpanel" id={`berth-tabpanel-${current}`} aria-labelledby={`berth-tab-${current}`}>
            {current === 'logs' && (shownBuild !== undefined
              ? (
                <>
                  <Typography variant="subtitle2" gutterBottom>{`Build #${shownBuild}`}</Typography>
                  <BuildLog workspaceId={ws.id} buildNumber={shownBuild} onEnded={() => { live.refresh(); onChanged?.(); }} />
                </>
              )
              : <Typography>No builds yet.</Typography>)}
            {current === 'builds' && (builds.loading ? <Progress /> : builds.error && !builds.value ? <Typography color="error" role="alert">{`Could not load the builds: ${builds.error.message}`}</Typography> : (
              <Table size="small" aria-label="builds">
                <TableHead>
                  <TableRow>
                    <TableCell>#</TableCell><TableCell>Transition</TableCell><TableCell>Reason</TableCell><TableCell>Status</TableCell>
                    <TableCell>Queued</TableCell><TableCell>Duration</TableCell><TableCell>Why / error</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {(builds.value ?? []).map((b) => (
                    <TableRow key={b.build_number} hover className={classes.row} tabIndex={0}
                      onClick={() => { setBuild(b.build_number); setCurrent('logs'); }}
                      onKeyDown={(e) => { if (e.key === 'Enter') { setBuild(b.build_number); setCurrent('logs'); } }}
                      aria-label={`build ${b.build_number}: open its log`}>
                      <TableCell>{b.build_number}</TableCell>
                      <TableCell>{b.transition}</TableCell>
                      <TableCell>{b.reason}</TableCell>
                      <TableCell>{b.job_status}</TableCell>
                      <TableCell title={localTime(b.created_at, zone, true)}>{relative(b.created_at)}</TableCell>
                      <TableCell>{formatDuration(b.duration_ms)}</TableCell>
                      <TableCell>{b.error ?? b.explanation}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            ))}
            {current === 'schedule' && <ScheduleEditor workspaceId={ws.id} workspaceName={ws.name} zone={zone} />}
            {current === 'history' && <HistoryTimeline workspaceId={ws.id} zone={zone} />}
          </Box>
        </Box>
      )}
    </Drawer>
  );
}
