/** The registrations: new frontend system extensions (API, card, tab, page) and the legacy plugin, sharing one API ref and components. */
import { screen } from '@testing-library/react';
import { createExtensionTester, renderInTestApp as renderNfs, TestApiProvider } from '@backstage/frontend-test-utils';
import { renderInTestApp, TestApiProvider as LegacyApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import berthPlugin, { berthWorkspacesEntityCard, berthApiRef } from '../src';
import * as legacy from '../src/legacy';
import { FakeBerthApi, workspace } from './support/fakeApi';
import { entity } from './support/render';

describe('new frontend system', () => {
  it('registers the API, the entity card, the entity tab and the page under plugin id berth', () => {
    expect(berthPlugin.id).toBe('berth');
    for (const id of ['api:berth', 'entity-card:berth/workspaces', 'entity-content:berth/workspaces', 'page:berth'] as const) {
      expect(berthPlugin.getExtension(id)).toBeDefined();
    }
  });

  it('the entity card extension renders the workspaces of an annotated entity', async () => {
    const api = new FakeBerthApi();
    api.workspaces = [workspace({ name: 'nfs-dev' })];
    renderNfs(
      <TestApiProvider apis={[[berthApiRef, api.asApi()]]}>
        <EntityProvider entity={entity({ 'berth.dev/template': 'local' })}>
          {createExtensionTester(berthWorkspacesEntityCard).reactElement()}
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(await screen.findByTestId('workspace-row-nfs-dev')).toBeInTheDocument();
  });
});

describe('legacy frontend system', () => {
  it('exports the plugin and the same card as a component extension', async () => {
    expect(legacy.berthPlugin.getId()).toBe('berth');
    expect(legacy.isBerthAvailable(entity({ 'berth.dev/template': 'local' }))).toBe(true);
    const api = new FakeBerthApi();
    api.workspaces = [workspace({ name: 'legacy-dev' })];
    await renderInTestApp(
      <LegacyApiProvider apis={[[berthApiRef, api.asApi()]]}>
        <EntityProvider entity={entity({ 'berth.dev/template': 'local' })}>
          <legacy.EntityBerthWorkspacesCard />
        </EntityProvider>
      </LegacyApiProvider>,
    );
    expect(await screen.findByTestId('workspace-row-legacy-dev')).toBeInTheDocument();
  });
});
