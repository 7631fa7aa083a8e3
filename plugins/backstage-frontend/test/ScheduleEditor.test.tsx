/** The schedule editor: the coder grammar, problems under their field, a live next-events preview, save and extend. */
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { ScheduleEditor } from '../src/components/ScheduleEditor';
import { FakeBerthApi } from './support/fakeApi';
import { renderBerth } from './support/render';

async function open(api: FakeBerthApi) {
  const r = await renderBerth(<ScheduleEditor workspaceId="ws-1" workspaceName="dev" debounceMs={10} zone="UTC" />, api);
  await screen.findByLabelText('Autostart');
  return r;
}

describe('ScheduleEditor', () => {
  it('shows the stored schedule in the grammar and its next events', async () => {
    const api = new FakeBerthApi();
    await open(api);
    expect(screen.getByLabelText('Autostart')).toHaveValue('09:00 Mon-Fri Europe/Berlin');
    expect(screen.getByLabelText('Autostop after (TTL)')).toHaveValue('8h');
    expect(await screen.findByText('start 2026-12-07 08:00')).toBeInTheDocument();
    expect(screen.getByText('stop 2026-12-07 16:00')).toBeInTheDocument();
    // one list in time order
    expect(screen.getAllByText(/^(start|stop) 2026-/).map((e) => e.textContent)).toEqual(['start 2026-12-07 08:00', 'stop 2026-12-07 16:00', 'start 2026-12-08 08:00']);
    expect(screen.getByRole('button', { name: 'Save schedule' })).toBeDisabled();
  });

  it('previews what the user types, and puts a problem under its field with Save off', async () => {
    const api = new FakeBerthApi();
    await open(api);
    fireEvent.change(screen.getByLabelText('Autostart'), { target: { value: '25:00' } });
    expect(await screen.findByText('"25:00" is not a time of day')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save schedule' })).toBeDisabled();
    fireEvent.change(screen.getByLabelText('Autostart'), { target: { value: '07:30 sat,sun' } });
    fireEvent.change(screen.getByLabelText('Autostop after (TTL)'), { target: { value: 'eight' } });
    expect(await screen.findByText('"eight" is not a duration: use e.g. 8h, 90m, or off')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Autostop after (TTL)'), { target: { value: '90m' } });
    await waitFor(() => expect(api.callsOf('previewSchedule').at(-1)).toEqual(['ws-1', { autostart_schedule: 'CRON_TZ=UTC 30 7 * * 6,0', ttl_ms: 5_400_000, count: 3 }]));
    expect(await screen.findByText('stop 2026-12-07 09:30')).toBeInTheDocument();
  });

  it('saves a valid change with the API body, and off clears both', async () => {
    const api = new FakeBerthApi();
    await open(api);
    fireEvent.change(screen.getByLabelText('Autostart'), { target: { value: 'off' } });
    fireEvent.change(screen.getByLabelText('Autostop after (TTL)'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save schedule' }));
    await waitFor(() => expect(api.callsOf('putSchedule')).toEqual([['ws-1', { autostart_schedule: null, ttl_ms: null }]]));
    expect(await screen.findByText('no autostart or autostop')).toBeInTheDocument();
  });

  it("shows the API's refusal of a save", async () => {
    const api = new FakeBerthApi();
    await open(api);
    api.putSchedule = async () => { throw new Error('template local does not allow user autostart'); };
    fireEvent.change(screen.getByLabelText('Autostop after (TTL)'), { target: { value: '4h' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save schedule' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Not saved: template local does not allow user autostart');
  });

  it('extends the deadline by an hour', async () => {
    const api = new FakeBerthApi();
    const deadline = Date.now() + 2 * 3_600_000;
    api.schedule = { ...api.schedule, deadline: new Date(deadline).toISOString() };
    await open(api);
    fireEvent.click(screen.getByRole('button', { name: 'Extend deadline by 1h' }));
    await waitFor(() => expect(api.callsOf('extendDeadline')).toEqual([['ws-1', new Date(deadline + 3_600_000).toISOString()]]));
  });
});
