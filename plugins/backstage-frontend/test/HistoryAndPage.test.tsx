/** History timeline (reasons, explanations, Temporal UI link) and the My workspaces page (search syntax). */
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { HistoryTimeline } from '../src/components/HistoryTimeline';
import { MyWorkspacesPage } from '../src/components/MyWorkspacesPage';
import { FakeBerthApi, workspace } from './support/fakeApi';
import { renderBerth } from './support/render';

describe('HistoryTimeline', () => {
  it('lists the events with their reason and explanation, hides workflow-task noise, links to the Temporal UI', async () => {
    const api = new FakeBerthApi();
    await renderBerth(<HistoryTimeline workspaceId="ws-1" zone="UTC" />, api);
    expect(await screen.findByText('build #2 stop')).toBeInTheDocument();
    expect(screen.getByText('autostop')).toBeInTheDocument();
    expect(screen.getByText('stopped: deadline 17:00 UTC reached (TTL 8h from start at 09:00)')).toBeInTheDocument();
    expect(screen.queryByText('workflow task')).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: /Open in Temporal UI/ })).toHaveAttribute('href', 'http://localhost:8233/namespaces/default/workflows/workspace:ws-1');
    fireEvent.click(screen.getByRole('checkbox', { name: 'all events' }));
    expect(screen.getByText('workflow task')).toBeInTheDocument();
  });

  it('says when the history cannot be read', async () => {
    const api = new FakeBerthApi();
    api.getWorkspaceHistory = async () => { throw new Error('workflow workspace:ws-1 not found in Temporal'); };
    await renderBerth(<HistoryTimeline workspaceId="ws-1" />, api);
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load the history: workflow workspace:ws-1 not found in Temporal');
  });
});

describe('MyWorkspacesPage', () => {
  it('searches with the API syntax from the URL, refuses a malformed query without asking the API', async () => {
    const api = new FakeBerthApi();
    api.workspaces = [workspace({ name: 'dev' })];
    await renderBerth(<MyWorkspacesPage />, api, { routeEntries: ['/?q=owner:me%20status:running'] });
    expect(await screen.findByTestId('workspace-row-dev')).toBeInTheDocument();
    expect(api.callsOf('listWorkspaces')[0]).toEqual([{ q: 'owner:me status:running', limit: 200 }]);
    const box = screen.getByLabelText('Search workspaces');
    fireEvent.change(box, { target: { value: 'status:sleeping' } });
    expect(await screen.findByText(/unknown status "sleeping"/)).toBeInTheDocument();
    // no rows of the previous search under a malformed one
    expect(screen.queryByTestId('workspace-row-dev')).not.toBeInTheDocument();
    expect(screen.getByText('Fix the search to see workspaces.')).toBeInTheDocument();
    const before = api.callsOf('listWorkspaces').length;
    await new Promise((r) => setTimeout(r, 600));
    expect(api.callsOf('listWorkspaces').length).toBe(before);
    fireEvent.change(box, { target: { value: 'template:local dev' } });
    await waitFor(() => expect(api.callsOf('listWorkspaces').at(-1)).toEqual([{ q: 'template:local dev', limit: 200 }]));
    // not only the user's own workspaces: the owner column shows
    expect(await screen.findByRole('columnheader', { name: 'Owner' })).toBeInTheDocument();
  });
});
