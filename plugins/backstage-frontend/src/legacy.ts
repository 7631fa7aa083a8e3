/**
 * @berth/backstage-plugin/legacy — the same components for apps on the legacy frontend system:
 *
 * ```tsx
 * // packages/app/src/components/catalog/EntityPage.tsx
 * import { EntityBerthWorkspacesCard, EntityBerthWorkspacesContent, isBerthAvailable } from '@berth/backstage-plugin/legacy';
 * <EntitySwitch><EntitySwitch.Case if={isBerthAvailable}><Grid item md={6}><EntityBerthWorkspacesCard /></Grid></EntitySwitch.Case></EntitySwitch>
 * <EntityLayout.Route path="/workspaces" title="Workspaces" if={isBerthAvailable}><EntityBerthWorkspacesContent /></EntityLayout.Route>
 * // App.tsx: <Route path="/berth" element={<BerthWorkspacesPage />} />
 * ```
 */
import { createApiFactory, createComponentExtension, createPlugin, createRoutableExtension, discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { berthApiRef, createBerthApi } from './api';
import { legacyRootRouteRef } from './routes';

/** The legacy plugin (id `berth`), registering the Berth API factory. */
export const berthPlugin = createPlugin({
  id: 'berth',
  apis: [createApiFactory({ api: berthApiRef, deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef }, factory: createBerthApi })],
  routes: { root: legacyRootRouteRef },
});

/** The Workspaces card for an entity page (inside an `EntityProvider`). */
export const EntityBerthWorkspacesCard = berthPlugin.provide(createComponentExtension({
  name: 'EntityBerthWorkspacesCard',
  component: { lazy: () => import('./components/EntityWorkspacesCard').then((m) => m.EntityWorkspacesCard) },
}));

/** The Workspaces tab content for an entity page. */
export const EntityBerthWorkspacesContent = berthPlugin.provide(createComponentExtension({
  name: 'EntityBerthWorkspacesContent',
  component: { lazy: () => import('./components/EntityWorkspacesContent').then((m) => m.EntityWorkspacesContent) },
}));

/** The My workspaces page. */
export const BerthWorkspacesPage = berthPlugin.provide(createRoutableExtension({
  name: 'BerthWorkspacesPage',
  component: () => import('./components/MyWorkspacesPage').then((m) => m.MyWorkspacesPage),
  mountPoint: legacyRootRouteRef,
}));

export * from './shared';
