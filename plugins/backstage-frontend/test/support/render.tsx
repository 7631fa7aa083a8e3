/** Renders a Berth component in Backstage's test app with the fake API and a recording alert API. */
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { alertApiRef, type AlertMessage } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { Entity } from '@backstage/catalog-model';
import { berthApiRef } from '../../src/api';
import type { FakeBerthApi } from './fakeApi';

export function entity(annotations: Record<string, string>, name = 'shop'): Entity {
  return { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name, namespace: 'default', annotations }, spec: { type: 'service', owner: 'team-a', lifecycle: 'production' } };
}

/** Alerts the components posted (what a Backstage app shows as snackbars). */
export class RecordingAlertApi {
  posted: AlertMessage[] = [];
  post(a: AlertMessage) { this.posted.push(a); }
  alert$() { return { subscribe: () => ({ unsubscribe() {}, closed: false }) } as never; }
  errors(): string[] { return this.posted.filter((a) => a.severity === 'error').map((a) => a.message); }
}

export async function renderBerth(el: JSX.Element, api: FakeBerthApi, opts: { entity?: Entity; routeEntries?: string[] } = {}) {
  const alerts = new RecordingAlertApi();
  const inner = opts.entity ? <EntityProvider entity={opts.entity}>{el}</EntityProvider> : el;
  const result = await renderInTestApp(
    <TestApiProvider apis={[[berthApiRef, api.asApi()], [alertApiRef, alerts]]}>{inner}</TestApiProvider>,
    opts.routeEntries ? { routeEntries: opts.routeEntries } : undefined,
  );
  return { ...result, alerts };
}
