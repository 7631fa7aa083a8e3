/**
 * The Berth API as a Backstage utility API: `berthApiRef` resolves to a {@link BerthApiClient}
 * (from @berth/backstage-plugin-common) that finds the backend through the discovery API
 * (`<backend>/api/berth`) and sends the signed-in user's Backstage token through the fetch API.
 * The browser never holds a Berth credential of its own. Both the new frontend system
 * (`ApiBlueprint`) and the legacy plugin (`createApiFactory`) register this same factory.
 */
import { createApiRef, type DiscoveryApi, type FetchApi } from '@backstage/core-plugin-api';
import { BerthApiClient, type BerthApiClientOptions } from '@berth/backstage-plugin-common';

/** The public surface of {@link BerthApiClient}: what components call (tests pass fakes of it). */
export type BerthApi = { [K in keyof BerthApiClient]: BerthApiClient[K] };

/** Utility API reference for the Berth API client (id `plugin.berth.api`). */
export const berthApiRef = createApiRef<BerthApi>({ id: 'plugin.berth.api' });

/** Backstage plugin id of the Berth backend (its routes live under `/api/berth`). */
export const BERTH_PLUGIN_ID = 'berth';

/**
 * Builds the client for a Backstage app: base URL from discovery (`getBaseUrl('berth')`), every
 * request through `fetchApi.fetch` (which adds `Authorization: Bearer <Backstage token>`).
 */
export function createBerthApi(deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }): BerthApi {
  return new BerthApiClient({
    baseUrl: () => deps.discoveryApi.getBaseUrl(BERTH_PLUGIN_ID),
    fetch: deps.fetchApi.fetch as unknown as BerthApiClientOptions['fetch'],
  });
}
