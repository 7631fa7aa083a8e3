/** The create dialog: a typed form from the version's parameters, presets, preview, and the API's validation shown at the field. */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { BerthApiError } from '@berth/backstage-plugin-common';
import { CreateWorkspaceDialog } from '../src/components/CreateWorkspaceDialog';
import { FakeBerthApi } from './support/fakeApi';
import { renderBerth } from './support/render';

async function open(api: FakeBerthApi, props: Partial<React.ComponentProps<typeof CreateWorkspaceDialog>> = {}) {
  const onCreated = jest.fn();
  const r = await renderBerth(
    <CreateWorkspaceDialog open onClose={() => undefined} onCreated={onCreated} template="local" entityRef="component:default/shop" {...props} />, api);
  await screen.findByLabelText('Region *');
  return { ...r, onCreated };
}

const nameField = () => screen.getByLabelText('Workspace name *');
const submit = () => fireEvent.click(screen.getByRole('button', { name: 'Create workspace' }));

/** Picks "None" in the preset select: every parameter becomes editable. */
async function chooseNoPreset() {
  fireEvent.mouseDown(screen.getByLabelText('Preset'));
  fireEvent.click(within(await screen.findByRole('listbox')).getByText('None'));
  await waitFor(() => expect(screen.getByLabelText('CPUs')).toBeEnabled());
}

describe('CreateWorkspaceDialog', () => {
  it('builds typed fields from the parameters: options as a select, number, bool as a switch, and shows the resource preview', async () => {
    const api = new FakeBerthApi();
    await open(api, { preset: null });
    expect(screen.getByLabelText('Region *')).toHaveAttribute('aria-haspopup', 'listbox');
    expect(screen.getByLabelText('CPUs')).toHaveAttribute('inputmode', 'decimal');
    expect(screen.getByLabelText('CPUs')).toHaveValue('2');
    expect(screen.getByRole('checkbox', { name: 'GPU' })).not.toBeChecked();
    expect(await screen.findByText('terraform_data.home')).toBeInTheDocument();
    // the default preset is chosen and fills (and locks) the parameters it sets
    expect(screen.getByLabelText('Preset')).toHaveTextContent('small (default)');
    expect(screen.getByLabelText('CPUs')).toBeDisabled();
    expect(screen.getAllByText('set by preset small')).toHaveLength(2);
    expect(screen.getByLabelText('Region *')).toHaveAttribute('aria-disabled', 'true');
  });

  it('checks the name while typing', async () => {
    const api = new FakeBerthApi();
    await open(api);
    fireEvent.change(nameField(), { target: { value: 'My_WS' } });
    // no blur: checked as typed
    expect(await screen.findByText('lowercase letters, digits and single hyphens, not at the start or end')).toBeInTheDocument();
    fireEvent.change(nameField(), { target: { value: 'my-ws' } });
    await waitFor(() => expect(screen.queryByText('lowercase letters, digits and single hyphens, not at the start or end')).not.toBeInTheDocument());
  });

  it('creates with the preset, the entity and only the parameters the preset does not set', async () => {
    const api = new FakeBerthApi();
    const { onCreated } = await open(api);
    fireEvent.change(nameField(), { target: { value: 'dev' } });
    fireEvent.click(screen.getByRole('checkbox', { name: 'GPU' }));
    submit();
    await waitFor(() => expect(onCreated).toHaveBeenCalled());
    expect(api.callsOf('createWorkspace')).toEqual([[{ name: 'dev', template: 'local', preset: 'small', entity_ref: 'component:default/shop', parameters: { gpu: 'true' } }]]);
  });

  it('without a preset every parameter is editable; a client check blocks a bad value before any request', async () => {
    const api = new FakeBerthApi();
    await open(api);
    await chooseNoPreset();
    fireEvent.change(nameField(), { target: { value: 'dev' } });
    fireEvent.change(screen.getByLabelText('CPUs'), { target: { value: '64' } });
    expect(await screen.findByText('at most 8')).toBeInTheDocument();
    submit();
    expect(screen.getByText('Region is required')).toBeInTheDocument();
    expect(api.callsOf('createWorkspace')).toHaveLength(0);
  });

  it.each(['abc', '-', '1e', '2.5.1'])('a number field shows what was typed (%j) and refuses it', async (typed) => {
    const api = new FakeBerthApi();
    await open(api);
    await chooseNoPreset();
    fireEvent.change(nameField(), { target: { value: 'dev' } });
    fireEvent.change(screen.getByLabelText('CPUs'), { target: { value: typed } });
    expect(screen.getByLabelText('CPUs')).toHaveValue(typed);
    expect(await screen.findByText('must be a number')).toBeInTheDocument();
    submit();
    expect(api.callsOf('createWorkspace')).toHaveLength(0);
  });

  it("shows the API's parameter validation message next to that field, and keeps the dialog open", async () => {
    const api = new FakeBerthApi();
    const { onCreated } = await open(api);
    api.fail.createWorkspace = new BerthApiError(400, 'InputError', 'parameter "dotfiles": use an https URL', { parameter: 'dotfiles', rule: 'regex' });
    fireEvent.change(nameField(), { target: { value: 'dev' } });
    submit();
    const field = await screen.findByText('parameter "dotfiles": use an https URL');
    expect(field.closest('.MuiFormControl-root')).toContainElement(screen.getByLabelText('Dotfiles repo'));
    expect(screen.getByLabelText('Dotfiles repo')).toHaveAttribute('aria-invalid', 'true');
    expect(onCreated).not.toHaveBeenCalled();
  });

  it('shows a name conflict under the name and any other refusal at the top', async () => {
    const api = new FakeBerthApi();
    await open(api);
    api.fail.createWorkspace = new BerthApiError(409, 'ConflictError', 'workspace "dev" already exists for user:default/ana', { field: 'name' });
    fireEvent.change(nameField(), { target: { value: 'dev' } });
    submit();
    expect(await screen.findByText('workspace "dev" already exists for user:default/ana')).toBeInTheDocument();
    expect(nameField()).toHaveAttribute('aria-invalid', 'true');

    api.fail.createWorkspace = new BerthApiError(403, 'NotAllowedError', 'you may not create workspaces');
    fireEvent.change(nameField(), { target: { value: 'dev2' } });
    submit();
    expect(await screen.findByRole('alert')).toHaveTextContent('you may not create workspaces');
  });

  it('explains an unknown template', async () => {
    const api = new FakeBerthApi();
    await renderBerth(<CreateWorkspaceDialog open onClose={() => undefined} onCreated={() => undefined} template="nope" />, api);
    expect(await screen.findByRole('alert')).toHaveTextContent('template "nope" was not found');
    expect(screen.getByRole('button', { name: 'Create workspace' })).toBeDisabled();
  });

  it('picks the template when none is given and only one can be built', async () => {
    const api = new FakeBerthApi();
    await renderBerth(<CreateWorkspaceDialog open onClose={() => undefined} onCreated={() => undefined} />, api);
    // the only template is chosen already
    expect(await screen.findByLabelText('Region *')).toBeInTheDocument();
    expect(screen.getByLabelText('Template')).toHaveTextContent('Local workspace');
  });
});
