/** Route refs of the Berth frontend plugin: the My workspaces page (new system and legacy). */
import { createRouteRef } from '@backstage/frontend-plugin-api';
import { createRouteRef as createLegacyRouteRef } from '@backstage/core-plugin-api';

/** The My workspaces page, new frontend system (mounted at `/berth` by default). */
export const rootRouteRef = createRouteRef();

/** The My workspaces page, legacy frontend system. */
export const legacyRootRouteRef = createLegacyRouteRef({ id: 'berth' });
