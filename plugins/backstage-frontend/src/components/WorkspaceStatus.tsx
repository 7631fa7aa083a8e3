/** A workspace's status with Backstage's status lights (colour plus text, readable in light and dark themes). */
import { StatusAborted, StatusError, StatusOK, StatusPending, StatusRunning, StatusWarning } from '@backstage/core-components';
import type { ApiWorkspace } from '@berth/backstage-plugin-common';

const LIGHT: Record<ApiWorkspace['status'], (p: { children?: React.ReactNode }) => JSX.Element | null> = {
  running: StatusOK,
  pending: StatusPending,
  starting: StatusRunning,
  stopping: StatusRunning,
  deleting: StatusRunning,
  canceling: StatusRunning,
  stopped: StatusAborted,
  deleted: StatusAborted,
  canceled: StatusWarning,
  failed: StatusError,
};

/** `● running` with the status light for the workspace status. */
export function WorkspaceStatus({ status }: { status: ApiWorkspace['status'] }) {
  const Light = LIGHT[status] ?? StatusPending;
  return <Light>{status}</Light>;
}
