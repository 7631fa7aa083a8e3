/** The entity card: the user's workspaces for the entity, actions with confirmations, empty/error states, prebuild line. */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { BerthApiError } from '@berth/backstage-plugin-common';
import { EntityWorkspacesCard } from '../src/components/EntityWorkspacesCard';
import { FakeBerthApi, workspace, build } from './support/fakeApi';
import { entity, renderBerth } from './support/render';

const render = (api: FakeBerthApi, annotations: Record<string, string> = { 'berth.dev/template': 'local', 'berth.dev/preset': 'small' }) =>
  renderBerth(<EntityWorkspacesCard />, api, { entity: entity(annotations) });

describe('EntityWorkspacesCard', () => {
  it("lists the signed-in user's workspaces for this entity with status, autostop and last build", async () => {
    const api = new FakeBerthApi();
    api.workspaces = [workspace({ name: 'dev' }), workspace({ id: 'ws-2', name: 'review', status: 'stopped', latest_build: build({ workspace_id: 'ws-2', transition: 'stop', status: 'stopped', deadline: null }) })];
    await render(api);
    const row = await screen.findByTestId('workspace-row-dev');
    expect(within(row).getByText('running')).toBeInTheDocument();
    expect(within(screen.getByTestId('workspace-row-review')).getByText('stopped')).toBeInTheDocument();
    expect(within(screen.getByTestId('workspace-row-review')).getByText('8h after start')).toBeInTheDocument();
    expect(api.callsOf('listWorkspaces')[0]).toEqual([{ q: 'owner:me entity:component:default/shop', limit: 100 }]);
    expect(await screen.findByTestId('prebuild-summary')).toHaveTextContent('Prebuilds (preset small): 1 of 2 ready');
  });

  it('offers only the actions the status allows', async () => {
    const api = new FakeBerthApi();
    api.workspaces = [workspace({ name: 'dev', status: 'stopped', latest_build: build({ transition: 'stop', status: 'stopped' }) })];
    await render(api);
    await screen.findByTestId('workspace-row-dev');
    expect(screen.getByRole('button', { name: 'start dev' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'stop dev' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'restart dev' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'cancel dev' })).toBeDisabled();
  });

  it('stop asks first; "No" (focused) keeps the workspace, "Stop" sends a stop build and opens its log', async () => {
    const api = new FakeBerthApi();
    api.workspaces = [workspace({ name: 'dev' })];
    api.holdLogs();
    await render(api);
    fireEvent.click(await screen.findByRole('button', { name: 'stop dev' }));
    const dialog = await screen.findByRole('dialog', { name: 'Stop dev?' });
    expect(within(dialog).getByRole('button', { name: 'No, keep it' })).toHaveFocus();
    fireEvent.click(within(dialog).getByRole('button', { name: 'No, keep it' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Stop dev?' })).not.toBeInTheDocument());
    expect(api.callsOf('createBuild')).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: 'stop dev' }));
    fireEvent.click(within(await screen.findByRole('dialog', { name: 'Stop dev?' })).getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(api.callsOf('createBuild')).toEqual([['ws-1', { transition: 'stop' }]]));
    // the drawer opens on the new build's live log
    expect(await screen.findByText('Build #2')).toBeInTheDocument();
    await waitFor(() => expect(api.callsOf('followBuildLogs')[0]).toEqual(['ws-1', 2, { after: 0 }]));
    act(() => api.release());
  });

  it('delete needs the workspace name typed', async () => {
    const api = new FakeBerthApi();
    api.workspaces = [workspace({ name: 'dev' })];
    api.holdLogs();
    await render(api);
    fireEvent.click(await screen.findByRole('button', { name: 'delete dev' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete dev?' });
    const confirm = within(dialog).getByRole('button', { name: 'Delete' });
    expect(confirm).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('workspace name to confirm'), { target: { value: 'de' } });
    expect(confirm).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('workspace name to confirm'), { target: { value: 'dev' } });
    fireEvent.click(confirm);
    await waitFor(() => expect(api.callsOf('deleteWorkspace')).toEqual([['ws-1']]));
    act(() => api.release());
  });

  it("shows the API's refusal of an action instead of failing silently", async () => {
    const api = new FakeBerthApi();
    api.workspaces = [workspace({ name: 'dev', outdated: true })];
    api.fail.createBuild = new BerthApiError(409, 'ConflictError', 'a build is already active: build #7 (start) is running');
    const { alerts } = await render(api);
    fireEvent.click(await screen.findByRole('button', { name: 'update dev' }));
    await waitFor(() => expect(alerts.errors()).toEqual(['dev: update failed: a build is already active: build #7 (start) is running']));
    expect(api.callsOf('createBuild')).toEqual([['ws-1', { transition: 'update' }]]);
  });

  it('has an empty state with "Create workspace"', async () => {
    const api = new FakeBerthApi();
    await render(api);
    expect(await screen.findByText('No workspaces for shop yet')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Create workspace' })).toBeEnabled();
  });

  it('has an error state with Retry', async () => {
    const api = new FakeBerthApi();
    api.fail.listWorkspaces = new BerthApiError(0, 'NetworkError', 'cannot reach the Berth API at /api/berth/workspaces: connection refused');
    await render(api);
    expect(await screen.findByText(/Could not load workspaces/)).toBeInTheDocument();
    expect(screen.getByText(/connection refused/)).toBeInTheDocument();
    api.workspaces = [workspace({ name: 'dev' })];
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByTestId('workspace-row-dev')).toBeInTheDocument();
  });

  it('explains a bad berth.dev/parameters annotation and still lists workspaces', async () => {
    const api = new FakeBerthApi();
    await render(api, { 'berth.dev/template': 'local', 'berth.dev/parameters': '{"region": ' });
    expect(await screen.findByText(/berth.dev\/parameters: not valid JSON/)).toBeInTheDocument();
    expect(await screen.findByText('No workspaces for shop yet')).toBeInTheDocument();
  });
});
