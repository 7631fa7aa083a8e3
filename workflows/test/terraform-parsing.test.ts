/**
 * Table-driven tests for the pure parts of src/terraform: tofu `-json` log lines
 * (logparse.ts), v4 state summaries (tfstate.ts) and the environment tofu runs with (env.ts).
 * The JSON lines below are shaped like OpenTofu 1.6's machine-readable UI output.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseTofuLine, summarizeFailure, type Diagnostic, type ParsedLine } from '../src/terraform/logparse';
import { summarizeState } from '../src/terraform/tfstate';
import { SAFE_HOST_VARIABLES, tofuEnvironment, type WorkspaceMetadata } from '../src/terraform/env';

const TS = '2024-03-05T10:00:00.123456Z';
const line = (o: Record<string, unknown>) => JSON.stringify({ '@timestamp': TS, '@module': 'tofu.ui', ...o });

const NULL_RES = { addr: 'null_resource.a', module: '', resource: 'null_resource.a', implied_provider: 'null', resource_type: 'null_resource', resource_name: 'a', resource_key: null };

describe('parseTofuLine', () => {
  const table: Array<{ name: string; raw: string; stream: 'stdout' | 'stderr'; expected: ParsedLine | null }> = [
    {
      name: 'version line -> debug',
      raw: line({ '@level': 'info', '@message': 'OpenTofu 1.6.2', terraform: '1.6.2', type: 'version', ui: '1.2' }),
      stream: 'stdout',
      expected: { level: 'debug', lines: ['OpenTofu 1.6.2'], type: 'version' },
    },
    {
      name: 'planned_change',
      raw: line({ '@level': 'info', '@message': 'null_resource.a: Plan to create', change: { resource: NULL_RES, action: 'create' }, type: 'planned_change' }),
      stream: 'stdout',
      expected: { level: 'info', lines: ['null_resource.a: Plan to create'], type: 'planned_change' },
    },
    {
      name: 'change_summary',
      raw: line({ '@level': 'info', '@message': 'Plan: 1 to add, 0 to change, 0 to destroy.', changes: { add: 1, change: 0, import: 0, remove: 0, operation: 'plan' }, type: 'change_summary' }),
      stream: 'stdout',
      expected: { level: 'info', lines: ['Plan: 1 to add, 0 to change, 0 to destroy.'], type: 'change_summary' },
    },
    {
      name: 'apply_complete',
      raw: line({
        '@level': 'info', '@message': 'null_resource.a: Creation complete after 0s [id=5577006791947779410]',
        hook: { resource: NULL_RES, action: 'create', id_key: 'id', id_value: '5577006791947779410', elapsed_seconds: 0 }, type: 'apply_complete',
      }),
      stream: 'stdout',
      expected: { level: 'info', lines: ['null_resource.a: Creation complete after 0s [id=5577006791947779410]'], type: 'apply_complete' },
    },
    {
      name: 'error diagnostic with a multi-line detail (blank lines dropped, detail indented)',
      raw: line({
        '@level': 'error', '@message': 'Error: Unsupported argument',
        diagnostic: {
          severity: 'error', summary: 'Unsupported argument',
          detail: 'An argument named "foo" is not expected here.\n\nDid you mean "for_each"?',
          address: 'null_resource.a',
          range: { filename: 'main.tf', start: { line: 3, column: 3, byte: 40 }, end: { line: 3, column: 6, byte: 43 } },
          snippet: { context: 'resource "null_resource" "a"', code: '  foo = 1', start_line: 3, highlight_start_offset: 2, highlight_end_offset: 5, values: [] },
        },
        type: 'diagnostic',
      }),
      stream: 'stdout',
      expected: {
        level: 'error',
        lines: ['Error: Unsupported argument', '  An argument named "foo" is not expected here.', '  Did you mean "for_each"?'],
        type: 'diagnostic',
        diagnostic: { severity: 'error', summary: 'Unsupported argument', detail: 'An argument named "foo" is not expected here.\n\nDid you mean "for_each"?', address: 'null_resource.a' },
      },
    },
    {
      name: 'warning diagnostic -> warn',
      raw: line({
        '@level': 'warn', '@message': 'Warning: Deprecated attribute',
        diagnostic: { severity: 'warning', summary: 'Deprecated attribute', detail: 'The attribute "triggers" is deprecated.' },
        type: 'diagnostic',
      }),
      stream: 'stdout',
      expected: {
        level: 'warn', lines: ['Warning: Deprecated attribute', '  The attribute "triggers" is deprecated.'], type: 'diagnostic',
        diagnostic: { severity: 'warning', summary: 'Deprecated attribute', detail: 'The attribute "triggers" is deprecated.', address: undefined },
      },
    },
    {
      name: 'error diagnostic without detail',
      raw: line({ '@level': 'error', '@message': 'Error: No configuration files', diagnostic: { severity: 'error', summary: 'No configuration files', detail: '' }, type: 'diagnostic' }),
      stream: 'stdout',
      expected: {
        level: 'error', lines: ['Error: No configuration files'], type: 'diagnostic',
        diagnostic: { severity: 'error', summary: 'No configuration files', detail: '', address: undefined },
      },
    },
    {
      name: 'warn-level message that is not a diagnostic',
      raw: line({ '@level': 'warn', '@message': 'something odd', type: 'log' }),
      stream: 'stdout',
      expected: { level: 'warn', lines: ['something odd'], type: 'log' },
    },
    {
      name: 'unknown @level falls back to info',
      raw: line({ '@level': 'fatal', '@message': 'weird level' }),
      stream: 'stdout',
      expected: { level: 'info', lines: ['weird level'], type: undefined },
    },
    {
      name: 'multi-line @message is split into display lines',
      raw: line({ '@level': 'info', '@message': 'Outputs: 2\n\nurl = "http://x"', type: 'outputs' }),
      stream: 'stdout',
      expected: { level: 'info', lines: ['Outputs: 2', '', 'url = "http://x"'], type: 'outputs' },
    },
    {
      name: 'JSON with a trailing CR',
      raw: `${line({ '@level': 'info', '@message': 'Apply complete!', type: 'change_summary' })}\r`,
      stream: 'stdout',
      expected: { level: 'info', lines: ['Apply complete!'], type: 'change_summary' },
    },
    {
      name: 'plain stdout (init output) -> info',
      raw: 'Initializing provider plugins...',
      stream: 'stdout',
      expected: { level: 'info', lines: ['Initializing provider plugins...'] },
    },
    {
      name: 'plain stderr -> error',
      raw: 'Error: Failed to query available provider packages',
      stream: 'stderr',
      expected: { level: 'error', lines: ['Error: Failed to query available provider packages'] },
    },
    {
      name: 'text starting with { that is not JSON -> plain text',
      raw: '{ this is not json',
      stream: 'stdout',
      expected: { level: 'info', lines: ['{ this is not json'] },
    },
    {
      name: 'JSON without @message -> plain text, kept verbatim',
      raw: '{"foo":1}',
      stream: 'stderr',
      expected: { level: 'error', lines: ['{"foo":1}'] },
    },
    { name: 'empty line -> null', raw: '', stream: 'stdout', expected: null },
    { name: 'whitespace-only line -> null', raw: '   \t', stream: 'stderr', expected: null },
    { name: 'lone CR -> null', raw: '\r', stream: 'stdout', expected: null },
  ];

  it.each(table)('$name', ({ raw, stream, expected }) => {
    expect(parseTofuLine(raw, stream)).toEqual(expected);
  });
});

describe('summarizeFailure', () => {
  const err = (summary: string, detail = ''): Diagnostic => ({ severity: 'error', summary, detail });
  const warn = (summary: string, detail = ''): Diagnostic => ({ severity: 'warning', summary, detail });

  it.each<{ name: string; diags: Diagnostic[]; stderr: string[]; exit: string; expected: string }>([
    { name: 'one error with detail squeezed to one line', diags: [err('Unsupported argument', 'An argument named "foo"\n\n  is not expected here.')], stderr: ['ignored'], exit: 'exit code 1', expected: 'Unsupported argument: An argument named "foo" is not expected here.' },
    { name: 'error without detail -> summary only', diags: [err('No configuration files')], stderr: [], exit: 'exit code 1', expected: 'No configuration files' },
    { name: 'several errors joined with "; "', diags: [err('A', 'a'), warn('W', 'w'), err('B')], stderr: [], exit: 'exit code 1', expected: 'A: a; B' },
    { name: 'only warnings -> stderr tail', diags: [warn('Deprecated', 'x')], stderr: ['boom'], exit: 'exit code 1', expected: 'boom (exit code 1)' },
    { name: 'stderr tail: last 5 non-blank lines, trimmed', diags: [], stderr: ['l1', ' l2 ', '', 'l3', 'l4', '   ', 'l5', 'l6'], exit: 'signal SIGKILL', expected: 'l2 l3 l4 l5 l6 (signal SIGKILL)' },
    { name: 'nothing at all -> exit status', diags: [], stderr: ['', '  '], exit: 'exit code 2', expected: 'tofu exit code 2' },
  ])('$name', ({ diags, stderr, exit, expected }) => {
    expect(summarizeFailure(diags, stderr, exit)).toBe(expected);
  });
});

describe('summarizeState', () => {
  const provider = 'provider["registry.opentofu.org/hashicorp/null"]';
  const STATE = {
    version: 4,
    terraform_version: '1.6.2',
    serial: 7,
    lineage: '3b1a2c2e-4a5f-4c10-9d43-2f1d6c7a5e11',
    outputs: {
      url: { value: 'http://localhost:8080', type: 'string' },
      password: { value: 's3cret', type: 'string', sensitive: true },
      settings: { value: { cpu: 2, tags: ['a'] }, type: ['object', { cpu: 'number', tags: ['list', 'string'] }] },
      nothing: { value: null, type: 'string' },
    },
    resources: [
      { mode: 'managed', type: 'null_resource', name: 'single', provider, instances: [{ schema_version: 0, attributes: { id: '1' }, sensitive_attributes: [] }] },
      { mode: 'managed', type: 'null_resource', name: 'counted', each: 'list', provider, instances: [{ index_key: 0, schema_version: 0, attributes: { id: '2' } }, { index_key: 1, schema_version: 0, attributes: { id: '3' } }] },
      { mode: 'managed', type: 'local_file', name: 'per_user', each: 'map', provider: 'provider["registry.opentofu.org/hashicorp/local"]', instances: [{ index_key: 'alice', schema_version: 0, attributes: {} }, { index_key: 'bob', schema_version: 0, attributes: {} }] },
      { mode: 'data', type: 'external', name: 'info', provider: 'provider["registry.opentofu.org/hashicorp/external"]', instances: [{ schema_version: 0, attributes: { id: '-' } }] },
      { module: 'module.net', mode: 'managed', type: 'null_resource', name: 'inner', provider, instances: [{ schema_version: 0, attributes: { id: '4' } }] },
      { module: 'module.apps["web"].module.db', mode: 'managed', type: 'null_resource', name: 'x', each: 'list', provider, instances: [{ index_key: 0, schema_version: 0, attributes: { id: '5' } }] },
      { module: 'module.net', mode: 'data', type: 'external', name: 'lookup', provider, instances: [{ schema_version: 0, attributes: {} }] },
    ],
    check_results: null,
  };

  const expectedResources = [
    { address: 'null_resource.single', mode: 'managed', type: 'null_resource', name: 'single', module: '', indexKey: null },
    { address: 'null_resource.counted[0]', mode: 'managed', type: 'null_resource', name: 'counted', module: '', indexKey: '0' },
    { address: 'null_resource.counted[1]', mode: 'managed', type: 'null_resource', name: 'counted', module: '', indexKey: '1' },
    { address: 'local_file.per_user["alice"]', mode: 'managed', type: 'local_file', name: 'per_user', module: '', indexKey: 'alice' },
    { address: 'local_file.per_user["bob"]', mode: 'managed', type: 'local_file', name: 'per_user', module: '', indexKey: 'bob' },
    { address: 'data.external.info', mode: 'data', type: 'external', name: 'info', module: '', indexKey: null },
    { address: 'module.net.null_resource.inner', mode: 'managed', type: 'null_resource', name: 'inner', module: 'module.net', indexKey: null },
    { address: 'module.apps["web"].module.db.null_resource.x[0]', mode: 'managed', type: 'null_resource', name: 'x', module: 'module.apps["web"].module.db', indexKey: '0' },
    { address: 'module.net.data.external.lookup', mode: 'data', type: 'external', name: 'lookup', module: 'module.net', indexKey: null },
  ];

  it.each(expectedResources.map((r) => ({ ...r, name_: r.address })))('resource $name_', (r) => {
    const { resources } = summarizeState(JSON.stringify(STATE), 'start');
    const { name_: _n, ...want } = r;
    expect(resources).toContainEqual({ ...want, transition: 'start' });
  });

  it('lists exactly those resources, in state order', () => {
    const { resources } = summarizeState(Buffer.from(JSON.stringify(STATE)), 'stop');
    expect(resources).toEqual(expectedResources.map((r) => ({ ...r, transition: 'stop' })));
  });

  it('outputs: sensitive -> null, values kept, null stays null', () => {
    expect(summarizeState(JSON.stringify(STATE), 'start').outputs).toEqual({
      url: 'http://localhost:8080', password: null, settings: { cpu: 2, tags: ['a'] }, nothing: null,
    });
  });

  it('the sensitive value never appears in the summary', () => {
    expect(JSON.stringify(summarizeState(JSON.stringify(STATE), 'start'))).not.toContain('s3cret');
  });

  it('serial is read', () => {
    expect(summarizeState(JSON.stringify(STATE), 'start').serial).toBe(7);
  });

  it.each<{ name: string; input: Buffer | string | null }>([
    { name: 'null', input: null },
    { name: 'empty string', input: '' },
    { name: 'empty Buffer', input: Buffer.alloc(0) },
  ])('empty input ($name) -> empty summary', ({ input }) => {
    expect(summarizeState(input, 'delete')).toEqual({ resources: [], outputs: {}, serial: 0 });
  });

  it('state after destroy (no resources, no outputs)', () => {
    expect(summarizeState(JSON.stringify({ version: 4, serial: 9, lineage: 'x', outputs: {}, resources: [] }), 'delete')).toEqual({ resources: [], outputs: {}, serial: 9 });
  });

  it.each<{ name: string; input: string; message: RegExp }>([
    { name: 'version 3', input: JSON.stringify({ version: 3, serial: 1, modules: [] }), message: /^unsupported state format version 3$/ },
    { name: 'no version', input: JSON.stringify({ serial: 1 }), message: /^unsupported state format version undefined$/ },
    { name: 'version as a string', input: JSON.stringify({ version: '4' }), message: /^unsupported state format version 4$/ },
    { name: 'not JSON', input: 'not json', message: /JSON/ },
  ])('throws: $name', ({ input, message }) => {
    expect(() => summarizeState(input, 'start')).toThrow(message);
  });
});

describe('tofuEnvironment', () => {
  const META: WorkspaceMetadata = {
    workspaceId: '6f1c0c1e-1111-4222-8333-944445555666', workspaceName: 'dev', owner: 'user:default/ana',
    transition: 'start', buildNumber: 3, templateName: 'local',
  };
  let tmp: string;
  let existingRc: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-env-'));
    existingRc = path.join(tmp, 'host.tofurc');
    fs.writeFileSync(existingRc, '# host cli config\n');
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const HOST: NodeJS.ProcessEnv = {
    PATH: '/usr/local/bin:/usr/bin', HOME: '/home/ana', USER: 'ana', LANG: 'C.UTF-8', TZ: 'Europe/Paris', TMPDIR: '/tmp',
    HTTPS_PROXY: 'http://proxy:3128', no_proxy: 'localhost', TF_PLUGIN_CACHE_DIR: '/cache/plugins',
    LC_ALL: 'C.UTF-8', LC_CTYPE: 'en_US.UTF-8',
    // secrets and things that must not reach a template's local-exec
    DATABASE_URL: 'postgres://berth:hunter2@db/berth',
    AWS_SECRET_ACCESS_KEY: 'aws-secret', AWS_ACCESS_KEY_ID: 'AKIA...', AWS_SESSION_TOKEN: 'aws-session',
    BERTH_API_TOKEN: 'berth-token', BERTH_TOKEN: 'berth-token-2', BACKSTAGE_BACKEND_SECRET: 'backstage-secret',
    TEMPORAL_API_KEY: 'temporal-key', TEMPORAL_TLS_KEY: '-----BEGIN PRIVATE KEY-----',
    GITHUB_TOKEN: 'ghp_x', PGPASSWORD: 'pg-secret', BERTH_TEST_PG_URL: 'postgres://x', NODE_OPTIONS: '--inspect',
    TF_VAR_berth_workspace_id: 'spoofed', TF_VAR_admin_password: 'host-tf-var', TF_LOG: 'TRACE', TF_CLI_ARGS: '-auto-approve',
    BERTH_WORKSPACE_ID: 'spoofed-too', LCX_NOT_LOCALE: 'x',
  };

  const SECRET_VALUES = ['hunter2', 'aws-secret', 'aws-session', 'berth-token', 'backstage-secret', 'temporal-key', 'PRIVATE KEY', 'ghp_x', 'pg-secret', 'host-tf-var', 'spoofed'];

  it.each([
    'PATH', 'HOME', 'USER', 'LANG', 'TZ', 'TMPDIR', 'HTTPS_PROXY', 'no_proxy', 'TF_PLUGIN_CACHE_DIR', 'LC_ALL', 'LC_CTYPE',
  ])('passes safe host variable %s unchanged', (k) => {
    expect(tofuEnvironment(HOST, META, '/pkg/tofu.rc')[k]).toBe(HOST[k]);
  });

  it.each([
    'DATABASE_URL', 'AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SESSION_TOKEN', 'BERTH_API_TOKEN', 'BERTH_TOKEN',
    'BACKSTAGE_BACKEND_SECRET', 'TEMPORAL_API_KEY', 'TEMPORAL_TLS_KEY', 'GITHUB_TOKEN', 'PGPASSWORD', 'BERTH_TEST_PG_URL',
    'NODE_OPTIONS', 'TF_VAR_admin_password', 'TF_LOG', 'TF_CLI_ARGS', 'LCX_NOT_LOCALE',
  ])('drops host variable %s', (k) => {
    expect(tofuEnvironment(HOST, META, '/pkg/tofu.rc')).not.toHaveProperty(k);
  });

  it('no secret value appears anywhere in the environment', () => {
    const all = JSON.stringify(tofuEnvironment(HOST, META, '/pkg/tofu.rc'));
    for (const s of SECRET_VALUES) expect(all).not.toContain(s);
  });

  it('sets the workspace metadata (host values cannot spoof it) and the automation settings', () => {
    const env = tofuEnvironment(HOST, META, '/pkg/tofu.rc');
    expect(env).toMatchObject({
      BERTH_WORKSPACE_ID: META.workspaceId, BERTH_WORKSPACE_NAME: 'dev', BERTH_WORKSPACE_OWNER: 'user:default/ana',
      BERTH_WORKSPACE_TRANSITION: 'start', BERTH_BUILD_NUMBER: '3', BERTH_TEMPLATE_NAME: 'local',
      TF_VAR_berth_workspace_id: META.workspaceId, TF_VAR_berth_workspace_name: 'dev', TF_VAR_berth_workspace_owner: 'user:default/ana',
      TF_VAR_berth_workspace_transition: 'start', TF_VAR_berth_build_number: '3', TF_VAR_berth_template_name: 'local',
      CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0',
    });
  });

  it('contains exactly the safe subset, LC_*, tofu settings and metadata', () => {
    const env = tofuEnvironment(HOST, META, '/pkg/tofu.rc');
    const expectedKeys = [
      ...SAFE_HOST_VARIABLES.filter((k) => HOST[k] !== undefined), 'LC_ALL', 'LC_CTYPE',
      'TF_CLI_CONFIG_FILE', 'CHECKPOINT_DISABLE', 'TF_IN_AUTOMATION', 'TF_INPUT',
      ...['WORKSPACE_ID', 'WORKSPACE_NAME', 'WORKSPACE_OWNER', 'WORKSPACE_TRANSITION', 'BUILD_NUMBER', 'TEMPLATE_NAME'].map((k) => `BERTH_${k}`),
      ...['workspace_id', 'workspace_name', 'workspace_owner', 'workspace_transition', 'build_number', 'template_name'].map((k) => `TF_VAR_berth_${k}`),
    ];
    expect(Object.keys(env).sort()).toEqual([...new Set(expectedKeys)].sort());
  });

  it.each<{ name: string; hostValue: () => string | undefined; expected: () => string }>([
    { name: 'host TF_CLI_CONFIG_FILE unset -> packaged file', hostValue: () => undefined, expected: () => '/pkg/tofu.rc' },
    { name: 'host TF_CLI_CONFIG_FILE names a missing file -> replaced', hostValue: () => path.join(tmp, 'does-not-exist.tfrc'), expected: () => '/pkg/tofu.rc' },
    { name: 'host TF_CLI_CONFIG_FILE empty -> replaced', hostValue: () => '', expected: () => '/pkg/tofu.rc' },
    { name: 'host TF_CLI_CONFIG_FILE names an existing file -> kept', hostValue: () => existingRc, expected: () => existingRc },
  ])('$name', ({ hostValue, expected }) => {
    const host = { PATH: '/usr/bin', TF_CLI_CONFIG_FILE: hostValue() };
    expect(tofuEnvironment(host, META, '/pkg/tofu.rc').TF_CLI_CONFIG_FILE).toBe(expected());
  });

  it('does not modify the host environment object', () => {
    const host = { ...HOST };
    tofuEnvironment(host, META, '/pkg/tofu.rc');
    expect(host).toEqual(HOST);
  });
});
