/**
 * @berth/backstage-plugin — Berth workspaces in Backstage (new frontend system).
 *
 * Default export: the frontend plugin (entity card, entity tab, My workspaces page, API).
 * Apps on the legacy frontend system import from `@berth/backstage-plugin/legacy`.
 */
import { berthPlugin } from './plugin';

export default berthPlugin;
export { berthPlugin, berthApi, berthWorkspacesEntityCard, berthWorkspacesEntityContent, berthWorkspacesPage } from './plugin';
export * from './shared';
