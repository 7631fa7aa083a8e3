/**
 * Berth on the new frontend system: `createFrontendPlugin` with
 *   - `api:berth` — the Berth API client (ApiBlueprint, discovery + fetch APIs);
 *   - `entity-card:berth/workspaces` — the Workspaces card on entities annotated `berth.dev/template`;
 *   - `entity-content:berth/workspaces` — the entity page's Workspaces tab (list + prebuild pools);
 *   - `page:berth` — My workspaces at `/berth`, with the API's search syntax.
 * Apps with `app.packages: all` discover it; others add the default export to `features`.
 */
import { ApiBlueprint, PageBlueprint, createFrontendPlugin, discoveryApiRef, fetchApiRef } from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint, EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import Computer from '@material-ui/icons/Computer';
import { berthApiRef, createBerthApi } from './api';
import { isBerthAvailable } from './annotations';
import { rootRouteRef } from './routes';

/** The API extension (`api:berth`). */
export const berthApi = ApiBlueprint.make({
  params: (defineParams) => defineParams({
    api: berthApiRef,
    deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
    factory: ({ discoveryApi, fetchApi }) => createBerthApi({ discoveryApi, fetchApi }),
  }),
});

/** The entity card (`entity-card:berth/workspaces`). */
export const berthWorkspacesEntityCard = EntityCardBlueprint.make({
  name: 'workspaces',
  params: {
    filter: isBerthAvailable,
    loader: () => import('./components/EntityWorkspacesCard').then((m) => <m.EntityWorkspacesCard />),
  },
});

/** The entity tab (`entity-content:berth/workspaces`, path `/workspaces`). */
export const berthWorkspacesEntityContent = EntityContentBlueprint.make({
  name: 'workspaces',
  params: {
    path: '/workspaces',
    title: 'Workspaces',
    filter: isBerthAvailable,
    loader: () => import('./components/EntityWorkspacesContent').then((m) => <m.EntityWorkspacesContent />),
  },
});

/** The My workspaces page (`page:berth`, path `/berth`). */
export const berthWorkspacesPage = PageBlueprint.make({
  params: {
    path: '/berth',
    title: 'My workspaces',
    icon: <Computer />,
    routeRef: rootRouteRef,
    loader: () => import('./components/MyWorkspacesPage').then((m) => <m.MyWorkspacesPage />),
  },
});

/** The Berth frontend plugin (plugin id `berth`). */
export const berthPlugin = createFrontendPlugin({
  pluginId: 'berth',
  title: 'Berth',
  icon: <Computer />,
  routes: { root: rootRouteRef },
  extensions: [berthApi, berthWorkspacesEntityCard, berthWorkspacesEntityContent, berthWorkspacesPage],
});
