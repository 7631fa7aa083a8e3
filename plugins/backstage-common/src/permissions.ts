/**
 * Berth's permissions for the Backstage permission framework. Workspace permissions are
 * resource permissions on the `berth-workspace` resource type (resourceRef = workspace id), so
 * a policy can answer CONDITIONAL with the `IS_WORKSPACE_OWNER` rule; creating a workspace and
 * managing templates are basic permissions.
 */
import { createPermission } from '@backstage/plugin-permission-common';

/** Resource type of Berth workspaces (resourceRef: the workspace id). */
export const BERTH_WORKSPACE_RESOURCE_TYPE = 'berth-workspace';

/** Read a workspace: details, builds, logs, schedule, history. */
export const berthWorkspaceReadPermission = createPermission({
  name: 'berth.workspace.read', attributes: { action: 'read' }, resourceType: BERTH_WORKSPACE_RESOURCE_TYPE,
});
/** Create a workspace (for oneself; for another owner the caller must also pass the admin check). */
export const berthWorkspaceCreatePermission = createPermission({ name: 'berth.workspace.create', attributes: { action: 'create' } });
/** Change a workspace: start, stop, restart, update, cancel, schedule, extend, activity. */
export const berthWorkspaceUpdatePermission = createPermission({
  name: 'berth.workspace.update', attributes: { action: 'update' }, resourceType: BERTH_WORKSPACE_RESOURCE_TYPE,
});
/** Delete a workspace (a delete build). */
export const berthWorkspaceDeletePermission = createPermission({
  name: 'berth.workspace.delete', attributes: { action: 'delete' }, resourceType: BERTH_WORKSPACE_RESOURCE_TYPE,
});
/** Push, promote and archive template versions; read the audit log. */
export const berthTemplateManagePermission = createPermission({ name: 'berth.template.manage', attributes: { action: 'update' } });

/** Every Berth permission (registered by the backend plugin). */
export const berthPermissions = [
  berthWorkspaceReadPermission, berthWorkspaceCreatePermission, berthWorkspaceUpdatePermission, berthWorkspaceDeletePermission,
  berthTemplateManagePermission,
];

/** Name of the "is owner" permission rule (params: `{ claims: string[] }`, the caller's ownership refs). */
export const IS_WORKSPACE_OWNER_RULE = 'IS_WORKSPACE_OWNER';
