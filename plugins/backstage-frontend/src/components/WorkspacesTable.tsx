/**
 * Workspaces as a table: name (opens the details drawer), template, status, autostop (the
 * deadline of a running workspace in the browser's zone, else the TTL), last build, actions.
 * Shared by the entity card, the entity tab and the My workspaces page. Rows are keyboard
 * reachable (Tab, Enter opens the drawer).
 */
import { Link, Table, TableBody, TableCell, TableHead, TableRow, Tooltip, Typography } from '@material-ui/core';
import { autostopText, lastBuiltText, runtimeZone, type ApiBuild, type ApiWorkspace } from '@berth/backstage-plugin-common';
import { WorkspaceActions } from './WorkspaceActions';
import { WorkspaceStatus } from './WorkspaceStatus';

export interface WorkspacesTableProps {
  workspaces: ApiWorkspace[];
  /** Show the owner column (admins, the My workspaces page with another owner filter). */
  showOwner?: boolean;
  /** Show the template column. */
  showTemplate?: boolean;
  onOpen(workspace: ApiWorkspace): void;
  onBuild(workspace: ApiWorkspace, build: ApiBuild): void;
  onChanged(): void;
  zone?: string;
}

/** The workspaces table. */
export function WorkspacesTable({ workspaces, showOwner, showTemplate = true, onOpen, onBuild, onChanged, zone = runtimeZone() }: WorkspacesTableProps) {
  return (
    <Table size="small" aria-label="workspaces">
      <TableHead>
        <TableRow>
          <TableCell>Name</TableCell>
          {showOwner && <TableCell>Owner</TableCell>}
          {showTemplate && <TableCell>Template</TableCell>}
          <TableCell>Status</TableCell>
          <TableCell>Autostop</TableCell>
          <TableCell>Last build</TableCell>
          <TableCell align="right">Actions</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {workspaces.map((w) => (
          <TableRow key={w.id} data-testid={`workspace-row-${w.name}`}>
            <TableCell>
              <Link component="button" variant="body2" onClick={() => onOpen(w)} aria-label={`open ${w.name}`}>{w.name}</Link>
              {w.outdated && <Tooltip title="an update to the template's active version is available"><Typography variant="caption" color="textSecondary">{' · outdated'}</Typography></Tooltip>}
            </TableCell>
            {showOwner && <TableCell>{w.owner}</TableCell>}
            {showTemplate && <TableCell>{w.template_name}</TableCell>}
            <TableCell><WorkspaceStatus status={w.status} /></TableCell>
            <TableCell>{autostopText(w, zone)}</TableCell>
            <TableCell title={w.latest_build?.explanation ?? ''}>{lastBuiltText(w)}</TableCell>
            <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>
              <WorkspaceActions workspace={w} onBuild={onBuild} onChanged={onChanged} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
