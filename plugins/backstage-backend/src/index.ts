/** @berth/backstage-plugin-backend: the `berth` backend plugin (default export) and its permission policy module. */
export { berthPlugin as default, berthPlugin } from './plugin';
export { berthPermissionPolicyModule, BerthPermissionPolicy, decideBerthPermission, isBerthAdmin, isWorkspaceOwnerRule, berthWorkspaceResourceRef, DEFAULT_ADMIN_GROUPS } from './policy';
export type { BerthDecision } from './policy';
export { readBerthConfig, type BerthPluginConfig } from './config';
export { historyTimeline, temporalUiUrl } from './history';
