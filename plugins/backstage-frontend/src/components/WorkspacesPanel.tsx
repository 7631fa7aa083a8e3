/**
 * The live list of workspaces behind the card, the entity tab and the My workspaces page: loads
 * `GET /workspaces?q=<query>`, refreshes every 3 s while a build runs and every 15 s otherwise,
 * and owns the details drawer and the create dialog. Loading, empty and error states are
 * explicit; a failed refresh keeps the last rows and says so.
 */
import { useState } from 'react';
import { Box, Button, Typography } from '@material-ui/core';
import Add from '@material-ui/icons/Add';
import { EmptyState, Progress } from '@backstage/core-components';
import { Alert, AlertTitle } from '@material-ui/lab';
import type { ApiBuild, ApiWorkspace, ApiWorkspaceList } from '@berth/backstage-plugin-common';
import { isTransitioning } from '../actions';
import { useBerthApi, usePolled } from '../hooks';
import { CreateWorkspaceDialog, type CreateWorkspaceDialogProps } from './CreateWorkspaceDialog';
import { WorkspaceDrawer, type WorkspaceTab } from './WorkspaceDrawer';
import { WorkspacesTable } from './WorkspacesTable';

/** Poll period (ms) for a list: fast while anything is building. */
export function listPollMs(list: ApiWorkspaceList | undefined): number {
  return list?.workspaces.some(isTransitioning) ? 3000 : 15_000;
}

export interface WorkspacesPanelProps {
  /** Coder-style search (`owner:me entity:component:default/shop`). */
  query: string;
  /** Create dialog settings (template, preset, parameters, entity); omit to hide "Create workspace". */
  create?: Omit<CreateWorkspaceDialogProps, 'open' | 'onClose' | 'onCreated'>;
  /** Text of the empty state. */
  emptyTitle: string;
  showOwner?: boolean;
  showTemplate?: boolean;
  /** Page size (the API allows up to 500). */
  limit?: number;
  /** A one-line empty state (cards) instead of Backstage's illustrated one (pages). */
  compact?: boolean;
}

/** List + drawer + create dialog. */
export function WorkspacesPanel({ query, create, emptyTitle, showOwner, showTemplate, limit = 100, compact }: WorkspacesPanelProps) {
  const api = useBerthApi();
  const list = usePolled<ApiWorkspaceList>(`${query}|${limit}`, () => api.listWorkspaces({ q: query, limit }), listPollMs);
  const [open, setOpen] = useState<{ ws: ApiWorkspace; tab: WorkspaceTab; build?: number } | null>(null);
  const [creating, setCreating] = useState(false);

  const onBuild = (ws: ApiWorkspace, b: ApiBuild) => { setOpen({ ws, tab: 'logs', build: b.build_number }); list.refresh(); };
  const createButton = create && (
    <Button variant="contained" color="primary" startIcon={<Add />} onClick={() => setCreating(true)}>Create workspace</Button>
  );

  let body: React.ReactNode;
  if (list.loading) body = <Progress />;
  else if (!list.value) {
    body = (
      <Alert severity="error" role="alert" action={<Button color="inherit" size="small" onClick={list.refresh}>Retry</Button>}>
        <AlertTitle>Could not load workspaces</AlertTitle>
        {list.error?.message}
      </Alert>
    );
  } else if (!list.value.workspaces.length) {
    const description = create ? 'Create one: its first build starts at once, and you can follow its log here.' : 'Nothing matches this search.';
    body = compact
      ? (
        <Box py={1}>
          <Typography variant="subtitle1" component="p">{emptyTitle}</Typography>
          <Typography variant="body2" color="textSecondary" paragraph>{description}</Typography>
          {createButton}
        </Box>
      )
      : <EmptyState missing="data" title={emptyTitle} description={description} action={createButton} />;
  } else {
    body = (
      <>
        {list.error && <Typography variant="body2" color="error" role="status">{`Refresh failed (${list.error.message}); showing the last answer.`}</Typography>}
        <WorkspacesTable workspaces={list.value.workspaces} showOwner={showOwner} showTemplate={showTemplate}
          onOpen={(ws) => setOpen({ ws, tab: 'logs' })} onBuild={onBuild} onChanged={list.refresh} />
        {list.value.count > list.value.workspaces.length && (
          <Typography variant="caption" color="textSecondary">{`Showing ${list.value.workspaces.length} of ${list.value.count}: narrow the search to see the rest.`}</Typography>
        )}
      </>
    );
  }

  return (
    <Box>
      {createButton && list.value && list.value.workspaces.length > 0 && <Box display="flex" justifyContent="flex-end" mb={1}>{createButton}</Box>}
      {body}
      {create && (
        <CreateWorkspaceDialog
          {...create}
          open={creating}
          onClose={() => setCreating(false)}
          onCreated={(ws) => {
            setCreating(false);
            list.refresh();
            setOpen({ ws, tab: 'logs', build: ws.latest_build?.build_number });
          }}
        />
      )}
      <WorkspaceDrawer workspace={open?.ws ?? null} tab={open?.tab} buildNumber={open?.build} onClose={() => setOpen(null)} onChanged={list.refresh} />
    </Box>
  );
}
