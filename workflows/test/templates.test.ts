/**
 * Templates issue, end to end against real Postgres, Temporal and tofu:
 * push → import (init + validate) → dry run (planned resources) → promote / archive; parameters
 * and presets discovered; builds resolve parameters by Coder's rules (immutable, options,
 * carried values re-validated on update); sensitive values stay out of logs, API answers and
 * Temporal payloads; templates whose providers cannot be downloaded still import; bad input
 * creates no version and no build.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LOCAL_TEMPLATE, REPO, startTestStack, tempDir, type TestStack } from './support/stack';
import { ConflictError, InputError, NotFoundError } from '../src/errors';

let stack: TestStack;
beforeAll(async () => { stack = await startTestStack(); });
afterAll(async () => { await stack?.teardown(); });

const ADMIN = 'user:default/platform';
const DEV = 'user:default/dev';

/** Writes a template directory from a map of files. */
function templateDir(files: Record<string, string>): string {
  const dir = tempDir('tpl');
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), body);
  return dir;
}

const META = `
variable "berth_workspace_id" {
  type    = string
  default = "dev"
}
variable "berth_workspace_transition" {
  type    = string
  default = "start"
}
`;

/** A small template with typed parameters; `options` and `min` vary between versions. */
function sizedTemplate(opts: { sizes: string[]; minDisk: number; secretSensitive?: boolean; outFile: string }): string {
  return templateDir({
    'main.tf': `${META}
variable "size" {
  type        = string
  description = "Machine size"
}
variable "disk_gb" {
  type    = number
  default = ${Math.max(20, opts.minDisk)}
}
variable "region" {
  type    = string
  default = "eu"
}
variable "token" {
  type      = string
  default   = ""
  sensitive = ${opts.secretSensitive ?? true}
}
resource "terraform_data" "box" {
  count = var.berth_workspace_transition == "start" ? 1 : 0
  input = "\${var.size}-\${var.disk_gb}-\${var.region}"
  provisioner "local-exec" {
    command = "echo size=\${var.size} disk=\${var.disk_gb} region=\${var.region} > ${opts.outFile}"
  }
}
resource "terraform_data" "secret_user" {
  input = sha256(var.token)
  provisioner "local-exec" {
    command = "echo token-length=$TOKEN_LEN"
    environment = { TOKEN_LEN = length(var.token) }
  }
}
output "summary" { value = "\${var.size}/\${var.disk_gb}/\${var.region}" }
`,
    'berth.yaml': `
parameters:
  size:
    display_name: Size
    mutable: true
    options:
${opts.sizes.map((s) => `      - value: ${s}`).join('\n')}
  disk_gb:
    display_name: Disk (GB)
    mutable: true
    validation: { min: ${opts.minDisk}, max: 500, monotonic: increasing }
  region:
    mutable: false
  token:
    mutable: true
presets:
  - name: small
    default: true
    parameters: { size: ${opts.sizes[0]}, disk_gb: ${Math.max(opts.minDisk, 20)} }
`,
  });
}

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['templates', 'template_versions', 'template_version_parameters', 'template_version_presets', 'workspaces', 'workspace_builds', 'provisioner_jobs']) {
    out[t] = Number((await stack.db(t).count<{ c: string }[]>('* as c'))[0].c);
  }
  return out;
}

describe('push, import, dry run, promote, archive', () => {
  test('templates/local imports, lists its parameters and presets, and previews the resources of a start', async () => {
    const { template, version, import: result } = await stack.client.pushTemplate({ name: 'local', dir: LOCAL_TEMPLATE, createdBy: ADMIN });
    expect(result).toMatchObject({ importStatus: 'succeeded', dryRunStatus: 'succeeded', activated: true, providersUnavailable: [] });
    expect(version.importStatus).toBe('succeeded');
    expect(version.dryRunStatus).toBe('succeeded');
    expect(template.activeVersionId).toBe(version.id);
    expect(version.plannedResources.map((r) => r.address)).toEqual(expect.arrayContaining(['terraform_data.home', 'terraform_data.workspace[0]']));
    expect(version.plannedResources.find((r) => r.address === 'terraform_data.home')?.actions).toEqual(['create']);
    const params = await stack.client.getTemplateVersionParameters(version.id);
    expect(params.map((p) => p.name)).toEqual(expect.arrayContaining(['workspaces_root', 'start_delay_seconds']));
    expect(params.find((p) => p.name.startsWith('berth_'))).toBeUndefined();
    const presets = await stack.client.getTemplateVersionPresets(version.id);
    expect(presets.length).toBeGreaterThan(0);
    const logs = await stack.client.getJobLogs(version.importJobId!);
    const stages = [...new Set(logs.map((l) => l.stage))];
    expect(stages).toEqual(['setup', 'init', 'validate', 'cleanup']);
    expect(logs.some((l) => /The configuration is valid/.test(l.output))).toBe(true);
    const dryLogs = await stack.client.getJobLogs(version.dryRunJobId!);
    expect(dryLogs.some((l) => /A start would create \d+ resource/.test(l.output))).toBe(true);
    const jobs = await stack.db('provisioner_jobs').whereIn('id', [version.importJobId, version.dryRunJobId]).select('type', 'job_status');
    expect(jobs.map((j) => `${j.type}:${j.job_status}`).sort()).toEqual(['template_version_dry_run:succeeded', 'template_version_import:succeeded']);
  });

  test('a version pushed without activation is promoted later; the active version cannot be archived', async () => {
    const out = tempDir('out');
    const v1 = await stack.client.pushTemplate({ name: 'sized', dir: sizedTemplate({ sizes: ['s', 'm', 'l'], minDisk: 10, outFile: path.join(out, 'f') }), createdBy: ADMIN });
    expect(v1.version.name).toBe('v1');
    const v2 = await stack.client.pushTemplate({ name: 'sized', dir: sizedTemplate({ sizes: ['s', 'm'], minDisk: 10, outFile: path.join(out, 'f') }), createdBy: ADMIN, activate: false, versionName: 'two' });
    expect(v2.import?.importStatus).toBe('succeeded');
    expect(v2.template.activeVersionId).toBe(v1.version.id);
    await expect(stack.client.archiveTemplateVersion(v1.version.id)).rejects.toThrow(/is the active version and cannot be archived/);
    const promoted = await stack.client.promoteTemplateVersion('sized', v2.version.id);
    expect(promoted.activeVersionId).toBe(v2.version.id);
    const archived = await stack.client.archiveTemplateVersion(v1.version.id);
    expect(archived.archived).toBe(true);
    await expect(stack.client.promoteTemplateVersion('sized', v1.version.id)).rejects.toThrow(/archived/);
    expect((await stack.client.listTemplateVersions('sized')).map((v) => v.name)).toEqual(['two', 'v1']);
    // back to v1 for the next tests
    await stack.client.archiveTemplateVersion(v1.version.id, false);
    await stack.client.promoteTemplateVersion('sized', v1.version.id);
  });

  test('a version whose validation fails cannot be promoted or built', async () => {
    const dir = templateDir({ 'main.tf': `${META}\nresource "terraform_data" "x" {\n  input = var.does_not_exist\n}\n` });
    const r = await stack.client.pushTemplate({ name: 'broken', dir, createdBy: ADMIN });
    expect(r.import?.importStatus).toBe('failed');
    expect(r.version.importError).toMatch(/main\.tf:\d+: Reference to undeclared input variable/);
    expect(r.template.activeVersionId).toBeNull();
    await expect(stack.client.promoteTemplateVersion('broken', r.version.id)).rejects.toThrow(/cannot be promoted: its import failed/);
    await expect(stack.client.createWorkspace({ owner: DEV, name: 'nope', template: 'broken', templateVersionId: r.version.id }))
      .rejects.toThrow(/cannot be built: its import failed/);
  });

  test('templates that need providers this machine cannot download still import', async () => {
    for (const name of ['docker', 'kubernetes', 'aws-linux']) {
      const r = await stack.client.pushTemplate({ name, dir: path.join(REPO, 'templates', name), createdBy: ADMIN });
      expect(r.import?.importStatus).toBe('succeeded');
      expect(r.import?.providersUnavailable.length).toBeGreaterThan(0);
      expect(r.import?.dryRunStatus).toBe('failed');
      expect(r.version.dryRunError).toMatch(/^providers? .*(docker|kubernetes|aws).* not available offline$/);
      const params = await stack.client.getTemplateVersionParameters(r.version.id);
      expect(params.length).toBeGreaterThanOrEqual(3);
      expect((await stack.client.getTemplateVersionPresets(r.version.id)).length).toBeGreaterThanOrEqual(1);
      const logs = await stack.client.getJobLogs(r.version.importJobId!);
      expect(logs.some((l) => l.level === 'warn' && /not available offline: validation skipped/.test(l.output))).toBe(true);
    }
  });
});

describe('parameters on builds', () => {
  test('precedence, immutability, options, min and monotonic are enforced on builds; nothing is written when refused', async () => {
    const out = path.join(tempDir('out'), 'box.txt');
    await stack.client.pushTemplate({ name: 'rules', dir: sizedTemplate({ sizes: ['s', 'm', 'l'], minDisk: 10, outFile: out }), createdBy: ADMIN });
    // required parameter missing
    const before = await counts();
    await expect(stack.client.createWorkspace({ owner: DEV, name: 'r1', template: 'rules' })).rejects.toThrow(/parameter "size" is required/);
    await expect(stack.client.createWorkspace({ owner: DEV, name: 'r1', template: 'rules', parameters: { size: 'xl' } })).rejects.toMatchObject({ name: 'InputError', details: { parameter: 'size', rule: 'options' } });
    await expect(stack.client.createWorkspace({ owner: DEV, name: 'r1', template: 'rules', parameters: { size: 's', disk_gb: '5' } })).rejects.toMatchObject({ details: { parameter: 'disk_gb', rule: 'min' } });
    await expect(stack.client.createWorkspace({ owner: DEV, name: 'r1', template: 'rules', parameters: { size: 's', disk_gb: 'lots' } })).rejects.toMatchObject({ details: { parameter: 'disk_gb', rule: 'type' } });
    await expect(stack.client.createWorkspace({ owner: DEV, name: 'r1', template: 'rules', parameters: { size: 's', nope: 'x' } })).rejects.toMatchObject({ details: { rule: 'unknown' } });
    await expect(stack.client.createWorkspace({ owner: DEV, name: 'r1', template: 'rules', preset: 'huge' })).rejects.toBeInstanceOf(NotFoundError);
    expect(await counts()).toEqual(before);

    // a preset fills size and disk; region takes its default
    const { workspace } = await stack.client.createWorkspace({ owner: DEV, name: 'r1', template: 'rules', preset: 'small' });
    const b1 = await stack.client.waitForBuild(workspace.id, 1);
    expect(b1.error).toBeNull();
    expect(b1.outputs.summary).toBe('s/20/eu');
    expect(fs.readFileSync(out, 'utf8').trim()).toBe('size=s disk=20 region=eu');
    expect(await stack.client.getBuildParameters(workspace.id, 1)).toEqual({ disk_gb: '20', region: 'eu', size: 's', token: '********' });

    const ws = workspace.id;
    const mid = await counts();
    // immutable region; monotonic disk; options
    await expect(stack.client.requestBuild(ws, { kind: 'start', initiator: DEV, parameters: { region: 'us' } })).rejects.toMatchObject({ details: { parameter: 'region', rule: 'immutable' } });
    await expect(stack.client.requestBuild(ws, { kind: 'start', initiator: DEV, parameters: { disk_gb: '15' } })).rejects.toMatchObject({ details: { parameter: 'disk_gb', rule: 'monotonic' } });
    await expect(stack.client.requestBuild(ws, { kind: 'start', initiator: DEV, parameters: { size: 'xxl' } })).rejects.toBeInstanceOf(InputError);
    expect(await counts()).toEqual(mid);

    // carried values: size and region stay, disk grows
    await stack.client.requestBuild(ws, { kind: 'start', initiator: DEV, parameters: { disk_gb: '40' } });
    const b2 = await stack.client.waitForBuild(ws, 2);
    expect(b2.outputs.summary).toBe('s/40/eu');
    // a stop keeps the values
    await stack.client.requestBuild(ws, { kind: 'stop', initiator: DEV });
    await stack.client.waitForBuild(ws, 3);
    expect((await stack.client.getBuildParameters(ws, 3)).disk_gb).toBe('40');
  });

  test('updating to a version that invalidates a carried value is refused naming the parameter and rule, then succeeds with a new value', async () => {
    const out = path.join(tempDir('out'), 'box.txt');
    await stack.client.pushTemplate({ name: 'moving', dir: sizedTemplate({ sizes: ['s', 'm', 'l'], minDisk: 10, outFile: out }), createdBy: ADMIN });
    const { workspace } = await stack.client.createWorkspace({ owner: DEV, name: 'mover', template: 'moving', parameters: { size: 'l', disk_gb: '30' } });
    expect((await stack.client.waitForBuild(workspace.id, 1)).outputs.summary).toBe('l/30/eu');
    // v2 drops size "l" and raises the disk minimum above the carried 30
    await stack.client.pushTemplate({ name: 'moving', dir: sizedTemplate({ sizes: ['s', 'm'], minDisk: 50, outFile: out }), createdBy: ADMIN });
    const before = await counts();
    const err = await stack.client.updateWorkspace(workspace.id, DEV).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(InputError);
    // parameters are checked in display order (order, then name): disk_gb before size
    expect(err.details).toEqual({ parameter: 'disk_gb', rule: 'min' });
    expect(err.message).toMatch(/parameter "disk_gb" must be at least 50/);
    expect(await counts()).toEqual(before);
    const err2 = await stack.client.updateWorkspace(workspace.id, DEV, { disk_gb: '60' }).then(() => null, (e) => e);
    expect(err2.details).toEqual({ parameter: 'size', rule: 'options' });
    expect(err2.message).toMatch(/parameter "size" must be one of: s, m/);
    expect(await counts()).toEqual(before);
    const ref = await stack.client.updateWorkspace(workspace.id, DEV, { size: 'm', disk_gb: '60' });
    const b2 = await stack.client.waitForBuild(workspace.id, ref.buildNumber);
    expect(b2.error).toBeNull();
    expect(b2.outputs.summary).toBe('m/60/eu');
    expect(b2.templateVersionId).not.toBe((await stack.client.getBuild(workspace.id, 1)).templateVersionId);
  });

  test('sensitive values never reach logs, API answers or Temporal payloads', async () => {
    const secret = 'hunter2-very-secret-value';
    const out = path.join(tempDir('out'), 'box.txt');
    await stack.client.pushTemplate({ name: 'secretive', dir: sizedTemplate({ sizes: ['s'], minDisk: 10, outFile: out }), createdBy: ADMIN });
    const { workspace } = await stack.client.createWorkspace({ owner: DEV, name: 'sec', template: 'secretive', parameters: { size: 's', token: secret } });
    const b1 = await stack.client.waitForBuild(workspace.id, 1);
    expect(b1.error).toBeNull();
    await stack.client.requestBuild(workspace.id, { kind: 'start', initiator: DEV, parameters: { token: `${secret}-2` } });
    await stack.client.waitForBuild(workspace.id, 2);
    // stored for the build (tofu needs it) …
    const stored = await stack.db('build_parameters as p').join('workspace_builds as b', 'b.id', 'p.build_id').where({ 'b.workspace_id': workspace.id, 'p.name': 'token' }).pluck('p.value');
    expect(stored.sort()).toEqual([secret, `${secret}-2`].sort());
    // … but masked everywhere else
    expect((await stack.client.getBuildParameters(workspace.id, 1)).token).toBe('********');
    for (const n of [1, 2]) {
      const logs = await stack.client.getBuildLogs(workspace.id, n);
      expect(logs.length).toBeGreaterThan(5);
      expect(JSON.stringify(logs)).not.toContain('hunter2');
    }
    for (const id of [`workspace:${workspace.id}`, `workspace:${workspace.id}:build:1`, `workspace:${workspace.id}:build:2`]) {
      const history = await stack.env.client.workflow.getHandle(id).fetchHistory();
      const text = Buffer.from(JSON.stringify(history)).toString() + JSON.stringify(history, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v));
      expect(text).not.toContain('hunter2');
    }
    expect(await stack.db('parameter_value_stash').count<{ c: string }[]>('* as c')).toEqual([{ c: '0' }]);
  });
});

test('schedule calls refuse values that are not real numbers or strings', async () => {
  const { workspace } = await stack.client.createWorkspace({ owner: DEV, name: 'shapes', template: 'local', ttlMs: 3_600_000, parameters: { workspaces_root: tempDir('homes') } });
  await stack.client.waitForBuild(workspace.id, 1);
  await expect(stack.client.setSchedule(workspace.id, { ttlMs: NaN }, DEV)).rejects.toThrow(/ttl_ms must be a number/);
  await expect(stack.client.setSchedule(workspace.id, { ttlMs: Infinity }, DEV)).rejects.toThrow(/ttl_ms must be a number/);
  await expect(stack.client.setSchedule(workspace.id, { autostartSchedule: 5 as any }, DEV)).rejects.toThrow(/autostart_schedule must be a string/);
  await expect(stack.client.extendDeadline(workspace.id, 1e20, DEV)).rejects.toThrow(/deadline must be a whole number/);
  await expect(stack.client.extendDeadline(workspace.id, Date.now() + 7_200_000.5, DEV)).rejects.toThrow(/deadline must be a whole number/);
  await expect(stack.client.previewSchedule(workspace.id, { autostartSchedule: {} as any })).rejects.toThrow(/autostart_schedule must be a string/);
  await expect(stack.client.setUserQuietHours(DEV, 5 as any)).rejects.toThrow(/quiet hours must be a daily cron string/);
  expect((await stack.client.getWorkspace(workspace.id)).ttlMs).toBe(3_600_000);
  await stack.client.requestBuild(workspace.id, { kind: 'delete', initiator: DEV });
  await stack.client.waitForBuild(workspace.id, 2);
  await expect(stack.client.reportActivity(workspace.id)).rejects.toBeInstanceOf(ConflictError);
});

describe('bad input creates no version and no build', () => {
  const cases: Array<{ name: string; files: Record<string, string>; message: RegExp }> = [
    { name: 'malformed HCL', files: { 'main.tf': 'variable "x" {\n  type = string\n' }, message: /main\.tf: invalid HCL/ },
    { name: 'berth.yaml with an unknown key', files: { 'main.tf': 'variable "x" {\n  type = string\n  default = "a"\n}\n', 'berth.yaml': 'parameters:\n  x:\n    colour: red\n' }, message: /berth\.yaml.*unknown key.*colour/ },
    { name: 'a variable declared twice', files: { 'a.tf': 'variable "x" {\n  default = "a"\n}\n', 'b.tf': 'variable "x" {\n  default = "b"\n}\n' }, message: /"x".*declared (twice|more than once|in both)/ },
    { name: 'berth.yaml naming a missing variable', files: { 'main.tf': 'variable "x" {\n  default = "a"\n}\n', 'berth.yaml': 'parameters:\n  y:\n    mutable: true\n' }, message: /berth\.yaml.*parameters\.y/ },
    { name: 'a default outside the options', files: { 'main.tf': 'variable "x" {\n  default = "z"\n}\n', 'berth.yaml': 'parameters:\n  x:\n    options:\n      - value: a\n' }, message: /berth\.yaml.*x/ },
    { name: 'no .tf files', files: { 'README.md': '# nothing' }, message: /no \.tf files/ },
    { name: 'a regex that backtracks catastrophically', files: { 'main.tf': 'variable "x" {\n  default = "a"\n}\n', 'berth.yaml': 'parameters:\n  x:\n    mutable: true\n    validation: { regex: "(a+)+" }\n' }, message: /berth\.yaml.*can backtrack catastrophically/ },
    { name: 'a YAML alias bomb', files: { 'main.tf': 'variable "x" {\n  default = "a"\n}\n', 'berth.yaml': `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [${Array(10).fill('*a').join(', ')}]\nc: &c [${Array(10).fill('*b').join(', ')}]\nd: [${Array(10).fill('*c').join(', ')}]\n` }, message: /berth\.yaml: cannot be read/ },
  ];
  test.each(cases)('$name', async ({ files, message }) => {
    const before = await counts();
    const err = await stack.client.pushTemplate({ name: 'bad', dir: templateDir(files), createdBy: ADMIN }).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(message);
    expect(await counts()).toEqual(before);
  });
  test('archives with .., symlinks or over the size limit', async () => {
    const before = await counts();
    const withLink = templateDir({ 'main.tf': 'variable "x" {\n  default = "a"\n}\n' });
    fs.symlinkSync('/etc/hostname', path.join(withLink, 'link.tf'));
    await expect(stack.client.pushTemplate({ name: 'bad', dir: withLink, createdBy: ADMIN })).rejects.toThrow(/symlink: link\.tf/);
    const big = templateDir({ 'main.tf': 'variable "x" {\n  default = "a"\n}\n', 'blob.bin': 'x'.repeat(10) });
    fs.writeFileSync(path.join(big, 'blob.bin'), Buffer.from(Array.from({ length: 200_000 }, () => Math.floor(Math.random() * 256))));
    const small = new (stack.client.constructor as any)({ db: stack.db, temporal: stack.env.client, archiveLimits: { maxBytes: 50_000 } });
    await expect(small.pushTemplate({ name: 'bad', dir: big, createdBy: ADMIN })).rejects.toThrow(/larger than the limit/);
    expect(await counts()).toEqual(before);
  });
  test('workspace names: lowercase letters, digits and hyphens', async () => {
    await expect(stack.client.createWorkspace({ owner: DEV, name: 'MyBox', template: 'local' })).rejects.toThrow(/lowercase/);
    await expect(stack.client.createWorkspace({ owner: DEV, name: 'ok-name', template: 'local', autostartSchedule: 'CRON_TZ=Mars/Olympus 0 9 * * 1-5' })).rejects.toThrow(/unknown time zone/);
    await expect(stack.client.createWorkspace({ owner: DEV, name: 'ok-name', template: 'local', autostartSchedule: '0 9 1 * *' })).rejects.toThrow(/day-of-month and month/);
  });
  test('a deprecated template takes no new workspaces; the version name must be unique', async () => {
    await stack.client.updateTemplate('local', { deprecationMessage: 'use local2' });
    await expect(stack.client.createWorkspace({ owner: DEV, name: 'late', template: 'local' })).rejects.toThrow(/deprecated: use local2/);
    await stack.client.updateTemplate('local', { deprecationMessage: '' });
    await expect(stack.client.updateTemplate('local', { schedule: { failureTtlMs: 5 } })).rejects.toThrow(/at least 60000/);
    const v = (await stack.client.listTemplateVersions('local'))[0];
    await expect(stack.client.pushTemplate({ name: 'local', dir: LOCAL_TEMPLATE, createdBy: ADMIN, versionName: v.name })).rejects.toBeInstanceOf(ConflictError);
    // automatic names skip names taken explicitly
    const count = (await stack.client.listTemplateVersions('local')).length;
    await stack.client.pushTemplate({ name: 'local', dir: LOCAL_TEMPLATE, createdBy: ADMIN, versionName: `v${count + 1}`, wait: false });
    const auto = await stack.client.pushTemplate({ name: 'local', dir: LOCAL_TEMPLATE, createdBy: ADMIN, wait: false });
    expect(auto.version.name).toBe(`v${count + 2}`);
    await stack.client.waitForImport(auto.version.id);
  });
});
