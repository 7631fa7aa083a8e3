/**
 * Table-driven tests for rich template parameters (src/domain/parameters.ts): Coder's
 * validateBuildParameter and build parameter resolution (reference/lifecycle-semantics.md §5.2,
 * §5.3), template version updates (coder/coder #12983), presets, sensitive masking and tofu
 * typing. Every rule is covered in both directions: a value it allows and a value it refuses.
 */
import type { Preset, TemplateParameter } from '../src/domain/parameter-types';
import {
  maskSensitive,
  ParameterError,
  type ParameterRule,
  resolveBuildParameters,
  revalidateForVersion,
  SENSITIVE_MASK,
  sensitiveValues,
  toTofuVariableValues,
  validateParameterValue,
} from '../src/domain/parameters';

/** A mutable, optional string parameter with default "d"; rows override what they test. */
function param(name: string, over: Partial<TemplateParameter> = {}): TemplateParameter {
  return {
    name,
    displayName: name,
    description: '',
    icon: '',
    order: 0,
    type: 'string',
    defaultValue: 'd',
    required: false,
    sensitive: false,
    nullable: true,
    mutable: true,
    ephemeral: false,
    options: [],
    validation: {},
    terraformValidations: [],
    ...over,
  };
}

function opts(...values: string[]): TemplateParameter['options'] {
  return values.map((value) => ({ value, name: value.toUpperCase(), description: '', icon: '' }));
}

function preset(parameters: Record<string, string>, name = 'big'): Preset {
  return { name, description: '', parameters, default: false, prebuildInstances: 0, prebuildExpirationSeconds: null };
}

/** Runs fn and returns the ParameterError it throws (fails the test if it throws nothing else). */
function caught(fn: () => unknown): ParameterError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParameterError) return e;
    throw e;
  }
  throw new Error('expected a ParameterError, nothing was thrown');
}

const num = (name: string, v: TemplateParameter['validation'] = {}, over: Partial<TemplateParameter> = {}) =>
  param(name, { type: 'number', defaultValue: '1', validation: v, ...over });

// ---------------------------------------------------------------------------------------------

describe('validateParameterValue: allowed', () => {
  it.each<{ name: string; p: TemplateParameter; value: string; previous?: string | null }>([
    { name: 'string: anything', p: param('s'), value: 'any thing \n ✓' },
    { name: 'string: empty non-required falls back to default', p: param('s', { defaultValue: 'x' }), value: '' },
    { name: 'string: empty, nullable, no default (stays unset)', p: param('s', { defaultValue: null }), value: '' },
    { name: 'number: integer', p: num('n'), value: '42' },
    { name: 'number: negative fraction', p: num('n'), value: '-0.5' },
    { name: 'number: exponent', p: num('n'), value: '1e3' },
    { name: 'number: zero', p: num('n'), value: '0' },
    { name: 'number: empty falls back to a valid default', p: num('n', {}, { defaultValue: '7' }), value: '' },
    { name: 'min edge (inclusive)', p: num('cpu', { min: 1, max: 8 }), value: '1' },
    { name: 'max edge (inclusive)', p: num('cpu', { min: 1, max: 8 }), value: '8' },
    { name: 'min only, far above', p: num('cpu', { min: 1 }), value: '1000000' },
    { name: 'max only, far below', p: num('cpu', { max: 8 }), value: '-100' },
    { name: 'min 0 with 0', p: num('cpu', { min: 0 }), value: '0' },
    { name: 'monotonic increasing: bigger', p: num('disk', { monotonic: 'increasing' }), value: '60', previous: '50' },
    { name: 'monotonic increasing: equal', p: num('disk', { monotonic: 'increasing' }), value: '50', previous: '50' },
    { name: 'monotonic decreasing: smaller', p: num('lives', { monotonic: 'decreasing' }), value: '8', previous: '9' },
    { name: 'monotonic decreasing: equal', p: num('lives', { monotonic: 'decreasing' }), value: '9', previous: '9' },
    { name: 'monotonic without previous', p: num('disk', { monotonic: 'increasing' }), value: '1', previous: null },
    { name: 'monotonic with empty previous', p: num('disk', { monotonic: 'increasing' }), value: '1', previous: '' },
    { name: 'monotonic with non-number previous', p: num('disk', { monotonic: 'increasing' }), value: '1', previous: 'abc' },
    { name: 'monotonic compares numbers, not strings', p: num('disk', { monotonic: 'increasing' }), value: '10', previous: '9' },
    { name: 'bool: true', p: param('b', { type: 'bool', defaultValue: 'false' }), value: 'true' },
    { name: 'bool: false', p: param('b', { type: 'bool', defaultValue: 'false' }), value: 'false' },
    { name: 'list: strings', p: param('l', { type: 'list(string)', defaultValue: '[]' }), value: '["a","b"]' },
    { name: 'list: empty array', p: param('l', { type: 'list(string)', defaultValue: '[]' }), value: '[]' },
    { name: 'regex: full match', p: param('s', { validation: { regex: '[a-z]+' } }), value: 'abc' },
    { name: 'regex: alternation stays whole-value', p: param('s', { validation: { regex: 'a|bc' } }), value: 'bc' },
    { name: 'regex: already anchored', p: param('s', { validation: { regex: '^[0-9]{3}$' } }), value: '123' },
    { name: 'options: member', p: param('size', { options: opts('small', 'medium', 'large'), defaultValue: 'small' }), value: 'large' },
    { name: 'options: empty uses default member', p: param('size', { options: opts('small', 'large'), defaultValue: 'large' }), value: '' },
    { name: 'options: membership only (min ignored)', p: num('n', { min: 100 }, { options: opts('1', '2') }), value: '1' },
    { name: 'options on a list(string)', p: param('l', { type: 'list(string)', options: opts('["a"]', '["b"]'), defaultValue: '["a"]' }), value: '["b"]' },
  ])('$name', ({ p, value, previous }) => {
    expect(() => validateParameterValue(p, value, previous ?? null)).not.toThrow();
  });
});

describe('validateParameterValue: refused', () => {
  it.each<{ name: string; p: TemplateParameter; value: string; previous?: string | null; rule: ParameterRule; message: string | RegExp }>([
    { name: 'required, empty', p: param('image', { required: true, defaultValue: null }), value: '', rule: 'required', message: 'parameter "image" is required but no value was given' },
    { name: 'not nullable, no default, empty', p: param('s', { defaultValue: null, nullable: false }), value: '', rule: 'required', message: 'parameter "s" is required but no value was given' },
    { name: 'number: empty with no default and not nullable', p: num('n', {}, { defaultValue: null, nullable: false }), value: '', rule: 'required', message: /required/ },
    { name: 'number: letters', p: num('n'), value: 'abc', rule: 'type', message: 'parameter "n" must be a number (got "abc")' },
    { name: 'number: overflow 1e999', p: num('n'), value: '1e999', rule: 'type', message: /must be a number/ },
    { name: 'number: hex 0x10', p: num('n'), value: '0x10', rule: 'type', message: /must be a number/ },
    { name: 'number: Infinity', p: num('n'), value: 'Infinity', rule: 'type', message: /must be a number/ },
    { name: 'number: NaN', p: num('n'), value: 'NaN', rule: 'type', message: /must be a number/ },
    { name: 'number: leading space', p: num('n'), value: ' 1', rule: 'type', message: /must be a number/ },
    { name: 'number: plus sign', p: num('n'), value: '+1', rule: 'type', message: /must be a number/ },
    { name: 'number: leading zero', p: num('n'), value: '007', rule: 'type', message: /must be a number/ },
    { name: 'number: bare fraction', p: num('n'), value: '.5', rule: 'type', message: /must be a number/ },
    { name: 'number: empty and default not a number', p: num('n', {}, { defaultValue: 'x' }), value: '', rule: 'type', message: 'parameter "n" must be a number (got "x")' },
    { name: 'below min', p: num('cpu', { min: 1, max: 8 }), value: '0', rule: 'min', message: 'parameter "cpu" must be at least 1 (got 0)' },
    { name: 'above max', p: num('cpu', { min: 1, max: 8 }), value: '16', rule: 'max', message: 'parameter "cpu" must be at most 8 (got 16)' },
    { name: 'just above max (fraction)', p: num('cpu', { max: 8 }), value: '8.01', rule: 'max', message: /at most 8/ },
    { name: 'monotonic increasing: smaller', p: num('disk_gb', { monotonic: 'increasing' }), value: '20', previous: '50', rule: 'monotonic', message: 'parameter "disk_gb" can only increase (was 50, asked 20)' },
    { name: 'monotonic decreasing: bigger', p: num('lives', { monotonic: 'decreasing' }), value: '10', previous: '9', rule: 'monotonic', message: 'parameter "lives" can only decrease (was 9, asked 10)' },
    { name: 'monotonic numeric not lexical', p: num('disk', { monotonic: 'increasing' }), value: '9', previous: '10', rule: 'monotonic', message: /can only increase/ },
    { name: 'bool: yes', p: param('b', { type: 'bool' }), value: 'yes', rule: 'type', message: 'parameter "b" must be "true" or "false" (got "yes")' },
    { name: 'bool: True', p: param('b', { type: 'bool' }), value: 'True', rule: 'type', message: /"true" or "false"/ },
    { name: 'bool: 1', p: param('b', { type: 'bool' }), value: '1', rule: 'type', message: /"true" or "false"/ },
    { name: 'list: not JSON', p: param('l', { type: 'list(string)' }), value: 'a,b', rule: 'type', message: 'parameter "l" must be a JSON array of strings (got "a,b")' },
    { name: 'list: numbers', p: param('l', { type: 'list(string)' }), value: '[1,2]', rule: 'type', message: /JSON array of strings/ },
    { name: 'list: object', p: param('l', { type: 'list(string)' }), value: '{"a":"b"}', rule: 'type', message: /JSON array of strings/ },
    { name: 'list: JSON string', p: param('l', { type: 'list(string)' }), value: '"a"', rule: 'type', message: /JSON array of strings/ },
    { name: 'regex: prefix match only', p: param('s', { validation: { regex: '[a-z]+' } }), value: 'abc1', rule: 'regex', message: 'parameter "s" must match the pattern "[a-z]+" (got "abc1")' },
    { name: 'regex: suffix match only', p: param('s', { validation: { regex: '[a-z]+' } }), value: '1abc', rule: 'regex', message: /must match the pattern/ },
    { name: 'regex: alternation is anchored as a whole', p: param('s', { validation: { regex: 'a|bc' } }), value: 'abc', rule: 'regex', message: /must match the pattern/ },
    { name: 'regex: trailing newline', p: param('s', { validation: { regex: '[a-z]+' } }), value: 'abc\n', rule: 'regex', message: /must match the pattern/ },
    { name: 'regex: empty default does not match', p: param('s', { defaultValue: '', validation: { regex: '[a-z]+' } }), value: '', rule: 'regex', message: /got ""/ },
    { name: 'regex: invalid in template', p: param('s', { validation: { regex: '([a-z' } }), value: 'abc', rule: 'regex', message: /^template error: parameter "s" has an invalid validation regex "\(\[a-z"/ },
    { name: 'regex: invalid ignores custom error', p: param('s', { validation: { regex: '(', error: 'custom' } }), value: 'x', rule: 'regex', message: /^template error/ },
    { name: 'options: not a member', p: param('size', { options: opts('small', 'medium', 'large') }), value: 'huge', rule: 'options', message: 'parameter "size" must be one of: small, medium, large (got "huge")' },
    { name: 'options: option name is not its value', p: param('size', { options: opts('small', 'large') }), value: 'SMALL', rule: 'options', message: /must be one of/ },
    { name: 'options: empty and default not a member', p: param('size', { options: opts('small', 'large'), defaultValue: 'huge' }), value: '', rule: 'options', message: /got "huge"/ },
    { name: 'custom error with placeholders', p: num('cpu', { min: 2, max: 4, error: 'cpu {value} not in [{min}, {max}]' }), value: '5', rule: 'max', message: 'cpu 5 not in [2, 4]' },
    { name: 'custom error on regex', p: param('s', { validation: { regex: 'Hello.*', error: 'must start with Hello' } }), value: 'Bye', rule: 'regex', message: 'must start with Hello' },
    { name: 'custom error on type', p: num('n', { error: 'a number please' }), value: 'x', rule: 'type', message: 'a number please' },
    { name: 'custom error on monotonic', p: num('d', { monotonic: 'increasing', error: 'grow only' }), value: '1', previous: '2', rule: 'monotonic', message: 'grow only' },
    { name: 'sensitive value masked in message', p: param('token', { sensitive: true, validation: { regex: 'tok_.*' } }), value: 'secret123', rule: 'regex', message: `parameter "token" must match the pattern "tok_.*" (got ${SENSITIVE_MASK})` },
    { name: 'sensitive value masked in custom error', p: param('token', { sensitive: true, validation: { regex: 'tok_.*', error: 'bad {value}' } }), value: 'secret123', rule: 'regex', message: `bad ${SENSITIVE_MASK}` },
    { name: 'sensitive number masked', p: num('pin', { max: 9 }, { sensitive: true }), value: '12345', rule: 'max', message: `parameter "pin" must be at most 9 (got ${SENSITIVE_MASK})` },
  ])('$name', ({ p, value, previous, rule, message }) => {
    const e = caught(() => validateParameterValue(p, value, previous ?? null));
    expect(e.parameter).toBe(p.name);
    expect(e.rule).toBe(rule);
    if (typeof message === 'string') expect(e.message).toBe(message);
    else expect(e.message).toMatch(message);
    if (p.sensitive) expect(e.message).not.toContain(value);
  });

  it('ParameterError is an Error with a name', () => {
    const e = caught(() => validateParameterValue(num('n'), 'x', null));
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ParameterError');
  });
});

// ---------------------------------------------------------------------------------------------

type ResolveInput = Parameters<typeof resolveBuildParameters>[0];

describe('resolveBuildParameters: resolved values', () => {
  it.each<{ name: string; input: ResolveInput; values: Record<string, string>; ephemeralUsed?: string[] }>([
    { name: 'precedence: request beats previous and default', input: { parameters: [param('a')], previous: { a: 'prev' }, requested: { a: 'req' } }, values: { a: 'req' } },
    { name: 'precedence: previous beats default', input: { parameters: [param('a')], previous: { a: 'prev' } }, values: { a: 'prev' } },
    { name: 'precedence: default when nothing else', input: { parameters: [param('a', { defaultValue: 'def' })], previous: null }, values: { a: 'def' } },
    { name: 'precedence: default for a parameter absent from previous', input: { parameters: [param('a', { defaultValue: 'def' })], previous: { other: 'x' } }, values: { a: 'def' } },
    { name: 'empty request means the default', input: { parameters: [param('a', { defaultValue: 'def' })], previous: { a: 'prev' }, requested: { a: '' } }, values: { a: 'def' } },
    { name: 'ephemeral: requested value used this build', input: { parameters: [param('dbg', { ephemeral: true, defaultValue: 'off' })], previous: { dbg: 'off' }, requested: { dbg: 'on' } }, values: { dbg: 'on' }, ephemeralUsed: ['dbg'] },
    { name: 'ephemeral: previous value not carried', input: { parameters: [param('dbg', { ephemeral: true, defaultValue: 'off' })], previous: { dbg: 'on' } }, values: { dbg: 'off' } },
    { name: 'ephemeral: empty request not counted as used', input: { parameters: [param('dbg', { ephemeral: true, defaultValue: 'off' })], previous: null, requested: { dbg: '' } }, values: { dbg: 'off' } },
    { name: 'ephemeral: monotonic ignores the previous build', input: { parameters: [num('n', { monotonic: 'increasing' }, { ephemeral: true, defaultValue: '5' })], previous: { n: '9' }, requested: { n: '6' } }, values: { n: '6' }, ephemeralUsed: ['n'] },
    { name: 'required: first build with a value', input: { parameters: [param('image', { required: true, defaultValue: null })], previous: null, requested: { image: 'ubuntu' } }, values: { image: 'ubuntu' } },
    { name: 'required: later build carries the previous value', input: { parameters: [param('image', { required: true, defaultValue: null })], previous: { image: 'ubuntu' } }, values: { image: 'ubuntu' } },
    { name: 'immutable: same value requested', input: { parameters: [param('region', { mutable: false })], previous: { region: 'eu' }, requested: { region: 'eu' } }, values: { region: 'eu' } },
    { name: 'immutable: not requested, carried', input: { parameters: [param('region', { mutable: false })], previous: { region: 'eu' } }, values: { region: 'eu' } },
    { name: 'immutable: set on the first build', input: { parameters: [param('region', { mutable: false, defaultValue: 'eu' })], previous: null, requested: { region: 'us' } }, values: { region: 'us' } },
    { name: 'immutable: new parameter in a new version is settable', input: { parameters: [param('a'), param('zone', { mutable: false, defaultValue: 'z1' })], previous: { a: 'x' }, requested: { zone: 'z2' } }, values: { a: 'x', zone: 'z2' } },
    { name: 'immutable: empty request equal to previous default', input: { parameters: [param('region', { mutable: false, defaultValue: 'eu' })], previous: { region: 'eu' }, requested: { region: '' } }, values: { region: 'eu' } },
    { name: 'monotonic: increase against previous', input: { parameters: [num('disk', { monotonic: 'increasing' })], previous: { disk: '50' }, requested: { disk: '60' } }, values: { disk: '60' } },
    { name: 'monotonic: first build anything in range', input: { parameters: [num('disk', { monotonic: 'increasing', min: 1 })], previous: null, requested: { disk: '1' } }, values: { disk: '1' } },
    { name: 'removed parameters disappear', input: { parameters: [param('keep')], previous: { keep: 'k', gone: 'g' } }, values: { keep: 'k' } },
    { name: 'nullable with no default is omitted', input: { parameters: [param('opt', { defaultValue: null })], previous: null }, values: {} },
    { name: 'nullable with no default, empty request, omitted', input: { parameters: [param('opt', { defaultValue: null })], previous: null, requested: { opt: '' } }, values: {} },
    { name: 'nullable with no default, requested, kept', input: { parameters: [param('opt', { defaultValue: null })], previous: null, requested: { opt: 'v' } }, values: { opt: 'v' } },
    { name: 'default of empty string kept', input: { parameters: [param('e', { defaultValue: '' })], previous: null }, values: { e: '' } },
    { name: 'options + default', input: { parameters: [param('size', { options: opts('small', 'large'), defaultValue: 'small' })], previous: null }, values: { size: 'small' } },
    { name: 'bool and list(string) pass through as strings', input: { parameters: [param('b', { type: 'bool', defaultValue: 'false' }), param('l', { type: 'list(string)', defaultValue: '[]' })], previous: null, requested: { b: 'true', l: '["x"]' } }, values: { b: 'true', l: '["x"]' } },
    { name: 'preset values added to the request', input: { parameters: [param('size'), param('cpu')], previous: null, preset: preset({ size: 'large' }) }, values: { cpu: 'd', size: 'large' } },
    { name: 'preset: request repeating the preset value', input: { parameters: [param('size')], previous: null, requested: { size: 'large' }, preset: preset({ size: 'large' }) }, values: { size: 'large' } },
    { name: 'preset: request for another parameter', input: { parameters: [param('size'), param('cpu')], previous: null, requested: { cpu: '4' }, preset: preset({ size: 'large' }) }, values: { cpu: '4', size: 'large' } },
    { name: 'preset: beats previous', input: { parameters: [param('size')], previous: { size: 'small' }, preset: preset({ size: 'large' }) }, values: { size: 'large' } },
    { name: 'preset: null preset ignored', input: { parameters: [param('size')], previous: null, preset: null }, values: { size: 'd' } },
    { name: 'output keys sorted', input: { parameters: [param('zeta', { order: 1 }), param('alpha', { order: 2 }), param('mid', { order: 0 })], previous: null }, values: { alpha: 'd', mid: 'd', zeta: 'd' } },
  ])('$name', ({ input, values, ephemeralUsed }) => {
    const out = resolveBuildParameters(input);
    expect(out.values).toEqual(values);
    expect(Object.keys(out.values)).toEqual(Object.keys(values).sort());
    expect(out.ephemeralUsed).toEqual(ephemeralUsed ?? []);
  });

  it('does not modify its inputs', () => {
    const previous = { a: 'p', gone: 'g' };
    const requested = { a: 'r' };
    const pr = preset({ b: 'x' });
    resolveBuildParameters({ parameters: [param('a'), param('b')], previous, requested, preset: pr });
    expect(previous).toEqual({ a: 'p', gone: 'g' });
    expect(requested).toEqual({ a: 'r' });
    expect(pr.parameters).toEqual({ b: 'x' });
  });
});

describe('resolveBuildParameters: refused', () => {
  it.each<{ name: string; input: ResolveInput; parameter: string; rule: ParameterRule; message: string | RegExp }>([
    { name: 'required: first build, nothing given', input: { parameters: [param('image', { required: true, defaultValue: null })], previous: null }, parameter: 'image', rule: 'required', message: 'parameter "image" is required but no value was given' },
    { name: 'required: empty request', input: { parameters: [param('image', { required: true, defaultValue: null })], previous: null, requested: { image: '' } }, parameter: 'image', rule: 'required', message: /is required/ },
    { name: 'required: new in a later version', input: { parameters: [param('a'), param('image', { required: true, defaultValue: null })], previous: { a: 'x' } }, parameter: 'image', rule: 'required', message: /is required/ },
    { name: 'required: carried empty value', input: { parameters: [param('image', { required: true, defaultValue: null })], previous: { image: '' } }, parameter: 'image', rule: 'required', message: /is required/ },
    { name: 'not nullable, no default, nothing given', input: { parameters: [param('s', { defaultValue: null, nullable: false })], previous: null }, parameter: 's', rule: 'required', message: /is required/ },
    { name: 'immutable: different value', input: { parameters: [param('region', { mutable: false })], previous: { region: 'eu-west-1' }, requested: { region: 'us-east-1' } }, parameter: 'region', rule: 'immutable', message: 'parameter "region" is not mutable, so it can\'t be changed after the workspace\'s first build (was "eu-west-1", asked "us-east-1")' },
    { name: 'immutable: empty request resets to another default', input: { parameters: [param('region', { mutable: false, defaultValue: 'eu' })], previous: { region: 'us' }, requested: { region: '' } }, parameter: 'region', rule: 'immutable', message: /not mutable/ },
    { name: 'immutable: sensitive values masked', input: { parameters: [param('key', { mutable: false, sensitive: true })], previous: { key: 'old-secret' }, requested: { key: 'new-secret' } }, parameter: 'key', rule: 'immutable', message: `parameter "key" is not mutable, so it can't be changed after the workspace's first build (was ${SENSITIVE_MASK}, asked ${SENSITIVE_MASK})` },
    { name: 'immutable: preset changes it on a later build', input: { parameters: [param('region', { mutable: false })], previous: { region: 'eu' }, preset: preset({ region: 'us' }) }, parameter: 'region', rule: 'immutable', message: /not mutable/ },
    { name: 'monotonic: decrease against previous', input: { parameters: [num('disk_gb', { monotonic: 'increasing' })], previous: { disk_gb: '50' }, requested: { disk_gb: '20' } }, parameter: 'disk_gb', rule: 'monotonic', message: 'parameter "disk_gb" can only increase (was 50, asked 20)' },
    { name: 'max: requested too big', input: { parameters: [num('cpu', { max: 8 })], previous: null, requested: { cpu: '16' } }, parameter: 'cpu', rule: 'max', message: 'parameter "cpu" must be at most 8 (got 16)' },
    { name: 'options: requested not a member', input: { parameters: [param('size', { options: opts('small', 'medium', 'large'), defaultValue: 'small' })], previous: null, requested: { size: 'huge' } }, parameter: 'size', rule: 'options', message: 'parameter "size" must be one of: small, medium, large (got "huge")' },
    { name: 'options: default not a member', input: { parameters: [param('size', { options: opts('small'), defaultValue: 'big' })], previous: null }, parameter: 'size', rule: 'options', message: /got "big"/ },
    { name: 'unknown requested name', input: { parameters: [param('b'), param('a')], previous: null, requested: { a: 'x', nope: 'y' } }, parameter: 'nope', rule: 'unknown', message: 'parameter "nope" is not a parameter of this template version (known: a, b)' },
    { name: 'unknown: version has no parameters', input: { parameters: [], previous: null, requested: { x: '1' } }, parameter: 'x', rule: 'unknown', message: 'parameter "x" is not a parameter of this template version (this version has no parameters)' },
    { name: 'unknown: removed parameter requested', input: { parameters: [param('keep')], previous: { keep: 'k', gone: 'g' }, requested: { gone: 'g2' } }, parameter: 'gone', rule: 'unknown', message: /known: keep/ },
    { name: 'unknown: checked before other rules', input: { parameters: [param('image', { required: true, defaultValue: null })], previous: null, requested: { typo: 'x' } }, parameter: 'typo', rule: 'unknown', message: /not a parameter/ },
    { name: 'unknown: preset names a non-parameter', input: { parameters: [param('a')], previous: null, preset: preset({ zz: '1' }, 'p1') }, parameter: 'zz', rule: 'unknown', message: 'parameter "zz" (set by preset "p1") is not a parameter of this template version (known: a)' },
    { name: 'preset: request contradicts the preset', input: { parameters: [param('size')], previous: null, requested: { size: 'small' }, preset: preset({ size: 'large' }) }, parameter: 'size', rule: 'immutable', message: 'parameter "size" is set to "large" by preset "big", so it can\'t be changed (asked "small")' },
    { name: 'preset: empty request contradicts the preset', input: { parameters: [param('size')], previous: null, requested: { size: '' }, preset: preset({ size: 'large' }) }, parameter: 'size', rule: 'immutable', message: /by preset "big"/ },
    { name: 'preset: its value is validated', input: { parameters: [num('cpu', { max: 8 })], previous: null, preset: preset({ cpu: '64' }) }, parameter: 'cpu', rule: 'max', message: /at most 8/ },
    { name: 'ephemeral: not mutable (template error)', input: { parameters: [param('dbg', { ephemeral: true, mutable: false })], previous: null }, parameter: 'dbg', rule: 'ephemeral', message: 'template error: parameter "dbg" is ephemeral, so it must be mutable and have a default' },
    { name: 'ephemeral: no default (template error)', input: { parameters: [param('dbg', { ephemeral: true, defaultValue: null })], previous: null, requested: { dbg: 'x' } }, parameter: 'dbg', rule: 'ephemeral', message: /must be mutable and have a default/ },
    { name: 'ephemeral: required (template error)', input: { parameters: [param('dbg', { ephemeral: true, required: true })], previous: null, requested: { dbg: 'x' } }, parameter: 'dbg', rule: 'ephemeral', message: /ephemeral/ },
    { name: 'first error in display order', input: { parameters: [num('b', { max: 1 }, { order: 2 }), num('a', { max: 1 }, { order: 5 }), num('c', { max: 1 }, { order: 2 })], previous: null, requested: { a: '9', b: '9', c: '9' } }, parameter: 'b', rule: 'max', message: /"b"/ },
  ])('$name', ({ input, parameter, rule, message }) => {
    const e = caught(() => resolveBuildParameters(input));
    expect(e.parameter).toBe(parameter);
    expect(e.rule).toBe(rule);
    if (typeof message === 'string') expect(e.message).toBe(message);
    else expect(e.message).toMatch(message);
  });
});

// ---------------------------------------------------------------------------------------------

describe('template version update: carried values re-validated (coder/coder #12983)', () => {
  const previous = { size: 'medium', disk: '50', count: 'abc', region: 'eu', ok: '3' };
  // Declared out of display order on purpose: errors come in display order (order, then name).
  const newVersion: TemplateParameter[] = [
    param('image', { required: true, defaultValue: null, order: 4 }), // new and required
    num('count', {}, { order: 3 }), // type changed string → number
    param('region', { mutable: false }), // still fine
    num('disk', { min: 100 }, { order: 2 }), // min raised above the carried 50
    num('ok', { min: 1, max: 5 }), // still fine
    param('size', { options: opts('small', 'large'), defaultValue: 'small', order: 1 }), // medium removed
  ];

  it.each<{ name: string; parameter: string; rule: ParameterRule; message: string | RegExp }>([
    { name: 'options removed', parameter: 'size', rule: 'options', message: 'parameter "size" must be one of: small, large (got "medium")' },
    { name: 'min raised', parameter: 'disk', rule: 'min', message: 'parameter "disk" must be at least 100 (got 50)' },
    { name: 'type changed', parameter: 'count', rule: 'type', message: 'parameter "count" must be a number (got "abc")' },
    { name: 'new required parameter', parameter: 'image', rule: 'required', message: /is required/ },
  ])('revalidateForVersion lists $name', ({ parameter, rule, message }) => {
    const found = revalidateForVersion(newVersion, previous).find((e) => e.parameter === parameter);
    expect(found).toBeInstanceOf(ParameterError);
    expect(found?.rule).toBe(rule);
    if (typeof message === 'string') expect(found?.message).toBe(message);
    else expect(found?.message).toMatch(message);
  });

  it('revalidateForVersion lists exactly the broken parameters, in display order', () => {
    expect(revalidateForVersion(newVersion, previous).map((e) => `${e.parameter}:${e.rule}`)).toEqual([
      'size:options',
      'disk:min',
      'count:type',
      'image:required',
    ]);
  });

  it('resolveBuildParameters throws the first of them', () => {
    const first = revalidateForVersion(newVersion, previous)[0];
    const e = caught(() => resolveBuildParameters({ parameters: newVersion, previous }));
    expect([e.parameter, e.rule, e.message]).toEqual([first.parameter, first.rule, first.message]);
  });

  it('re-prompted values fix the build', () => {
    const out = resolveBuildParameters({ parameters: newVersion, previous, requested: { size: 'large', disk: '100', count: '2', image: 'ubuntu' } });
    expect(out.values).toEqual({ count: '2', disk: '100', image: 'ubuntu', ok: '3', region: 'eu', size: 'large' });
  });

  it.each<{ name: string; parameters: TemplateParameter[]; previous: Record<string, string> | null }>([
    { name: 'nothing changed', parameters: [param('a'), num('n', { min: 1 })], previous: { a: 'x', n: '1' } },
    { name: 'removed parameter with a bad value is ignored', parameters: [param('a')], previous: { a: 'x', gone: 'not-valid-anywhere' } },
    { name: 'ephemeral previous value is not carried', parameters: [param('dbg', { ephemeral: true, defaultValue: 'off', options: opts('off', 'on') })], previous: { dbg: 'removed-option' } },
    { name: 'first build with defaults only', parameters: [param('a'), num('n')], previous: null },
  ])('revalidateForVersion finds nothing: $name', ({ parameters, previous: prev }) => {
    expect(revalidateForVersion(parameters, prev)).toEqual([]);
    expect(() => resolveBuildParameters({ parameters, previous: prev })).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------

describe('sensitive values', () => {
  const parameters = [
    param('token', { sensitive: true }),
    param('empty_secret', { sensitive: true }),
    param('keys', { sensitive: true, type: 'list(string)' }),
    param('region'),
  ];

  it.each<{ name: string; values: Record<string, string>; masked: Record<string, string> }>([
    { name: 'sensitive value replaced', values: { token: 'abc', region: 'eu' }, masked: { token: SENSITIVE_MASK, region: 'eu' } },
    { name: 'non-sensitive untouched', values: { region: 'eu' }, masked: { region: 'eu' } },
    { name: 'empty sensitive value masked too', values: { empty_secret: '' }, masked: { empty_secret: SENSITIVE_MASK } },
    { name: 'sensitive list masked whole', values: { keys: '["k1","k2"]' }, masked: { keys: SENSITIVE_MASK } },
    { name: 'unknown names copied', values: { other: 'x' }, masked: { other: 'x' } },
  ])('maskSensitive: $name', ({ values, masked }) => {
    const copy = { ...values };
    expect(maskSensitive(parameters, values)).toEqual(masked);
    expect(values).toEqual(copy);
  });

  it.each<{ name: string; values: Record<string, string>; expected: string[] }>([
    { name: 'longest first', values: { token: 'abc', keys: '["longer-secret"]' }, expected: ['["longer-secret"]', 'longer-secret', 'abc'] },
    { name: 'empty values skipped', values: { empty_secret: '', token: 'x' }, expected: ['x'] },
    { name: 'non-sensitive skipped', values: { region: 'eu-west-1' }, expected: [] },
    { name: 'duplicates once, equal lengths ordered', values: { token: 'bb', empty_secret: 'aa', keys: '["bb",""]' }, expected: ['["bb",""]', 'aa', 'bb'] },
  ])('sensitiveValues: $name', ({ values, expected }) => {
    expect(sensitiveValues(parameters, values)).toEqual(expected);
  });
});

describe('toTofuVariableValues', () => {
  const parameters = [
    param('s'),
    param('n', { type: 'number' }),
    param('b', { type: 'bool' }),
    param('l', { type: 'list(string)' }),
  ];

  it.each<{ name: string; values: Record<string, string>; expected: Record<string, unknown> }>([
    { name: 'string stays a string', values: { s: '42' }, expected: { s: '42' } },
    { name: 'number becomes a JSON number', values: { n: '42' }, expected: { n: 42 } },
    { name: 'fraction and exponent', values: { n: '-1.5e2' }, expected: { n: -150 } },
    { name: 'bool true', values: { b: 'true' }, expected: { b: true } },
    { name: 'bool false', values: { b: 'false' }, expected: { b: false } },
    { name: 'list becomes an array', values: { l: '["a","b"]' }, expected: { l: ['a', 'b'] } },
    { name: 'empty list', values: { l: '[]' }, expected: { l: [] } },
    { name: 'names not in parameters skipped', values: { s: 'x', gone: 'y' }, expected: { s: 'x' } },
    { name: 'all types, keys sorted', values: { s: 'x', n: '1', b: 'true', l: '["z"]' }, expected: { b: true, l: ['z'], n: 1, s: 'x' } },
  ])('$name', ({ values, expected }) => {
    const out = toTofuVariableValues(parameters, values);
    expect(out).toStrictEqual(expected);
    expect(Object.keys(out)).toEqual(Object.keys(expected).sort());
  });

  it.each<{ name: string; values: Record<string, string>; parameter: string }>([
    { name: 'number that is not a number', values: { n: 'many' }, parameter: 'n' },
    { name: 'bool that is not a bool', values: { b: 'yes' }, parameter: 'b' },
    { name: 'list that is not a list', values: { l: 'a,b' }, parameter: 'l' },
  ])('refuses an unresolved value: $name', ({ values, parameter }) => {
    const e = caught(() => toTofuVariableValues(parameters, values));
    expect([e.parameter, e.rule]).toEqual([parameter, 'type']);
  });

  it('resolve → tofu values round trip', () => {
    const { values } = resolveBuildParameters({ parameters, previous: null, requested: { n: '3', b: 'true', l: '["x"]' } });
    expect(toTofuVariableValues(parameters, values)).toStrictEqual({ b: true, l: ['x'], n: 3, s: 'd' });
  });
});
