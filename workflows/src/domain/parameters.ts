/**
 * Rich template parameters for builds: validating one value, resolving every parameter of a
 * build (request > previous build > default), re-validating carried values when a workspace
 * moves to a new template version, masking sensitive values and typing values for tofu.
 *
 * Pure functions, plain TypeScript only (no I/O, no clock, no Node imports): imported by
 * Temporal workflow code. Supersedes the plain-values merge in variables.ts for builds.
 *
 * Coder sources (reference/lifecycle-semantics.md §5.2, §5.3):
 * - `codersdk/richparameters.go` — `ValidateWorkspaceBuildParameter` / `validateBuildParameter`
 *   and `ParameterResolver.ValidateResolve` (precedence, immutable and required checks);
 * - `coderd/wsbuilder/wsbuilder.go` — resolving every parameter of the build's version against
 *   the last build's values, presets added to the request;
 * - terraform-provider-coder `provider/parameter.go` — `Validation.Valid` (number min/max and
 *   monotonic, bool, list(string), regex) and the `error` message with `{min}`, `{max}`,
 *   `{value}` placeholders;
 * - coder/coder issue #12983 — a carried value that no longer validates fails the build.
 *
 * Sensitive parameters: their values never appear in error messages (shown as `********`).
 */
import type { ParameterType, Preset, TemplateParameter } from './parameter-types';

/** Which rule a value broke. */
export type ParameterRule =
  | 'required'
  | 'immutable'
  | 'type'
  | 'options'
  | 'min'
  | 'max'
  | 'regex'
  | 'monotonic'
  | 'unknown'
  | 'ephemeral';

/** Replaces sensitive values in API responses, logs and error messages. */
export const SENSITIVE_MASK = '********';

/**
 * A parameter value (or a template's parameter declaration) broke a rule. `parameter` is the
 * parameter's name, `rule` the rule; `message` names both in plain words, or is the template's
 * custom `validation.error` (placeholders filled) for value rules (type, options, min, max, regex,
 * monotonic). The API maps it to a 400 `InputError`; workflow code should rethrow it as a
 * non-retryable ApplicationFailure.
 */
export class ParameterError extends Error {
  readonly parameter: string;
  readonly rule: ParameterRule;

  constructor(parameter: string, rule: ParameterRule, message: string) {
    super(message);
    this.name = 'ParameterError';
    this.parameter = parameter;
    this.rule = rule;
  }
}

// ---------------------------------------------------------------------------------------------
// helpers

/** JSON number grammar: what a tfvars JSON file can carry verbatim. */
const NUMBER_RE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** The number a value denotes, or null when it is not a finite number in JSON number syntax. */
function parseNumber(value: string): number | null {
  if (!NUMBER_RE.test(value)) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function parseStringList(value: string): string[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) return null;
  return parsed as string[];
}

/** A value quoted for a message, or the mask for a sensitive parameter. */
function shown(p: TemplateParameter, value: string): string {
  return p.sensitive ? SENSITIVE_MASK : JSON.stringify(value);
}

/** A number value for a message (unquoted), or the mask for a sensitive parameter. */
function shownNumber(p: TemplateParameter, value: string): string {
  return p.sensitive ? SENSITIVE_MASK : value;
}

/** The error for a value rule: the template's custom message (placeholders filled) or ours. */
function valueError(p: TemplateParameter, rule: ParameterRule, value: string, message: string): ParameterError {
  const custom = p.validation.error;
  if (custom) {
    const filled = custom
      .replaceAll('{min}', p.validation.min === undefined ? '' : String(p.validation.min))
      .replaceAll('{max}', p.validation.max === undefined ? '' : String(p.validation.max))
      .replaceAll('{value}', p.sensitive ? SENSITIVE_MASK : value);
    return new ParameterError(p.name, rule, filled);
  }
  return new ParameterError(p.name, rule, message);
}

function requiredError(p: TemplateParameter): ParameterError {
  return new ParameterError(p.name, 'required', `parameter "${p.name}" is required but no value was given`);
}

/**
 * The value a build uses for `value`: Coder treats an empty value of a non-required parameter as
 * "use the default" (validateBuildParameter). Null when that default is null (tofu keeps null).
 */
function effectiveValue(p: TemplateParameter, value: string): string | null {
  return value === '' && !p.required ? p.defaultValue : value;
}

/** Display order (ascending), then name: the order errors are reported in. */
function byDisplayOrder(parameters: TemplateParameter[]): TemplateParameter[] {
  return [...parameters].sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function hasOwn(obj: Record<string, string> | null | undefined, key: string): obj is Record<string, string> {
  return obj !== null && obj !== undefined && Object.prototype.hasOwnProperty.call(obj, key);
}

function sortedRecord<T>(entries: [string, T][]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = v;
  return out;
}

function checkType(p: TemplateParameter, value: string, type: ParameterType): void {
  switch (type) {
    case 'number':
      if (parseNumber(value) === null) {
        throw valueError(p, 'type', value, `parameter "${p.name}" must be a number (got ${shown(p, value)})`);
      }
      return;
    case 'bool':
      if (value !== 'true' && value !== 'false') {
        throw valueError(p, 'type', value, `parameter "${p.name}" must be "true" or "false" (got ${shown(p, value)})`);
      }
      return;
    case 'list(string)':
      if (parseStringList(value) === null) {
        throw valueError(p, 'type', value, `parameter "${p.name}" must be a JSON array of strings (got ${shown(p, value)})`);
      }
      return;
    case 'string':
      return;
    default: {
      const never: never = type;
      throw new ParameterError(p.name, 'type', `parameter "${p.name}" has an unknown type "${String(never)}" (template error)`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// validation

/**
 * Validates one value of `p` for a build; `previous` is the previous build's value (null when
 * there is none) and only feeds the monotonic rule. Returns nothing; throws ParameterError.
 *
 * Rules, in order (Coder `codersdk/richparameters.go` validateBuildParameter, then
 * terraform-provider-coder `Validation.Valid`):
 * 1. `required` — an empty value of a required parameter. An empty value of a non-required
 *    parameter is replaced by the default before validating; if that default is null the
 *    parameter stays unset: fine when `nullable`, `required` error otherwise (tofu refuses null
 *    for a non-nullable variable).
 * 2. `options` — when the parameter has options, the value must equal one option's value and
 *    nothing else is checked (`must be one of: a, b (got "c")`).
 * 3. `type` — number: JSON number syntax and finite (`12`, `-0.5`, `1e3` pass; `''`, `' 1'`,
 *    `+1`, `.5`, `007`, `0x10`, `Infinity`, `NaN`, `1e999` fail — Berth is stricter than Go's
 *    ParseFloat so the value goes to tfvars JSON unchanged); bool: exactly `true` or `false`;
 *    list(string): a JSON array of strings (`[]` allowed); string: anything.
 * 4. number: `min` / `max` inclusive; `monotonic` (`increasing`: value ≥ previous,
 *    `decreasing`: value ≤ previous), only when `previous` is a valid number.
 * 5. string: `regex` (JavaScript syntax) must match the WHOLE value (anchored as `^(?:re)$`);
 *    a regex that does not compile is the template's fault: rule `regex`, message says so
 *    (the custom error is not used for it).
 * min/max/monotonic on a non-number and regex on a non-string are ignored (the template
 * discovery rejects them). The template's `validation.error` replaces the message of rules 2–5,
 * with `{min}`, `{max}` and `{value}` filled in. Sensitive values are masked in messages.
 */
export function validateParameterValue(p: TemplateParameter, value: string, previous: string | null): void {
  if (typeof value !== 'string') {
    throw new ParameterError(p.name, 'type', `parameter "${p.name}" must be given as a string (got ${value === null ? 'null' : typeof value})`);
  }
  if (value === '' && p.required) throw requiredError(p);
  const v = effectiveValue(p, value);
  if (v === null) {
    if (!p.nullable) throw requiredError(p);
    return;
  }

  if (p.options.length > 0) {
    if (!p.options.some((o) => o.value === v)) {
      const list = p.options.map((o) => o.value).join(', ');
      throw valueError(p, 'options', v, `parameter "${p.name}" must be one of: ${list} (got ${shown(p, v)})`);
    }
    return;
  }

  checkType(p, v, p.type);

  const { min, max, monotonic, regex } = p.validation;
  if (p.type === 'number') {
    const n = parseNumber(v) as number;
    if (min !== undefined && n < min) {
      throw valueError(p, 'min', v, `parameter "${p.name}" must be at least ${min} (got ${shownNumber(p, v)})`);
    }
    if (max !== undefined && n > max) {
      throw valueError(p, 'max', v, `parameter "${p.name}" must be at most ${max} (got ${shownNumber(p, v)})`);
    }
    const prev = previous === null ? null : parseNumber(previous);
    if (monotonic && prev !== null && previous !== null) {
      if (monotonic === 'increasing' && n < prev) {
        throw valueError(p, 'monotonic', v, `parameter "${p.name}" can only increase (was ${shownNumber(p, previous)}, asked ${shownNumber(p, v)})`);
      }
      if (monotonic === 'decreasing' && n > prev) {
        throw valueError(p, 'monotonic', v, `parameter "${p.name}" can only decrease (was ${shownNumber(p, previous)}, asked ${shownNumber(p, v)})`);
      }
    }
  }

  if (p.type === 'string' && regex !== undefined && regex !== '') {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${regex})$`);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new ParameterError(p.name, 'regex', `template error: parameter "${p.name}" has an invalid validation regex ${JSON.stringify(regex)} (${why})`);
    }
    if (!re.test(v)) {
      throw valueError(p, 'regex', v, `parameter "${p.name}" must match the pattern ${JSON.stringify(regex)} (got ${shown(p, v)})`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// resolution

/**
 * One parameter of a build: returns the value to store (null = leave unset) or throws.
 * `requested` is undefined when the caller did not send the parameter.
 */
function resolveOne(p: TemplateParameter, previous: Record<string, string> | null, requested: string | undefined): string | null {
  if (p.ephemeral && (!p.mutable || p.required || p.defaultValue === null)) {
    throw new ParameterError(p.name, 'ephemeral', `template error: parameter "${p.name}" is ephemeral, so it must be mutable and have a default`);
  }
  // Ephemeral values live for one build: the previous build's value is ignored entirely.
  const prev = !p.ephemeral && hasOwn(previous, p.name) ? previous[p.name] : null;

  if (!p.mutable && requested !== undefined && prev !== null && effectiveValue(p, requested) !== effectiveValue(p, prev)) {
    throw new ParameterError(
      p.name,
      'immutable',
      `parameter "${p.name}" is not mutable, so it can't be changed after the workspace's first build (was ${shown(p, prev)}, asked ${shown(p, requested)})`,
    );
  }
  if (p.required && requested === undefined && prev === null) throw requiredError(p);

  const raw = requested ?? prev ?? p.defaultValue;
  if (raw === null) {
    if (!p.nullable) throw requiredError(p);
    return null;
  }
  validateParameterValue(p, raw, prev);
  return effectiveValue(p, raw);
}

/**
 * Resolves the values of a build for EVERY parameter of its template version (Coder
 * `coderd/wsbuilder/wsbuilder.go` + `codersdk/richparameters.go` ParameterResolver, §5.3).
 *
 * Input: `parameters` of the build's version; `previous` = the last build's stored values
 * (null on the workspace's first build); `requested` = values the caller sent; `preset` = the
 * preset chosen for this build (of the same version).
 * Output: `values` — name → string, keys sorted, only parameters of this version (removed
 * parameters disappear), parameters left unset omitted; `ephemeralUsed` — sorted names of
 * ephemeral parameters given a non-empty value in this build (they reset on the next build).
 *
 * Steps (errors are ParameterError, thrown in this order):
 * 1. `unknown`: a requested (or preset) name that is not a parameter of the version; the
 *    message lists the known names. Checked before anything else.
 * 2. Preset: its values are added to the request. A request may repeat a preset value but not
 *    contradict it: rule `immutable` ("set to … by preset …"). (Coder silently lets the preset
 *    win; Berth refuses so a caller never believes a value was applied when it was not.)
 *    Preset values then go through every check below like requested ones.
 * 3. Per parameter, in display order (order, then name):
 *    - `ephemeral`: an ephemeral parameter that is not mutable or has no default (template error).
 *    - `immutable`: not mutable, has a previous value, and the request differs from it (compared
 *      after the empty → default substitution). A parameter new in this version (no previous
 *      value) and every parameter on the first build may be set.
 *    - `required`: required, not requested, no previous value.
 *    - value = request, else previous (not for ephemeral parameters), else default. A null
 *      default of a non-required parameter leaves it unset if `nullable`, else `required`.
 *    - validateParameterValue(value, previous) — so a carried value that no longer validates
 *      in a new version fails the build (issue #12983); this is exactly revalidateForVersion's
 *      first error when nothing is requested.
 * A requested key counts as a request even when empty: an empty value means "the default"
 * (Coder), so `{ size: '' }` resets a mutable parameter to its default.
 */
export function resolveBuildParameters(input: {
  parameters: TemplateParameter[];
  previous: Record<string, string> | null;
  requested?: Record<string, string>;
  preset?: Preset | null;
}): { values: Record<string, string>; ephemeralUsed: string[] } {
  const { parameters, previous } = input;
  const requested = input.requested ?? {};
  const preset = input.preset ?? null;
  const known = new Set(parameters.map((p) => p.name));
  const knownList = [...known].sort().join(', ');

  const unknownIn = (names: string[], where: string): void => {
    const bad = names.filter((n) => !known.has(n)).sort();
    if (bad.length > 0) {
      const list = known.size > 0 ? `known: ${knownList}` : 'this version has no parameters';
      throw new ParameterError(bad[0], 'unknown', `parameter "${bad[0]}"${where} is not a parameter of this template version (${list})`);
    }
  };
  unknownIn(Object.keys(requested), '');
  if (preset) unknownIn(Object.keys(preset.parameters), ` (set by preset "${preset.name}")`);

  const merged: Record<string, string> = { ...requested };
  if (preset) {
    const byName = new Map(parameters.map((p) => [p.name, p]));
    for (const name of Object.keys(preset.parameters).sort()) {
      const fixed = preset.parameters[name];
      if (hasOwn(requested, name) && requested[name] !== fixed) {
        const p = byName.get(name) as TemplateParameter;
        throw new ParameterError(
          name,
          'immutable',
          `parameter "${name}" is set to ${shown(p, fixed)} by preset "${preset.name}", so it can't be changed (asked ${shown(p, requested[name])})`,
        );
      }
      merged[name] = fixed;
    }
  }

  const entries: [string, string][] = [];
  const ephemeralUsed: string[] = [];
  for (const p of byDisplayOrder(parameters)) {
    const req = hasOwn(merged, p.name) ? merged[p.name] : undefined;
    const value = resolveOne(p, previous, req);
    if (value !== null) entries.push([p.name, value]);
    if (p.ephemeral && req !== undefined && req !== '') ephemeralUsed.push(p.name);
  }
  return { values: sortedRecord(entries), ephemeralUsed: ephemeralUsed.sort() };
}

/**
 * For a workspace moving to a new template version (`parameters` of that version, `previous` =
 * the last build's values): every ParameterError a build with NO requested values would hit,
 * at most one per parameter, in display order (order, then name). Mostly carried values that no
 * longer validate (options changed, min/max tightened, type changed — coder/coder #12983), plus
 * new required parameters without a value; a UI re-prompts for exactly these parameters.
 * `resolveBuildParameters({ parameters, previous })` throws the first of them. Never throws.
 */
export function revalidateForVersion(parameters: TemplateParameter[], previous: Record<string, string> | null): ParameterError[] {
  const errors: ParameterError[] = [];
  for (const p of byDisplayOrder(parameters)) {
    try {
      resolveOne(p, previous, undefined);
    } catch (e) {
      if (e instanceof ParameterError) errors.push(e);
      else throw e;
    }
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// sensitive values and tofu

/**
 * A copy of `values` (same keys, same order) with every value of a sensitive parameter
 * (Terraform `sensitive`) replaced by `********`, empty values included; for API responses and
 * logs. Names not in `parameters` are copied unchanged, so pass the parameters of the version
 * the values belong to. (Coder redacts sensitive values in build logs and the UI.)
 */
export function maskSensitive(parameters: TemplateParameter[], values: Record<string, string>): Record<string, string> {
  const sensitive = new Set(parameters.filter((p) => p.sensitive).map((p) => p.name));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) out[k] = sensitive.has(k) ? SENSITIVE_MASK : v;
  return out;
}

/**
 * The strings to redact from log lines: the non-empty values of sensitive parameters, plus the
 * non-empty items of sensitive list(string) values (a log may print them one by one); unique,
 * longest first (so a value is masked before any value it contains), ties in code-unit order.
 */
export function sensitiveValues(parameters: TemplateParameter[], values: Record<string, string>): string[] {
  const out = new Set<string>();
  for (const p of parameters) {
    if (!p.sensitive || !hasOwn(values, p.name)) continue;
    const v = values[p.name];
    if (v === '') continue;
    out.add(v);
    if (p.type === 'list(string)') for (const item of parseStringList(v) ?? []) if (item !== '') out.add(item);
  }
  return [...out].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Typed values for a tofu `*.tfvars.json` file: number → JSON number, bool → boolean,
 * list(string) → string array, string → string. Keys sorted; names not in `parameters` are
 * skipped. Values are expected to be resolved already; one that does not parse as its type
 * throws ParameterError rule `type` (message masked for sensitive parameters).
 * (Coder passes values as `CODER_PARAMETER_<hash>` environment variables read by the provider;
 * Berth passes Terraform variables, so it types them here.)
 */
export function toTofuVariableValues(parameters: TemplateParameter[], values: Record<string, string>): Record<string, unknown> {
  const entries: [string, unknown][] = [];
  for (const p of parameters) {
    if (!hasOwn(values, p.name)) continue;
    const v = values[p.name];
    checkType({ ...p, validation: {} }, v, p.type);
    switch (p.type) {
      case 'number':
        entries.push([p.name, parseNumber(v)]);
        break;
      case 'bool':
        entries.push([p.name, v === 'true']);
        break;
      case 'list(string)':
        entries.push([p.name, parseStringList(v)]);
        break;
      default:
        entries.push([p.name, v]);
    }
  }
  return sortedRecord(entries);
}
