/** The live build log: staged like the TUI, follows the SSE stream to the build's end, reconnects after a drop without repeating lines. */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { BerthApiError } from '@berth/backstage-plugin-common';
import { BuildLog } from '../src/components/BuildLog';
import { WorkspaceDrawer } from '../src/components/WorkspaceDrawer';
import { FakeBerthApi, logLine, workspace, build } from './support/fakeApi';
import { renderBerth } from './support/render';

const LINES = [logLine(1, 'setup', 'job acquired'), logLine(2, 'init', 'tofu init'), logLine(3, 'plan', 'Plan: 2 to add'), logLine(4, 'apply', 'Apply complete!')];

describe('BuildLog', () => {
  it('shows every line in order under its stage, a spinner on the running stage, then ✔ stages and the end', async () => {
    const api = new FakeBerthApi();
    api.logs = LINES;
    api.holdLogs();
    const onEnded = jest.fn();
    await renderBerth(<BuildLog workspaceId="ws-1" buildNumber={1} onEnded={onEnded} />, api);
    await screen.findByText('Apply complete!');
    const log = screen.getByRole('log');
    expect(within(log).getAllByText(/job acquired|tofu init|Plan: 2 to add|Apply complete!/).map((e) => e.textContent)).toEqual(['job acquired', 'tofu init', 'Plan: 2 to add', 'Apply complete!']);
    expect(within(screen.getByTestId('stage-init')).getByLabelText('done')).toHaveTextContent('✔');
    expect(within(screen.getByTestId('stage-apply')).getByLabelText('running')).toBeInTheDocument();
    expect(onEnded).not.toHaveBeenCalled();

    act(() => api.release());
    expect(await screen.findByTestId('build-end')).toHaveTextContent('build #1 succeeded in 4.0s');
    expect(within(screen.getByTestId('stage-apply')).getByLabelText('done')).toBeInTheDocument();
    expect(onEnded).toHaveBeenCalledWith(expect.objectContaining({ build_number: 1 }), 'succeeded');
  });

  it('marks the failing stage and shows the error of a failed build', async () => {
    const api = new FakeBerthApi();
    api.logs = LINES.slice(0, 3);
    api.logEnd = 'failed';
    api.builds.set('ws-1', [build({ build_number: 1, job_status: 'failed', status: 'failed', error: 'tofu plan exited with 1' })]);
    await renderBerth(<BuildLog workspaceId="ws-1" buildNumber={1} />, api);
    expect(await screen.findByTestId('build-end')).toHaveTextContent('build #1 failed in 4.0s: tofu plan exited with 1');
    expect(within(screen.getByTestId('stage-plan')).getByLabelText('failed')).toHaveTextContent('✘');
  });

  it('says when the stream drops and reconnects after the last line it had', async () => {
    const api = new FakeBerthApi();
    api.logs = LINES.slice(0, 2);
    api.fail.followBuildLogs = new BerthApiError(0, 'NetworkError', 'network error');
    await renderBerth(<BuildLog workspaceId="ws-1" buildNumber={1} />, api);
    expect(await screen.findByRole('alert')).toHaveTextContent('Log stream interrupted: network error');
    api.logs = LINES;
    fireEvent.click(screen.getByRole('button', { name: 'Reconnect' }));
    expect(await screen.findByTestId('build-end')).toHaveTextContent('succeeded');
    expect(api.callsOf('followBuildLogs').map((c) => c[2])).toEqual([{ after: 0 }, { after: 2 }]);
    expect(screen.getAllByText('tofu init')).toHaveLength(1);
  });

  it('closing the drawer detaches from the stream and never cancels the build', async () => {
    const api = new FakeBerthApi();
    api.logs = LINES.slice(0, 2);
    api.holdLogs();
    const ws = workspace({ name: 'dev', status: 'starting', latest_build: build({ job_status: 'running', status: 'starting' }) });
    api.workspaces = [ws];
    let close: () => void = () => undefined;
    function Harness() {
      const [open, setOpen] = (jest.requireActual('react') as typeof import('react')).useState(true);
      close = () => setOpen(false);
      return <WorkspaceDrawer workspace={open ? ws : null} onClose={() => setOpen(false)} />;
    }
    await renderBerth(<Harness />, api);
    await screen.findByText('tofu init');
    act(() => close());
    await waitFor(() => expect(screen.queryByText('tofu init')).not.toBeInTheDocument());
    expect(api.callsOf('cancelBuild')).toHaveLength(0);
    act(() => api.release());
  });
});
