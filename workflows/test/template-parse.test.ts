/**
 * Tests for src/templates/parse.ts: parameter and preset discovery from a template's `variable`
 * blocks (parsed with @cdktf/hcl2json) and its berth.yaml. Table-driven over small inline file
 * sets, plus every real template under /templates and the test fixtures.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../src/errors';
import type { TemplateParameter } from '../src/domain/parameter-types';
import { parseTemplateDirectory, parseTemplateFiles, type ParsedTemplate } from '../src/templates/parse';

const REPO = path.resolve(__dirname, '..', '..');
const TEMPLATES = path.join(REPO, 'templates');
const FIXTURES = path.join(__dirname, 'fixtures', 'templates');

type FileSet = Record<string, string | Buffer>;
const toFiles = (set: FileSet) => Object.entries(set).map(([p, c]) => ({ path: p, content: Buffer.isBuffer(c) ? c : Buffer.from(c) }));
const parse = (set: FileSet): Promise<ParsedTemplate> => parseTemplateFiles(toFiles(set));
/** Joins lines, so HCL/YAML in tests can be written one line per array element. */
const lines = (...l: string[]) => `${l.join('\n')}\n`;

/** A parameter as parsed from a bare `variable` with nothing in berth.yaml. */
function param(name: string, over: Partial<TemplateParameter> = {}): TemplateParameter {
  return {
    name, displayName: name, description: '', icon: '', order: 0, type: 'string', defaultValue: null, required: true,
    sensitive: false, nullable: true, mutable: false, ephemeral: false, options: [], validation: {}, terraformValidations: [], ...over,
  };
}

async function parseError(set: FileSet): Promise<InputError> {
  try {
    await parse(set);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected parseTemplateFiles to throw');
}

// ---------------------------------------------------------------------------------------------
// Terraform variables
// ---------------------------------------------------------------------------------------------

describe('variables → parameters', () => {
  const cases: Array<[string, string, TemplateParameter]> = [
    ['string with default', 'variable "a" {\n  type = string\n  default = "x"\n}', param('a', { defaultValue: 'x', required: false })],
    ['number', 'variable "a" {\n  type = number\n  default = 1.5\n}', param('a', { type: 'number', defaultValue: '1.5', required: false })],
    ['bool', 'variable "a" {\n  type = bool\n  default = false\n}', param('a', { type: 'bool', defaultValue: 'false', required: false })],
    ['list(string)', 'variable "a" {\n  type = list(string)\n  default = ["x", "y"]\n}', param('a', { type: 'list(string)', defaultValue: '["x","y"]', required: false })],
    ['list( string ) spacing', 'variable "a" {\n  type = list( string )\n}', param('a', { type: 'list(string)' })],
    ['no type, no default: required string', 'variable "a" {}', param('a')],
    ['no type: number from default', 'variable "a" { default = 3 }', param('a', { type: 'number', defaultValue: '3', required: false })],
    ['no type: bool from default', 'variable "a" { default = true }', param('a', { type: 'bool', defaultValue: 'true', required: false })],
    ['no type: list(string) from default', 'variable "a" { default = ["q"] }', param('a', { type: 'list(string)', defaultValue: '["q"]', required: false })],
    ['no type: empty list', 'variable "a" { default = [] }', param('a', { type: 'list(string)', defaultValue: '[]', required: false })],
    ['no type: string from default', 'variable "a" { default = "" }', param('a', { defaultValue: '', required: false })],
    ['default = null: optional, no value', 'variable "a" {\n  type = number\n  default = null\n}', param('a', { type: 'number', required: false })],
    ['default = null, no type: string', 'variable "a" { default = null }', param('a', { required: false })],
    ['escaped interpolation is literal', 'variable "a" { default = "$${HOME}/x %%{y}" }', param('a', { defaultValue: '${HOME}/x %{y}', required: false })],
    ['constant template folded by the parser', 'variable "a" { default = "v${1}" }', param('a', { defaultValue: 'v1', required: false })],
    ['exponent number', 'variable "a" { default = 1e3 }', param('a', { type: 'number', defaultValue: '1000', required: false })],
    ['negative number', 'variable "a" { default = -5 }', param('a', { type: 'number', defaultValue: '-5', required: false })],
    [
      'description, sensitive, nullable',
      'variable "a" {\n  type = string\n  description = "The \\"A\\" value"\n  sensitive = true\n  nullable = false\n}',
      param('a', { description: 'The "A" value', sensitive: true, nullable: false }),
    ],
    [
      'heredoc description',
      'variable "a" {\n  description = <<-EOT\n    Line one.\n    Line two.\n  EOT\n}',
      param('a', { description: 'Line one.\nLine two.\n' }),
    ],
    [
      'validation blocks: ${} stripped from conditions',
      lines(
        'variable "disk" {',
        '  type = number',
        '  default = 50',
        '  validation {',
        '    condition     = var.disk >= 10 && var.disk <= 500',
        '    error_message = "disk must be between 10 and 500."',
        '  }',
        '  validation {',
        '    condition     = floor(var.disk) == var.disk',
        '    error_message = "disk must be whole: ${var.disk}."',
        '  }',
        '  validation {',
        '    condition     = true',
        '    error_message = "Literal $${x}."',
        '  }',
        '}',
      ),
      param('disk', {
        type: 'number', defaultValue: '50', required: false,
        terraformValidations: [
          { condition: 'var.disk >= 10 && var.disk <= 500', errorMessage: 'disk must be between 10 and 500.' },
          { condition: 'floor(var.disk) == var.disk', errorMessage: 'disk must be whole: ${var.disk}.' },
          { condition: 'true', errorMessage: 'Literal ${x}.' },
        ],
      }),
    ],
    [
      'condition with braces and strings inside',
      'variable "n" {\n  validation {\n    condition = can(regex("^[a-z]{3}$", var.n)) && {a = 1}.a == 1\n    error_message = "x"\n  }\n}',
      param('n', { terraformValidations: [{ condition: 'can(regex("^[a-z]{3}$", var.n)) && {a = 1}.a == 1', errorMessage: 'x' }] }),
    ],
  ];
  it.each(cases)('%s', async (_name, hcl, expected) => {
    const r = await parse({ 'main.tf': hcl, 'berth.yaml': 'parameters: {}\n' });
    expect(r.parameters).toEqual([expected]);
    expect(r.presets).toEqual([]);
  });

  it('skips berth_* metadata variables, with or without defaults', async () => {
    const r = await parse({
      'main.tf': lines(
        'variable "berth_workspace_id" {\n  type = string\n  default = "dev"\n}',
        'variable "berth_workspace_name" {}',
        'variable "berth_workspace_owner" { type = string }',
        'variable "berth_workspace_transition" { default = "start" }',
        'variable "berth_build_number" {\n  type = number\n  default = 0\n}',
        'variable "berth_template_name" { type = string }',
        'variable "size" { default = 1 }',
      ),
    });
    expect(r.parameters.map((p) => p.name)).toEqual(['size']);
  });

  it('accepts berth_build_number declared as a string', async () => {
    const r = await parse({ 'main.tf': 'variable "berth_build_number" { type = string }\n' });
    expect(r.parameters).toEqual([]);
  });

  it('reads every top-level .tf file, ignores other and nested files, sorts by (order, name)', async () => {
    const r = await parse({
      './main.tf': 'variable "zeta" {}\n',
      'vars.tf': 'variable "alpha" {}\nvariable "mid" {}\n',
      'README.md': 'variable "readme" {}',
      'modules/x/main.tf': 'variable "nested" {}\n',
      'modules/x/berth.yaml': 'nonsense: true\n',
      '.hidden.tf': 'variable "hidden" {}\n',
      'backup.tf~': 'variable "backup" {}\n',
      'notes.txt': 'not parsed',
      'berth.yaml': lines('parameters:', '  zeta: { order: -1 }', '  mid: { order: 2 }'),
    });
    expect(r.parameters.map((p) => [p.name, p.order])).toEqual([['zeta', -1], ['alpha', 0], ['mid', 2]]);
  });

  it('reads .tf.json files (object and array forms, "//" comments)', async () => {
    const r = await parse({
      'main.tf.json': JSON.stringify({
        '//': 'generated',
        variable: {
          region: { type: 'string', default: 'eu', description: 'Region' },
          tags: [{ type: 'list(string)', default: ['a'] }],
          size: { type: '${number}', validation: { condition: '${var.size > 0}', error_message: 'positive' } },
        },
      }),
      'other.tf.json': JSON.stringify({ variable: [{ flag: { default: true, '//': 'c' } }] }),
    });
    expect(r.parameters).toEqual([
      param('flag', { type: 'bool', defaultValue: 'true', required: false }),
      param('region', { defaultValue: 'eu', required: false, description: 'Region' }),
      param('size', { type: 'number', terraformValidations: [{ condition: 'var.size > 0', errorMessage: 'positive' }] }),
      param('tags', { type: 'list(string)', defaultValue: '["a"]', required: false }),
    ]);
  });

  it('merges override files into the declarations they override', async () => {
    const r = await parse({
      'main.tf': 'variable "a" {\n  type = number\n  default = 1\n  description = "base"\n}\n',
      'override.tf': 'variable "a" {\n  default = 2\n}\n',
      'dev_override.tf.json': JSON.stringify({ variable: { a: { sensitive: true } } }),
    });
    expect(r.parameters).toEqual([param('a', { type: 'number', defaultValue: '2', required: false, description: 'base', sensitive: true })]);
  });

  it('accepts defaults OpenTofu converts, with a warning', async () => {
    const r = await parse({
      'main.tf': lines(
        'variable "n" {\n  type = number\n  default = "5"\n}',
        'variable "s" {\n  type = string\n  default = 5\n}',
        'variable "b" {\n  type = bool\n  default = "true"\n}',
        'variable "l" {\n  type = list(string)\n  default = [1, true, "x"]\n}',
      ),
      'berth.yaml': 'parameters: {}\n',
    });
    expect(r.parameters.map((p) => [p.name, p.type, p.defaultValue])).toEqual([
      ['b', 'bool', 'true'], ['l', 'list(string)', '["1","true","x"]'], ['n', 'number', '5'], ['s', 'string', '5'],
    ]);
    expect(r.warnings).toEqual([
      'main.tf: variable "n": default "5" is converted to the number 5 (write it as one) (line 1)',
      'main.tf: variable "s": default 5 is converted to the string 5 (write it as one) (line 5)',
      'main.tf: variable "b": default "true" is converted to the bool true (write it as one) (line 9)',
      'main.tf: variable "l": default [1,true,"x"] is converted to the list(string) ["1","true","x"] (write it as one) (line 13)',
    ]);
  });

  it('warns about unknown variable arguments', async () => {
    const r = await parse({ 'main.tf': 'variable "a" {\n  colour = "red"\n}\n', 'berth.yaml': 'parameters: {}\n' });
    expect(r.warnings).toEqual(['main.tf: variable "a": unknown argument "colour" (ignored by Berth; OpenTofu will reject it) (line 1)']);
  });

  it('strips a UTF-8 byte order mark', async () => {
    const r = await parse({ 'main.tf': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('variable "a" {}\n')]) });
    expect(r.parameters.map((p) => p.name)).toEqual(['a']);
  });
});

describe('bad .tf files', () => {
  const many = 'x'.repeat(65);
  const cases: Array<[string, FileSet, string | RegExp]> = [
    ['malformed HCL', { 'main.tf': 'variable "a" {' }, /^main\.tf: invalid HCL: main\.tf:1,14-15: Unclosed configuration block;/],
    ['attribute set twice', { 'vars.tf': 'variable "a" {\n  type = string\n  type = number\n}' }, /^vars\.tf: invalid HCL: vars\.tf:3,3-7: Attribute redefined;/],
    ['declared twice in one file', { 'main.tf': 'variable "a" {}\n\nvariable "a" {}\n' }, 'main.tf: variable "a" is declared twice: in main.tf (line 1) and in main.tf (line 3)'],
    ['declared in two files', { 'a.tf': 'variable "x" {}\n', 'b.tf': '\nvariable "x" {\n}\n' }, 'b.tf: variable "x" is declared twice: in a.tf (line 1) and in b.tf (line 2)'],
    ['declared in .tf and .tf.json', { 'a.tf': 'variable "x" {}\n', 'b.tf.json': '{"variable":{"x":{}}}' }, 'b.tf.json: variable "x" is declared twice: in a.tf (line 1) and in b.tf.json'],
    ['metadata variable declared twice', { 'a.tf': 'variable "berth_workspace_id" {}\n', 'b.tf': 'variable "berth_workspace_id" {}\n' }, 'variable "berth_workspace_id" is declared twice'],
    ['map type', { 'main.tf': 'variable "m" {\n  type = map(string)\n}' }, 'main.tf: variable "m": type map(string) is not supported; a parameter must be one of string, number, bool, list(string) (line 1)'],
    ['object type', { 'main.tf': 'variable "o" {\n  type = object({ a = string })\n}' }, 'variable "o": type object({ a = string }) is not supported'],
    ['set type', { 'main.tf': 'variable "s" {\n  type = set(string)\n}' }, 'variable "s": type set(string) is not supported'],
    ['list(number)', { 'main.tf': 'variable "l" {\n  type = list(number)\n}' }, 'variable "l": type list(number) is not supported'],
    ['tuple', { 'main.tf': 'variable "t" {\n  type = tuple([string])\n}' }, 'variable "t": type tuple([string]) is not supported'],
    ['any', { 'main.tf': 'variable "a" {\n  type = any\n}' }, 'variable "a": type any is not supported'],
    ['quoted (0.11) type', { 'main.tf': 'variable "q" {\n  type = "string"\n}' }, 'variable "q": type = "string" is a quoted type constraint'],
    ['unknown berth_ variable', { 'main.tf': '\n\nvariable "berth_workspace_colour" {\n  default = "red"\n}' }, 'main.tf: variable "berth_workspace_colour": the "berth_" prefix is reserved for workspace metadata set by Berth (berth_workspace_id, berth_workspace_name, berth_workspace_owner, berth_workspace_transition, berth_build_number, berth_template_name); rename the variable (line 3)'],
    ['metadata variable of the wrong type', { 'main.tf': 'variable "berth_build_number" {\n  type = bool\n}' }, 'variable "berth_build_number": Berth sets it to a number; declare type = number (or string)'],
    ['metadata variable of an unsupported type', { 'main.tf': 'variable "berth_workspace_id" {\n  type = map(string)\n}' }, 'variable "berth_workspace_id": type map(string) is not supported'],
    ['number default not a number', { 'main.tf': 'variable "n" {\n  type = number\n  default = "abc"\n}' }, 'main.tf: variable "n": default "abc" is not a valid number (line 1)'],
    ['bool default is a number', { 'main.tf': 'variable "b" {\n  type = bool\n  default = 1\n}' }, 'variable "b": default 1 is not a valid bool'],
    ['number default is a bool', { 'main.tf': 'variable "n" {\n  type = number\n  default = true\n}' }, 'variable "n": default true is not a valid number'],
    ['list default is a string', { 'main.tf': 'variable "l" {\n  type = list(string)\n  default = "a"\n}' }, 'variable "l": default "a" is not a valid list(string)'],
    ['list default with a nested list', { 'main.tf': 'variable "l" {\n  type = list(string)\n  default = [["a"]]\n}' }, 'variable "l": default [["a"]] is not a valid list(string)'],
    ['string default is a list', { 'main.tf': 'variable "s" {\n  type = string\n  default = ["a"]\n}' }, 'variable "s": default ["a"] is not a valid string'],
    ['string default is an object', { 'main.tf': 'variable "s" {\n  type = string\n  default = { a = 1 }\n}' }, 'variable "s": default {"a":1} is not a valid string'],
    ['untyped object default', { 'main.tf': 'variable "o" {\n  default = { a = 1 }\n}' }, 'variable "o": without a type, the default {"a":1} does not give a supported type'],
    ['untyped list of numbers', { 'main.tf': 'variable "o" {\n  default = [1, 2]\n}' }, 'variable "o": without a type, the default [1,2] does not give a supported type'],
    ['expression default', { 'main.tf': 'variable "e" {\n  type = number\n  default = 1 + 2\n}' }, 'variable "e": default must be a literal value; "${1 + 2}" is an expression Berth cannot evaluate'],
    ['template directive default', { 'main.tf': 'variable "e" {\n  default = "%{if true}x%{endif}"\n}' }, 'variable "e": default must be a literal value'],
    ['null default with nullable = false', { 'main.tf': 'variable "n" {\n  default = null\n  nullable = false\n}' }, 'variable "n": default = null is not valid when nullable = false'],
    ['sensitive is an expression', { 'main.tf': 'variable "s" {\n  sensitive = var.x\n}' }, 'variable "s": sensitive must be true or false, got "${var.x}"'],
    ['nullable is a string', { 'main.tf': 'variable "s" {\n  nullable = "no"\n}' }, 'variable "s": nullable must be true or false, got "no"'],
    ['description is a number', { 'main.tf': 'variable "s" {\n  description = 5\n}' }, 'variable "s": description must be a string'],
    ['validation without error_message', { 'main.tf': 'variable "v" {\n  validation {\n    condition = true\n  }\n}' }, 'variable "v": validation block needs condition and error_message'],
    ['variable without a label', { 'main.tf': 'variable {\n}' }, 'main.tf: a variable block needs exactly one label'],
    ['variable with two labels', { 'main.tf': 'variable "a" "b" {\n}' }, 'main.tf: variable "a": a variable block takes exactly one label (line 1)'],
    ['parameter name too long', { 'main.tf': `variable "${many}" {}` }, `variable "${many}": a parameter name must be at most 64 characters`],
    ['override without a base', { 'main.tf': 'variable "a" {}', 'override.tf': 'variable "b" {}' }, 'override.tf: variable "b": the override file declares a variable that no other file declares'],
    ['invalid .tf.json', { 'main.tf.json': '{"variable": ' }, /^main\.tf\.json: invalid JSON: /],
    ['.tf.json not an object', { 'main.tf.json': '[]' }, 'main.tf.json: the top level must be a JSON object'],
    ['invalid UTF-8', { 'main.tf': Buffer.from([0x76, 0xff, 0xfe]) }, 'main.tf: not valid UTF-8'],
    ['no .tf files', { 'README.md': '# x', 'modules/a/main.tf': 'variable "a" {}' }, 'template has no .tf files at the top level'],
    ['same file listed twice', { 'main.tf': 'variable "a" {}', './main.tf': 'variable "a" {}' }, 'main.tf: the file is listed twice'],
  ];
  it.each(cases)('%s', async (_name, set, expected) => {
    const e = await parseError(set);
    if (typeof expected === 'string') expect(e.message).toContain(expected);
    else expect(e.message).toMatch(expected);
  });

  it('puts the file, line and variable in the error details', async () => {
    const e = await parseError({ 'vars.tf': '\nvariable "m" {\n  type = map(string)\n}' });
    expect(e.details).toEqual({ file: 'vars.tf', line: 2, variable: 'm' });
  });
});

// ---------------------------------------------------------------------------------------------
// berth.yaml
// ---------------------------------------------------------------------------------------------

const TF = lines(
  'variable "berth_workspace_id" {\n  type = string\n  default = "dev"\n}',
  'variable "cpu" {\n  type = number\n  default = 2\n}',
  'variable "name" {\n  type = string\n  default = "dev"\n}',
  'variable "ssh_key" {\n  type = string\n}',
  'variable "gpu" {\n  type = bool\n  default = false\n}',
  'variable "repos" {\n  type = list(string)\n  default = []\n}',
  'variable "token" {\n  type = string\n  default = "a"\n  sensitive = true\n}',
  'variable "disk" {\n  type = number\n  default = 20\n}',
);

describe('berth.yaml', () => {
  it('applies every parameter setting and builds presets', async () => {
    const r = await parse({
      'main.tf': TF,
      'berth.yaml': lines(
        'parameters:',
        '  cpu:',
        '    display_name: CPU cores',
        '    description: Cores of the workspace.',
        '    icon: /icon/cpu.svg',
        '    order: 1',
        '    mutable: true',
        '    options:',
        '      - { value: 2, name: "2 cores" }',
        '      - { value: "4", name: "4 cores", description: Faster, icon: /icon/fast.svg }',
        '      - value: 8',
        '  name:',
        '    order: 2',
        '    ephemeral: true',
        '    mutable: true',
        '    validation: { regex: "[a-z]+", error: lower-case letters only }',
        '  disk:',
        '    order: 3',
        '    mutable: true',
        '    validation: { min: 10, max: 100, monotonic: increasing }',
        '  repos:',
        '    mutable: true',
        '    options:',
        '      - { value: [], name: none }',
        '      - { value: [a, b], name: both }',
        '  gpu:',
        '  ssh_key: {}',
        'presets:',
        '  - name: small',
        '    description: Two cores.',
        '    default: true',
        '    parameters: { cpu: 2, gpu: true, repos: [a, b], name: abc, ssh_key: "ssh-ed25519 AAAA" }',
        '    prebuilds: { instances: 2, expiration_ttl_s: 3600 }',
        '  - name: big',
        '    parameters:',
        '      cpu: "8"',
        '      disk: 100',
        '      repos: \'["a","b"]\'',
        '    prebuilds: { instances: 0 }',
        '  - name: plain',
      ),
    });
    const byName = Object.fromEntries(r.parameters.map((p) => [p.name, p]));
    expect(r.parameters.map((p) => p.name)).toEqual(['gpu', 'repos', 'ssh_key', 'token', 'cpu', 'name', 'disk']);
    expect(byName.cpu).toEqual(param('cpu', {
      displayName: 'CPU cores', description: 'Cores of the workspace.', icon: '/icon/cpu.svg', order: 1, type: 'number',
      defaultValue: '2', required: false, mutable: true,
      options: [
        { value: '2', name: '2 cores', description: '', icon: '' },
        { value: '4', name: '4 cores', description: 'Faster', icon: '/icon/fast.svg' },
        { value: '8', name: '8', description: '', icon: '' },
      ],
    }));
    expect(byName.name).toMatchObject({ order: 2, ephemeral: true, mutable: true, validation: { regex: '[a-z]+', error: 'lower-case letters only' } });
    expect(byName.disk.validation).toEqual({ min: 10, max: 100, monotonic: 'increasing' });
    expect(byName.repos.options.map((o) => o.value)).toEqual(['[]', '["a","b"]']);
    expect(byName.gpu).toEqual(param('gpu', { type: 'bool', defaultValue: 'false', required: false }));
    expect(r.presets).toEqual([
      {
        name: 'small', description: 'Two cores.', default: true, prebuildInstances: 2, prebuildExpirationSeconds: 3600,
        parameters: { cpu: '2', gpu: 'true', name: 'abc', repos: '["a","b"]', ssh_key: 'ssh-ed25519 AAAA' },
      },
      { name: 'big', description: '', default: false, prebuildInstances: 0, prebuildExpirationSeconds: null, parameters: { cpu: '8', disk: '100', repos: '["a","b"]' } },
      { name: 'plain', description: '', default: false, prebuildInstances: 0, prebuildExpirationSeconds: null, parameters: {} },
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('accepts berth.yml', async () => {
    const r = await parse({ 'main.tf': 'variable "a" {\n  default = "x"\n}\n', 'berth.yml': 'parameters:\n  a: { mutable: true }\n' });
    expect(r.parameters[0].mutable).toBe(true);
  });

  const warningCases: Array<[string, FileSet, string[]]> = [
    ['no berth.yaml', { 'main.tf': 'variable "a" {}\nvariable "b" {}\n' }, ["no berth.yaml: all 2 parameter(s) are immutable after a workspace's first build (add berth.yaml with mutable: true to allow changes)"]],
    ['no berth.yaml, no parameters', { 'main.tf': 'variable "berth_workspace_id" {}\n' }, []],
    ['empty berth.yaml', { 'main.tf': 'variable "a" {}\n', 'berth.yaml': '# nothing yet\n' }, ['berth.yaml: the file is empty']],
    ['no parameters section', { 'main.tf': 'variable "a" {}\n', 'berth.yaml': 'presets: []\n' }, ["berth.yaml: no parameters section: all 1 parameter(s) keep the defaults (immutable after a workspace's first build, no display names)"]],
    ['sensitive parameter with options', { 'main.tf': TF, 'berth.yaml': 'parameters:\n  token:\n    options: [{ value: a }, { value: b }]\n' }, ['berth.yaml: parameters.token.options: "token" is sensitive but has options: every option value is shown to users']],
    ['sensitive value in a preset', { 'main.tf': TF, 'berth.yaml': 'parameters: {}\npresets:\n  - name: p\n    parameters: { token: secret }\n' }, ['berth.yaml: presets[0].parameters.token: "token" is sensitive but preset "p" stores its value in berth.yaml in plain text']],
    ['monotonic on an immutable parameter', { 'main.tf': TF, 'berth.yaml': 'parameters:\n  disk:\n    validation: { monotonic: increasing }\n' }, ['berth.yaml: parameters.disk.validation.monotonic: has no effect on an immutable parameter (set mutable: true)']],
    ['error message without rules', { 'main.tf': TF, 'berth.yaml': 'parameters:\n  name:\n    validation: { error: nope }\n' }, ['berth.yaml: parameters.name.validation.error: there is no min, max, monotonic or regex for this message to apply to']],
    ['options and min/max', { 'main.tf': TF, 'berth.yaml': 'parameters:\n  cpu:\n    options: [{ value: 2 }]\n    validation: { min: 1 }\n' }, ['berth.yaml: parameters.cpu.validation: min, max and regex are not applied to a parameter with options (only membership is checked)']],
  ];
  it.each(warningCases)('warning: %s', async (_name, set, expected) => {
    const r = await parse(set);
    expect(r.warnings).toEqual(expected);
  });
});

describe('bad berth.yaml', () => {
  const cases: Array<[string, string, string | RegExp]> = [
    ['unknown parameter key', 'parameters:\n  cpu:\n    colour: red\n', 'berth.yaml: unknown key "parameters.cpu.colour" (line 3)'],
    ['unknown top-level key', 'parameters: {}\nschedule: {}\n', 'berth.yaml: unknown key "schedule" (line 2)'],
    ['unknown option key', 'parameters:\n  cpu:\n    options:\n      - { value: 2, label: two }\n', 'berth.yaml: unknown key "parameters.cpu.options[0].label" (line 4)'],
    ['unknown validation key', 'parameters:\n  cpu:\n    validation: { minimum: 1 }\n', 'berth.yaml: unknown key "parameters.cpu.validation.minimum" (line 3)'],
    ['unknown preset key', 'presets:\n  - name: a\n    params: {}\n', 'berth.yaml: unknown key "presets[0].params" (line 3)'],
    ['unknown prebuilds key', 'presets:\n  - name: a\n    prebuilds: { instances: 1, ttl: 5 }\n', 'berth.yaml: unknown key "presets[0].prebuilds.ttl" (line 3)'],
    ['several problems, in line order', 'presets:\n  - name: a\n    x: 1\nparameters:\n  cpu: { order: 1.5 }\n', 'berth.yaml: unknown key "presets[0].x" (line 3); parameters.cpu.order: expected int, received number (line 5)'],
    ['order not an integer', 'parameters:\n  cpu: { order: 1.5 }\n', 'berth.yaml: parameters.cpu.order: expected int, received number (line 2)'],
    ['mutable not a bool', 'parameters:\n  cpu:\n    mutable: "yes"\n', 'berth.yaml: parameters.cpu.mutable: expected boolean, received string (line 3)'],
    ['monotonic value', 'parameters:\n  cpu:\n    mutable: true\n    validation: { monotonic: up }\n', 'berth.yaml: parameters.cpu.validation.monotonic: Invalid option: expected one of "increasing"|"decreasing" (line 4)'],
    ['parameters is a list', 'parameters: [cpu]\n', 'berth.yaml: parameters: expected record, received array (line 1)'],
    ['option without value', 'parameters:\n  cpu:\n    options: [{ name: two }]\n', 'berth.yaml: parameters.cpu.options[0].value: missing (expected a string, number, bool or (for list(string)) a list) (line 3)'],
    ['top level is a list', '- a\n- b\n', 'berth.yaml: the top level must be a mapping (parameters:, presets:)'],
    ['invalid YAML', 'parameters:\n  cpu: [\n', /^berth\.yaml: invalid YAML: .* at line 3, column 1$/],
    ['duplicate YAML key', 'parameters:\n  cpu: {}\n  cpu: {}\n', 'berth.yaml: invalid YAML: Map keys must be unique at line 3, column 3'],
    ['no such variable', 'parameters:\n  cpu: {}\n  cpus:\n    mutable: true\n', 'berth.yaml: parameters.cpus: no variable "cpus" in the .tf files (line 3)'],
    ['metadata variable as a parameter', 'parameters:\n  berth_workspace_id: {}\n', 'berth.yaml: parameters.berth_workspace_id: "berth_workspace_id" is workspace metadata set by Berth, not a parameter (line 2)'],
    ['ephemeral without mutable', 'parameters:\n  name:\n    ephemeral: true\n', 'berth.yaml: parameters.name.ephemeral: an ephemeral parameter must also be mutable: true (line 3)'],
    ['ephemeral without default', 'parameters:\n  ssh_key:\n    mutable: true\n    ephemeral: true\n', 'berth.yaml: parameters.ssh_key.ephemeral: an ephemeral parameter needs a non-null default (variable "ssh_key" in main.tf has none) (line 4)'],
    ['duplicate option values', 'parameters:\n  cpu:\n    options:\n      - value: 2\n      - value: "2"\n', 'berth.yaml: parameters.cpu.options[1].value: duplicate option value "2" (also options[0]) (line 5)'],
    ['option value of the wrong type', 'parameters:\n  cpu:\n    options:\n      - value: 2\n      - value: two\n', 'berth.yaml: parameters.cpu.options[1].value: parameter "cpu" must be a number (got "two") (line 5)'],
    ['bool option not true/false', 'parameters:\n  gpu:\n    options: [{ value: "yes" }]\n', 'berth.yaml: parameters.gpu.options[0].value: parameter "gpu" must be "true" or "false" (got "yes") (line 3)'],
    ['list option for a string', 'parameters:\n  name:\n    options: [{ value: [a] }]\n', 'berth.yaml: parameters.name.options[0].value: a list is only valid for a list(string) parameter ("name" is string) (line 3)'],
    ['list option not a JSON list', 'parameters:\n  repos:\n    options: [{ value: "a" }]\n', 'berth.yaml: parameters.repos.options[0].value: parameter "repos" must be a JSON array of strings (got "a") (line 3)'],
    ['default not among the options', 'parameters:\n  cpu:\n    options: [{ value: 4 }, { value: 8 }]\n', 'berth.yaml: parameters.cpu: the default in main.tf does not fit: parameter "cpu" must be one of: 4, 8 (got "2") (line 2)'],
    ['custom error with placeholders', 'parameters:\n  disk:\n    validation: { max: 10, error: "{value} GiB is over {max} GiB" }\n', 'berth.yaml: parameters.disk: the default in main.tf does not fit: 20 GiB is over 10 GiB (line 2)'],
    ['sensitive preset value is masked', 'parameters:\n  token:\n    validation: { regex: "[a-z]" }\npresets:\n  - name: a\n    parameters: { token: Secret1 }\n', 'berth.yaml: presets[0].parameters.token: preset "a": parameter "token" must match the pattern "[a-z]" (got ********) (line 6)'],
    ['JSON number grammar for numbers', 'presets:\n  - name: a\n    parameters: { cpu: "007" }\n', 'berth.yaml: presets[0].parameters.cpu: preset "a": parameter "cpu" must be a number (got "007") (line 3)'],
    ['min on a string', 'parameters:\n  name:\n    validation: { min: 1 }\n', 'berth.yaml: parameters.name.validation.min: min only applies to number parameters ("name" is string) (line 3)'],
    ['monotonic on a bool', 'parameters:\n  gpu:\n    validation:\n      monotonic: increasing\n', 'berth.yaml: parameters.gpu.validation.monotonic: monotonic only applies to number parameters ("gpu" is bool) (line 4)'],
    ['regex on a number', 'parameters:\n  cpu:\n    validation: { regex: "[0-9]+" }\n', 'berth.yaml: parameters.cpu.validation.regex: regex only applies to string parameters ("cpu" is number) (line 3)'],
    ['min greater than max', 'parameters:\n  cpu:\n    validation: { min: 8, max: 4 }\n', 'berth.yaml: parameters.cpu.validation.min: min 8 is greater than max 4 (line 3)'],
    ['regex does not compile', 'parameters:\n  name:\n    validation: { regex: "([a-z" }\n', /^berth\.yaml: parameters\.name\.validation\.regex: invalid regular expression: .*Unterminated/],
    ['default below min', 'parameters:\n  cpu:\n    validation: { min: 4 }\n', 'berth.yaml: parameters.cpu: the default in main.tf does not fit: parameter "cpu" must be at least 4 (got 2) (line 2)'],
    ['default above max, custom error', 'parameters:\n  cpu:\n    validation: { max: 1, error: At most one core. }\n', 'berth.yaml: parameters.cpu: the default in main.tf does not fit: At most one core. (line 2)'],
    ['default does not match the regex (whole value)', 'parameters:\n  name:\n    validation: { regex: "de" }\n', 'berth.yaml: parameters.name: the default in main.tf does not fit: parameter "name" must match the pattern "de" (got "dev") (line 2)'],
    ['preset without a name', 'presets:\n  - description: x\n', 'berth.yaml: presets[0].name: missing (expected string) (line 2)'],
    ['preset with an empty name', 'presets:\n  - name: " "\n', 'berth.yaml: presets[0].name: must not be empty (line 2)'],
    ['duplicate preset names', 'presets:\n  - name: a\n  - name: b\n  - name: a\n', 'berth.yaml: presets[2].name: duplicate preset name "a" (also presets[0]) (line 4)'],
    ['two default presets', 'presets:\n  - name: a\n    default: true\n  - name: b\n    default: true\n', 'berth.yaml: presets[1].default: only one preset may be the default ("a" already is) (line 5)'],
    ['preset sets an unknown parameter', 'presets:\n  - name: a\n    parameters:\n      cores: 2\n', 'berth.yaml: presets[0].parameters.cores: preset "a": no parameter "cores" (line 4)'],
    ['preset sets metadata', 'presets:\n  - name: a\n    parameters: { berth_workspace_id: x }\n', 'berth.yaml: presets[0].parameters.berth_workspace_id: preset "a": "berth_workspace_id" is workspace metadata set by Berth, not a parameter (line 3)'],
    ['preset value of the wrong type', 'presets:\n  - name: a\n    parameters: { cpu: many }\n', 'berth.yaml: presets[0].parameters.cpu: preset "a": parameter "cpu" must be a number (got "many") (line 3)'],
    ['preset bool value not a bool', 'presets:\n  - name: a\n    parameters: { gpu: 1 }\n', 'berth.yaml: presets[0].parameters.gpu: preset "a": parameter "gpu" must be "true" or "false" (got "1") (line 3)'],
    ['preset list for a number', 'presets:\n  - name: a\n    parameters: { cpu: [1] }\n', 'berth.yaml: presets[0].parameters.cpu: preset "a": a list is only valid for a list(string) parameter ("cpu" is number) (line 3)'],
    ['preset value not an option', 'parameters:\n  cpu:\n    options: [{ value: 2 }, { value: 4 }]\npresets:\n  - name: a\n    parameters: { cpu: 3 }\n', 'berth.yaml: presets[0].parameters.cpu: preset "a": parameter "cpu" must be one of: 2, 4 (got "3") (line 6)'],
    ['preset value above max', 'parameters:\n  disk:\n    validation: { max: 50 }\npresets:\n  - name: a\n    parameters: { disk: 51 }\n', 'berth.yaml: presets[0].parameters.disk: preset "a": parameter "disk" must be at most 50 (got 51) (line 6)'],
    ['preset value fails the regex', 'parameters:\n  name:\n    validation: { regex: "[a-z]+" }\npresets:\n  - name: a\n    parameters: { name: Abc }\n', 'berth.yaml: presets[0].parameters.name: preset "a": parameter "name" must match the pattern "[a-z]+" (got "Abc") (line 6)'],
    ['preset value is an object', 'presets:\n  - name: a\n    parameters: { cpu: { n: 1 } }\n', 'berth.yaml: presets[0].parameters.cpu: expected a string, number, bool or (for list(string)) a list (line 3)'],
    ['negative prebuild instances', 'presets:\n  - name: a\n    prebuilds: { instances: -1 }\n', 'berth.yaml: presets[0].prebuilds.instances: Too small: expected number to be >=0 (line 3)'],
    ['fractional prebuild instances', 'presets:\n  - name: a\n    prebuilds: { instances: 1.5 }\n', 'berth.yaml: presets[0].prebuilds.instances: expected int, received number (line 3)'],
    ['prebuilds without instances', 'presets:\n  - name: a\n    prebuilds: { expiration_ttl_s: 600 }\n', 'berth.yaml: presets[0].prebuilds.instances: missing (expected number) (line 3)'],
    ['prebuild TTL below 60 s', 'presets:\n  - name: a\n    prebuilds: { instances: 1, expiration_ttl_s: 30 }\n', 'berth.yaml: presets[0].prebuilds.expiration_ttl_s: Too small: expected number to be >=60 (line 3)'],
    ['prebuilds without a required parameter', 'presets:\n  - name: a\n    prebuilds: { instances: 1 }\n', "berth.yaml: presets[0].prebuilds: preset \"a\": prebuilt workspaces get only the preset's values, so it must set every required parameter; missing: ssh_key (line 3)"],
  ];
  it.each(cases)('%s', async (_name, yaml, expected) => {
    const e = await parseError({ 'main.tf': TF, 'berth.yaml': yaml });
    // A full message (starting with the file name) must match exactly; a fragment must occur.
    if (typeof expected !== 'string') expect(e.message).toMatch(expected);
    else if (expected.startsWith('berth.yaml: ')) expect(e.message).toBe(expected);
    else expect(e.message).toContain(expected);
  });

  it('both berth.yaml and berth.yml', async () => {
    const e = await parseError({ 'main.tf': TF, 'berth.yaml': 'parameters: {}\n', 'berth.yml': 'parameters: {}\n' });
    expect(e.message).toBe('berth.yaml and berth.yml: both exist; keep only one of them');
  });

  it('ephemeral with default = null (a build would leave it unset forever)', async () => {
    const e = await parseError({ 'main.tf': 'variable "note" {\n  default = null\n}\n', 'berth.yaml': 'parameters:\n  note:\n    mutable: true\n    ephemeral: true\n' });
    expect(e.message).toBe('berth.yaml: parameters.note.ephemeral: an ephemeral parameter needs a non-null default (variable "note" in main.tf has none) (line 4)');
  });

  it('error details carry the file, line and key path', async () => {
    const e = await parseError({ 'main.tf': TF, 'berth.yaml': 'parameters:\n  cpus: {}\n' });
    expect(e.details).toEqual({ file: 'berth.yaml', line: 2, path: 'parameters.cpus' });
  });
});

// ---------------------------------------------------------------------------------------------
// Real templates and fixtures
// ---------------------------------------------------------------------------------------------

/** name → [type, default, mutable, option values, validation] per parameter, and preset summaries. */
interface Expectation {
  parameters: Array<[string, TemplateParameter['type'], string | null, boolean, string[], TemplateParameter['validation']]>;
  presets: Array<[string, Record<string, string>, boolean, number, number | null]>;
}

const TEMPLATE_EXPECTATIONS: Record<string, Expectation> = {
  local: {
    parameters: [
      ['workspaces_root', 'string', '/tmp/berth-workspaces', false, [], { regex: '/.*[^/].*', error: 'The workspaces root must be an absolute path other than "/".' }],
      ['start_delay_seconds', 'number', '0', true, [], { min: 0, max: 3600 }],
    ],
    presets: [
      ['default', {}, true, 0, null],
      ['slow-start', { start_delay_seconds: '5' }, false, 0, null],
    ],
  },
  docker: {
    parameters: [
      ['image', 'string', 'mcr.microsoft.com/devcontainers/base:ubuntu-24.04', true, [
        'mcr.microsoft.com/devcontainers/base:ubuntu-24.04', 'mcr.microsoft.com/devcontainers/typescript-node:22',
        'mcr.microsoft.com/devcontainers/go:1.23', 'mcr.microsoft.com/devcontainers/python:3.12',
      ], {}],
      ['cpu', 'number', '2', true, [], { min: 1, max: 16, error: 'Choose between 1 and 16 CPU cores.' }],
      ['memory_mb', 'number', '4096', true, ['2048', '4096', '8192', '16384'], {}],
    ],
    presets: [
      ['standard', { image: 'mcr.microsoft.com/devcontainers/base:ubuntu-24.04', cpu: '2', memory_mb: '4096' }, true, 1, 86400],
      ['node-large', { image: 'mcr.microsoft.com/devcontainers/typescript-node:22', cpu: '8', memory_mb: '16384' }, false, 0, null],
    ],
  },
  kubernetes: {
    parameters: [
      ['namespace', 'string', 'berth-workspaces', false, [], { regex: '[a-z0-9]|[a-z0-9][-a-z0-9]{0,61}[a-z0-9]', error: 'A namespace is a DNS label: lower-case letters, digits and "-", at most 63 characters.' }],
      ['image', 'string', 'mcr.microsoft.com/devcontainers/base:ubuntu-24.04', true, [
        'mcr.microsoft.com/devcontainers/base:ubuntu-24.04', 'mcr.microsoft.com/devcontainers/java:21',
        'mcr.microsoft.com/devcontainers/go:1.23', 'mcr.microsoft.com/devcontainers/python:3.12',
      ], {}],
      ['cpu', 'number', '2', true, ['1', '2', '4', '8'], {}],
      ['memory', 'number', '4', true, ['2', '4', '8', '16', '32'], {}],
      ['disk_gb', 'number', '20', true, [], { min: 10, max: 500, monotonic: 'increasing', error: 'The home disk must be 10–500 GiB and cannot shrink.' }],
    ],
    presets: [
      ['small', { cpu: '2', memory: '4', disk_gb: '20' }, true, 2, 43200],
      ['large', { cpu: '8', memory: '32', disk_gb: '100' }, false, 0, null],
    ],
  },
  'aws-linux': {
    parameters: [
      ['region', 'string', 'us-east-1', false, ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1'], {}],
      ['instance_type', 'string', 't3.medium', true, ['t3.medium', 't3.large', 't3.xlarge', 'm6i.2xlarge', 'c6i.4xlarge'], {}],
      ['disk_gb', 'number', '30', true, [], { min: 16, max: 1024, monotonic: 'increasing', error: 'The disk must be 16–1024 GiB and cannot shrink.' }],
    ],
    presets: [
      ['general', { region: 'us-east-1', instance_type: 't3.large', disk_gb: '50' }, true, 0, null],
      ['build-box', { region: 'eu-central-1', instance_type: 'c6i.4xlarge', disk_gb: '200' }, false, 0, null],
    ],
  },
};

const FIXTURE_EXPECTATIONS: Record<string, Expectation> = {
  failing: {
    parameters: [
      ['fail', 'bool', 'true', true, [], {}],
      ['marker_dir', 'string', '/tmp', false, [], {}],
    ],
    presets: [],
  },
  'env-probe': {
    parameters: [['out_file', 'string', '/tmp/berth-env-probe.env', true, [], {}]],
    presets: [],
  },
};

function summarize(r: ParsedTemplate): Expectation {
  return {
    parameters: r.parameters.map((p) => [p.name, p.type, p.defaultValue, p.mutable, p.options.map((o) => o.value), p.validation]),
    presets: r.presets.map((p) => [p.name, p.parameters, p.default, p.prebuildInstances, p.prebuildExpirationSeconds]),
  };
}

describe('templates in this repository', () => {
  const dirs = fs.readdirSync(TEMPLATES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

  it('every template directory has expectations here', () => {
    expect(dirs).toEqual(Object.keys(TEMPLATE_EXPECTATIONS).sort());
  });

  it.each(dirs)('templates/%s parses with the expected parameters and presets, without warnings', async (name) => {
    const r = await parseTemplateDirectory(path.join(TEMPLATES, name));
    expect(summarize(r)).toEqual(TEMPLATE_EXPECTATIONS[name]);
    expect(r.warnings).toEqual([]);
    for (const p of r.parameters) {
      expect(p.displayName).not.toBe(p.name);
      expect(p.required).toBe(false);
      expect(p.description).not.toBe('');
    }
  });

  it.each(Object.keys(FIXTURE_EXPECTATIONS))('test fixture %s parses', async (name) => {
    const r = await parseTemplateDirectory(path.join(FIXTURES, name));
    expect(summarize(r)).toEqual(FIXTURE_EXPECTATIONS[name]);
    expect(r.warnings).toEqual([]);
  });

  it('the local template keeps its Terraform validations', async () => {
    const r = await parseTemplateDirectory(path.join(TEMPLATES, 'local'));
    expect(r.parameters.find((p) => p.name === 'start_delay_seconds')?.terraformValidations).toEqual([
      { condition: 'var.start_delay_seconds >= 0', errorMessage: 'The start_delay_seconds must be >= 0.' },
    ]);
    expect(r.parameters.find((p) => p.name === 'workspaces_root')?.terraformValidations).toEqual([
      { condition: 'startswith(var.workspaces_root, "/") && trimsuffix(var.workspaces_root, "/") != ""', errorMessage: 'The workspaces_root must be an absolute path other than "/" (every build runs in a fresh working directory, so a relative path would not be stable).' },
    ]);
  });
});

describe('parseTemplateDirectory', () => {
  let tmp: string;
  beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-parse-')); });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('reads top-level .tf, .tf.json and berth.yaml only', async () => {
    const dir = path.join(tmp, 't1');
    fs.mkdirSync(path.join(dir, 'modules', 'm'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'dir.tf'));
    fs.writeFileSync(path.join(dir, 'main.tf'), 'variable "a" {\n  default = 1\n}\n');
    fs.writeFileSync(path.join(dir, 'more.tf.json'), '{"variable":{"b":{"type":"bool"}}}');
    fs.writeFileSync(path.join(dir, 'modules', 'm', 'main.tf'), 'variable "nested" {}\n');
    fs.writeFileSync(path.join(dir, 'README.md'), '# t1\n');
    fs.writeFileSync(path.join(dir, 'berth.yaml'), 'parameters:\n  a: { mutable: true }\n');
    const r = await parseTemplateDirectory(dir);
    expect(r.parameters.map((p) => [p.name, p.type, p.mutable])).toEqual([['a', 'number', true], ['b', 'bool', false]]);
  });

  it('a missing directory is an InputError', async () => {
    await expect(parseTemplateDirectory(path.join(tmp, 'nope'))).rejects.toThrow(InputError);
  });
});
