/**
 * Which lifecycle actions a workspace offers right now, and why the others are off: the buttons
 * of the card, the entity tab and the My workspaces page. The API re-checks every request (the
 * workspace workflow is the single writer); this only spares users buttons that cannot work.
 * Statuses follow Coder's workspace status machine.
 */
import type { ApiWorkspace } from '@berth/backstage-plugin-common';

/** Every action a user can take on a workspace from the UI. */
export type WorkspaceAction = 'start' | 'stop' | 'restart' | 'update' | 'cancel' | 'delete';

/** One action: enabled, or disabled with the reason (shown as the button's tooltip). */
export interface ActionState {
  action: WorkspaceAction;
  enabled: boolean;
  reason: string;
}

const ACTIVE = new Set(['pending', 'starting', 'stopping', 'deleting', 'canceling']);

/** True while a build of the workspace is queued or running (the UI polls faster then). */
export function isTransitioning(ws: ApiWorkspace): boolean {
  return ACTIVE.has(ws.status) || ['pending', 'running', 'canceling'].includes(ws.latest_build?.job_status ?? '');
}

/** The state of every action for `ws`, in button order: start, stop, restart, update, cancel, delete. */
export function workspaceActions(ws: ApiWorkspace): ActionState[] {
  const s = ws.status;
  const busy = isTransitioning(ws);
  const job = ws.latest_build?.job_status;
  const deleted = ws.deleted || s === 'deleted';
  const on = (action: WorkspaceAction, enabled: boolean, off: string): ActionState => ({ action, enabled, reason: enabled ? LABEL[action] : off });
  const whileBusy = `a ${ws.latest_build?.transition ?? ''} build is in progress: wait for it or cancel it`.replace('a  build', 'a build');
  if (deleted) return ORDER.map((a) => on(a, false, 'the workspace is deleted'));
  return [
    on('start', !busy && s !== 'running', busy ? whileBusy : 'the workspace is already running'),
    on('stop', !busy && s !== 'stopped', busy ? whileBusy : 'the workspace is already stopped'),
    on('restart', !busy && s === 'running', busy ? whileBusy : 'only a running workspace restarts'),
    on('update', !busy && ws.outdated, busy ? whileBusy : "already on the template's active version"),
    on('cancel', job === 'pending' || job === 'running', job === 'canceling' ? 'the build is already being canceled' : 'no build is running'),
    on('delete', !busy, whileBusy),
  ];
}

const ORDER: WorkspaceAction[] = ['start', 'stop', 'restart', 'update', 'cancel', 'delete'];

/** Button labels. */
export const LABEL: Record<WorkspaceAction, string> = {
  start: 'Start', stop: 'Stop', restart: 'Restart', update: 'Update to the active version', cancel: 'Cancel the running build', delete: 'Delete',
};
