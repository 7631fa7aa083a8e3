/**
 * The lifecycle buttons of one workspace: start, stop (confirm), restart, update, cancel
 * (confirm), delete (type the name). Each sends one API call; the new build goes to `onBuild`
 * (the caller opens its live log). A refused call (409 while another build runs, 403, …) is
 * shown as an error alert with the API's message, never swallowed.
 */
import { useState } from 'react';
import { IconButton, Tooltip } from '@material-ui/core';
import PlayArrow from '@material-ui/icons/PlayArrow';
import Stop from '@material-ui/icons/Stop';
import Replay from '@material-ui/icons/Replay';
import SystemUpdateAlt from '@material-ui/icons/SystemUpdateAlt';
import Cancel from '@material-ui/icons/Cancel';
import Delete from '@material-ui/icons/Delete';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import type { ApiBuild, ApiWorkspace } from '@berth/backstage-plugin-common';
import { workspaceActions, type WorkspaceAction } from '../actions';
import { useBerthApi } from '../hooks';
import { ConfirmDialog } from './ConfirmDialog';

const ICON: Record<WorkspaceAction, JSX.Element> = {
  start: <PlayArrow fontSize="small" />, stop: <Stop fontSize="small" />, restart: <Replay fontSize="small" />,
  update: <SystemUpdateAlt fontSize="small" />, cancel: <Cancel fontSize="small" />, delete: <Delete fontSize="small" />,
};

export interface WorkspaceActionsProps {
  workspace: ApiWorkspace;
  /** Called with the build an action started (open its log). */
  onBuild?(workspace: ApiWorkspace, build: ApiBuild): void;
  /** Called after any action settled (refresh lists). */
  onChanged?(): void;
}

/** Icon buttons with tooltips and aria-labels (keyboard: Tab to a button, Enter or Space). */
export function WorkspaceActions({ workspace: ws, onBuild, onChanged }: WorkspaceActionsProps) {
  const api = useBerthApi();
  const alertApi = useApi(alertApiRef);
  const [confirm, setConfirm] = useState<WorkspaceAction | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (action: WorkspaceAction) => {
    setConfirm(null);
    setBusy(true);
    try {
      let build: ApiBuild;
      if (action === 'delete') build = await api.deleteWorkspace(ws.id);
      else if (action === 'cancel') build = await api.cancelBuild(ws.id, ws.latest_build!.build_number);
      else build = await api.createBuild(ws.id, { transition: action });
      alertApi.post({ message: `${ws.name}: ${action === 'cancel' ? `canceling build #${build.build_number}` : `${build.transition} build #${build.build_number} queued`}`, severity: 'success', display: 'transient' });
      onBuild?.(ws, build);
    } catch (e) {
      alertApi.post({ message: `${ws.name}: ${action} failed: ${(e as Error).message}`, severity: 'error' });
    } finally {
      setBusy(false);
      onChanged?.();
    }
  };

  const click = (action: WorkspaceAction) => {
    if (action === 'stop' || action === 'cancel' || action === 'delete') setConfirm(action);
    else void run(action);
  };

  return (
    <>
      {workspaceActions(ws).map((a) => (
        <Tooltip key={a.action} title={a.reason}>
          {/* the span keeps the tooltip on a disabled button */}
          <span>
            <IconButton size="small" aria-label={`${a.action} ${ws.name}`} disabled={!a.enabled || busy} onClick={() => click(a.action)}>
              {ICON[a.action]}
            </IconButton>
          </span>
        </Tooltip>
      ))}
      <ConfirmDialog
        open={confirm === 'stop'} title={`Stop ${ws.name}?`} confirmLabel="Stop"
        body="Its resources are stopped; the home volume and state are kept, and you can start it again."
        onConfirm={() => void run('stop')} onClose={() => setConfirm(null)}
      />
      <ConfirmDialog
        open={confirm === 'cancel'} title={`Cancel build #${ws.latest_build?.build_number ?? ''} of ${ws.name}?`} confirmLabel="Cancel build"
        body="OpenTofu is interrupted; the state it reached is saved."
        onConfirm={() => void run('cancel')} onClose={() => setConfirm(null)}
      />
      <ConfirmDialog
        open={confirm === 'delete'} title={`Delete ${ws.name}?`} confirmLabel="Delete" danger typeToConfirm={ws.name}
        body="A delete build destroys every resource of the workspace. This cannot be undone."
        onConfirm={() => void run('delete')} onClose={() => setConfirm(null)}
      />
    </>
  );
}
