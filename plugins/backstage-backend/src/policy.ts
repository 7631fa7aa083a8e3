/**
 * Berth's default authorization rules, as one pure decision function used in two places:
 * - {@link BerthPermissionPolicy} / {@link berthPermissionPolicyModule}: a Backstage permission
 *   policy (install the module in the permission backend) for requests with Backstage credentials;
 * - the plugin itself for requests made with Berth API tokens, which carry no Backstage
 *   credentials (they act with the ownership refs their creator had when the token was made).
 *
 * Rules: members of an admin group (config `berth.adminGroups`, default
 * `group:default/berth-admins`) may do everything; any signed-in user may create workspaces and
 * read templates; a workspace may be read, changed or deleted by its owner (the
 * `IS_WORKSPACE_OWNER` condition); only admins manage templates and read others' audit rows.
 * Permissions of other plugins are allowed (compose with your own policy by calling
 * {@link decideBerthPermission} from it).
 */
import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { AuthorizeResult, isResourcePermission, type Permission, type PolicyDecision } from '@backstage/plugin-permission-common';
import { createConditionFactory, createPermissionResourceRef, createPermissionRule, type PermissionPolicy, type PolicyQuery, type PolicyQueryUser } from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { BERTH_WORKSPACE_RESOURCE_TYPE, IS_WORKSPACE_OWNER_RULE } from '@berth/backstage-plugin-common';
import { z } from 'zod';

/** Default admin group. */
export const DEFAULT_ADMIN_GROUPS = ['group:default/berth-admins'];

/** What the rules say: allow, deny, or allow when the caller owns the workspace. */
export type BerthDecision = 'allow' | 'deny' | 'owner';

/** True when any of the caller's ownership refs is an admin group. */
export function isBerthAdmin(ownershipRefs: readonly string[], adminGroups: readonly string[] = DEFAULT_ADMIN_GROUPS): boolean {
  return ownershipRefs.some((r) => adminGroups.includes(r));
}

/**
 * Berth's rules for one permission (by name). Pure. Names outside `berth.` are allowed, so the
 * policy can stand alone in a development backend.
 */
export function decideBerthPermission(permissionName: string, ownershipRefs: readonly string[], adminGroups: readonly string[] = DEFAULT_ADMIN_GROUPS): BerthDecision {
  if (!permissionName.startsWith('berth.')) return 'allow';
  if (isBerthAdmin(ownershipRefs, adminGroups)) return 'allow';
  switch (permissionName) {
    case 'berth.workspace.create': return 'allow';
    case 'berth.workspace.read':
    case 'berth.workspace.update':
    case 'berth.workspace.delete': return 'owner';
    default: return 'deny';
  }
}

/** What the permission framework loads for a workspace to apply conditions to. */
export interface WorkspaceResource { id: string; owner: string }
/** Query form of conditions: owner criteria (see @berth/workflows OwnerCriteria). */
export interface WorkspaceOwnerQuery { owners: string[] }

/** The `berth-workspace` resource type, owned by the `berth` plugin. */
export const berthWorkspaceResourceRef = createPermissionResourceRef<WorkspaceResource, WorkspaceOwnerQuery>().with({
  pluginId: 'berth', resourceType: BERTH_WORKSPACE_RESOURCE_TYPE,
});

/** Rule: the workspace's owner is one of `claims` (the caller's ownership refs). */
export const isWorkspaceOwnerRule = createPermissionRule({
  name: IS_WORKSPACE_OWNER_RULE,
  description: 'Allow when the workspace is owned by one of the given entity refs (the caller\'s ownership refs)',
  resourceRef: berthWorkspaceResourceRef,
  paramsSchema: z.object({ claims: z.array(z.string()).describe('entity refs, e.g. user:default/ana') }),
  apply: (resource: WorkspaceResource, { claims }: { claims: string[] }) => claims.includes(resource.owner),
  toQuery: ({ claims }: { claims: string[] }) => ({ owners: claims }),
});

const isOwner = createConditionFactory(isWorkspaceOwnerRule);

/** Backstage permission policy applying {@link decideBerthPermission}. */
export class BerthPermissionPolicy implements PermissionPolicy {
  constructor(private readonly adminGroups: readonly string[] = DEFAULT_ADMIN_GROUPS) {}

  async handle(request: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {
    const permission: Permission = request.permission;
    const refs = user?.info.ownershipEntityRefs ?? [];
    if (!user && permission.name.startsWith('berth.')) return { result: AuthorizeResult.DENY };
    const d = decideBerthPermission(permission.name, refs, this.adminGroups);
    if (d === 'allow') return { result: AuthorizeResult.ALLOW };
    if (d === 'owner' && isResourcePermission(permission, BERTH_WORKSPACE_RESOURCE_TYPE)) {
      return { result: AuthorizeResult.CONDITIONAL, pluginId: 'berth', resourceType: BERTH_WORKSPACE_RESOURCE_TYPE, conditions: isOwner({ claims: [...refs] }) };
    }
    return { result: AuthorizeResult.DENY };
  }
}

/** Installs {@link BerthPermissionPolicy} in the permission backend (`backend.add(berthPermissionPolicyModule)`); reads `berth.adminGroups`. */
export const berthPermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'berth-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(new BerthPermissionPolicy(config.getOptionalStringArray('berth.adminGroups') ?? DEFAULT_ADMIN_GROUPS));
      },
    });
  },
});
