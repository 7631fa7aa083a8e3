/**
 * Template parameter discovery: reads a template version's root-module `variable` blocks
 * (top-level `*.tf` / `*.tf.json`, as OpenTofu does) and its optional `berth.yaml`, and returns
 * the parameters and presets recorded with the version (shapes in domain/parameter-types.ts,
 * modelled on Coder's `coder_parameter` and `coder_workspace_preset`,
 * reference/lifecycle-semantics.md §5.2).
 *
 *  - Every `variable` becomes a parameter, except `berth_*` variables: those carry workspace
 *    metadata that Berth sets as `TF_VAR_berth_*` (BERTH_METADATA_VARIABLES). Any other
 *    `berth_*` name is an error (reserved prefix; it could never be set).
 *  - Supported types: string, number, bool, list(string) (Coder's set). Without a `type` the
 *    default's JSON type decides, else string.
 *  - `berth.yaml` (or `berth.yml`) adds what Terraform cannot say: display name, icon, order,
 *    mutable (default false, like Coder), ephemeral, options, validation, and presets. It is
 *    validated strictly: unknown keys are errors.
 *
 * Every problem is an InputError whose message names the file, the variable or key path and,
 * when known, the line: `berth.yaml: unknown key "parameters.cpu.colour" (line 4)`.
 * Node code (reads files, loads the HCL parser's WASM); never import it from workflow code.
 */
import safeRegex from 'safe-regex2';
import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors';
import { PARAMETER_TYPES, type ParameterOption, type ParameterType, type ParameterValidation, type Preset, type TemplateParameter, type TerraformValidation } from '../domain/parameter-types';
import { ParameterError, validateParameterValue } from '../domain/parameters';
import { RESERVED_VARIABLE_PREFIX } from '../domain/variables';

export interface TemplateFile { path: string; content: Buffer }

export interface ParsedTemplate {
  /** Sorted by (order, name). */
  parameters: TemplateParameter[];
  /** In berth.yaml order. */
  presets: Preset[];
  /** Non-fatal findings, each naming the file (and key) it is about. */
  warnings: string[];
}

/**
 * Workspace metadata variables Berth sets on every build (`TF_VAR_<name>`, see
 * terraform/env.ts), with the Terraform type a template may declare for each. They are not
 * parameters.
 */
export const BERTH_METADATA_VARIABLES: Readonly<Record<string, ParameterType>> = {
  berth_workspace_id: 'string',
  berth_workspace_name: 'string',
  berth_workspace_owner: 'string',
  berth_workspace_transition: 'string',
  berth_build_number: 'number',
  berth_template_name: 'string',
};

/** Names of the optional Berth config file beside the .tf files (at most one may exist). */
export const BERTH_CONFIG_FILES = ['berth.yaml', 'berth.yml'] as const;

/** Same rule as domain/variables.ts: build values can only be given for such names. */
const PARAMETER_NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/**
 * Reads the top-level `*.tf`, `*.tf.json` and `berth.yaml`/`berth.yml` of `dir` (subdirectories
 * are modules OpenTofu does not read as part of the root module) and parses them.
 */
export async function parseTemplateDirectory(dir: string): Promise<ParsedTemplate> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).sort();
  } catch (e) {
    throw new InputError(`template directory ${dir} cannot be read: ${(e as Error).message}`);
  }
  const files: TemplateFile[] = [];
  for (const name of names) {
    if (classify(name) === null) continue;
    const full = path.join(dir, name);
    const st = await fs.stat(full);
    if (!st.isFile()) continue;
    files.push({ path: name, content: await fs.readFile(full) });
  }
  return parseTemplateFiles(files);
}

/**
 * Parses a template version from its files (e.g. an archive's entries). Only top-level files
 * count: `*.tf`, `*.tf.json` (override files `override.tf`, `*_override.tf` are merged into the
 * declarations they override, as OpenTofu does) and `berth.yaml` or `berth.yml`. Anything else
 * (README.md, nested modules, scripts) is ignored. Throws InputError on the first problem.
 */
export async function parseTemplateFiles(files: Array<{ path: string; content: Buffer }>): Promise<ParsedTemplate> {
  const warnings: string[] = [];
  const tf: Array<{ name: string; text: string; kind: 'tf' | 'tf.json' }> = [];
  const configs: Array<{ name: string; text: string }> = [];
  const seen = new Set<string>();
  for (const f of files) {
    const name = f.path.replace(/^(\.\/)+/, '');
    if (name.includes('/') || name === '') continue;
    const kind = classify(name);
    if (kind === null) continue;
    if (seen.has(name)) throw new InputError(`${name}: the file is listed twice`, { file: name });
    seen.add(name);
    const text = decodeUtf8(name, f.content);
    if (kind === 'config') configs.push({ name, text });
    else tf.push({ name, text, kind });
  }
  if (tf.length === 0) throw new InputError('template has no .tf files at the top level');
  if (configs.length > 1) throw new InputError(`${configs.map((c) => c.name).sort().join(' and ')}: both exist; keep only one of them`, { file: configs[0].name });
  tf.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const declarations: VariableDecl[] = [];
  for (const f of tf) {
    if (f.kind === 'tf') declarations.push(...(await hclVariables(f.name, f.text)));
    else declarations.push(...jsonVariables(f.name, f.text));
  }
  const variables = mergeDeclarations(declarations);

  const parameters: TemplateParameter[] = [];
  for (const d of variables) {
    const v = readVariable(d, warnings);
    if (d.name.startsWith(RESERVED_VARIABLE_PREFIX)) {
      const want = BERTH_METADATA_VARIABLES[d.name];
      if (!want) {
        throw tfError(d, `the "${RESERVED_VARIABLE_PREFIX}" prefix is reserved for workspace metadata set by Berth (${Object.keys(BERTH_METADATA_VARIABLES).join(', ')}); rename the variable`);
      }
      if (v.type !== want && v.type !== 'string') throw tfError(d, `Berth sets it to a ${want}; declare type = ${want} (or string)`);
      continue;
    }
    if (!PARAMETER_NAME_RE.test(d.name)) throw tfError(d, 'a parameter name must be at most 64 characters (letters, digits, "_" and "-", not starting with a digit or "-")');
    parameters.push({
      name: d.name,
      displayName: d.name,
      description: v.description,
      icon: '',
      order: 0,
      type: v.type,
      defaultValue: v.defaultValue,
      required: v.required,
      sensitive: v.sensitive,
      nullable: v.nullable,
      mutable: false,
      ephemeral: false,
      options: [],
      validation: {},
      terraformValidations: v.terraformValidations,
    });
  }

  let presets: Preset[] = [];
  if (configs.length === 1) {
    presets = applyConfig(configs[0].name, configs[0].text, parameters, variables, warnings);
  } else if (parameters.length > 0) {
    warnings.push(`no berth.yaml: all ${parameters.length} parameter(s) are immutable after a workspace's first build (add berth.yaml with mutable: true to allow changes)`);
  }

  parameters.sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { parameters, presets, warnings };
}

// ---------------------------------------------------------------------------------------------
// Values: options, defaults and preset values are checked with the build rules
// (domain/parameters.ts validateParameterValue), so a template can only offer values a build
// accepts.
// ---------------------------------------------------------------------------------------------

/** JSON number grammar, as the build rules use. */
const NUMBER_RE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Why `value` would be refused for `p` on a build (no previous value), or null. */
function valueProblem(p: TemplateParameter, value: string): string | null {
  try {
    validateParameterValue(p, value, null);
    return null;
  } catch (e) {
    if (e instanceof ParameterError) return e.message;
    throw e;
  }
}

/** Why `value` is not of `p`'s type (options and validation ignored; "" is a value), or null. */
function typeProblem(p: TemplateParameter, value: string): string | null {
  return valueProblem({ ...p, required: false, nullable: true, defaultValue: value, options: [], validation: {} }, value);
}

/** list(string) values are stored as canonical JSON (`["a","b"]`), everything else as given. */
function canonicalValue(type: ParameterType, value: string): string {
  return type === 'list(string)' ? JSON.stringify(JSON.parse(value)) : value;
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

/** What a top-level file is to us, or null (ignored). Mirrors OpenTofu's ignore rules for editor/hidden files. */
function classify(name: string): 'tf' | 'tf.json' | 'config' | null {
  if (name.startsWith('.') || name.endsWith('~') || (name.startsWith('#') && name.endsWith('#'))) return null;
  if ((BERTH_CONFIG_FILES as readonly string[]).includes(name)) return 'config';
  if (name.endsWith('.tf.json')) return 'tf.json';
  if (name.endsWith('.tf')) return 'tf';
  return null;
}

function isOverrideFile(name: string): boolean {
  const base = name.replace(/\.tf(\.json)?$/, '');
  return base === 'override' || base.endsWith('_override');
}

function decodeUtf8(name: string, content: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    throw new InputError(`${name}: not valid UTF-8`, { file: name });
  }
}

function where(line: number | null | undefined): string {
  return line ? ` (line ${line})` : '';
}

// ---------------------------------------------------------------------------------------------
// Variable declarations (.tf via @cdktf/hcl2json, .tf.json directly)
// ---------------------------------------------------------------------------------------------

type Body = Record<string, unknown>;

interface VariableDecl {
  name: string;
  file: string;
  line: number | null;
  /** hcl2json's shape: expressions as "${…}" strings, literals as JSON, nested blocks as arrays. */
  body: Body;
  override: boolean;
}

function tfError(d: Pick<VariableDecl, 'name' | 'file' | 'line'>, problem: string): InputError {
  return new InputError(`${d.file}: variable "${d.name}": ${problem}${where(d.line)}`, { file: d.file, line: d.line ?? undefined, variable: d.name });
}

type Hcl2Json = typeof import('@cdktf/hcl2json');
let hcl2json: Hcl2Json | undefined;
/** Loaded on first use: requiring the package starts its Go WASM runtime. */
function hclParser(): Hcl2Json {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  hcl2json ??= require('@cdktf/hcl2json') as Hcl2Json;
  return hcl2json;
}

const isObject = (v: unknown): v is Body => v !== null && typeof v === 'object' && !Array.isArray(v);

async function hclVariables(file: string, text: string): Promise<VariableDecl[]> {
  let doc: Record<string, unknown>;
  try {
    doc = await hclParser().parse(file, text);
  } catch (e) {
    const msg = String((e as Error)?.message ?? e).replace(/^parse config: \[/, '').replace(/\]$/, '');
    throw new InputError(`${file}: invalid HCL: ${msg}`, { file });
  }
  const vars = doc.variable;
  if (vars === undefined) return [];
  if (!isObject(vars)) throw new InputError(`${file}: a variable block needs exactly one label, its name (variable "name" { … })`, { file });
  const out: VariableDecl[] = [];
  for (const [name, bodies] of Object.entries(vars)) {
    const lines = variableLines(text, name);
    if (!Array.isArray(bodies)) throw new InputError(`${file}: variable "${name}": a variable block takes exactly one label${where(lines[0])}`, { file, variable: name });
    bodies.forEach((body, i) => {
      if (!isObject(body)) throw new InputError(`${file}: variable "${name}": unexpected block shape${where(lines[i])}`, { file, variable: name });
      out.push({ name, file, line: lines[i] ?? null, body, override: isOverrideFile(file) });
    });
  }
  // hcl2json sorts block labels alphabetically; restore source order for messages and warnings.
  return out.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}

/** 1-based lines of `variable "name" {` in source order (best effort: a match inside a heredoc would count too). */
function variableLines(text: string, name: string): number[] {
  const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^[ \\t]*variable[ \\t]+(?:"${esc}"|${esc})(?:[ \\t]+"[^"\\n]*")*[ \\t]*\\{`, 'gm');
  const lines: number[] = [];
  for (const m of text.matchAll(re)) lines.push(text.slice(0, m.index).split('\n').length);
  return lines;
}

/**
 * `.tf.json` (Terraform's JSON syntax): variable bodies are normalised to hcl2json's shape
 * (type as "${type}", validation as an array), so the rest of the code sees one shape.
 */
function jsonVariables(file: string, text: string): VariableDecl[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: invalid JSON: ${(e as Error).message}`, { file });
  }
  if (!isObject(doc)) throw new InputError(`${file}: the top level must be a JSON object`, { file });
  const raw = doc.variable;
  if (raw === undefined) return [];
  const maps = Array.isArray(raw) ? raw : [raw];
  const out: VariableDecl[] = [];
  for (const m of maps) {
    if (!isObject(m)) throw new InputError(`${file}: "variable" must be an object of variable name → block`, { file });
    for (const [name, bodies] of Object.entries(m)) {
      if (name === '//') continue;
      for (const b of Array.isArray(bodies) ? bodies : [bodies]) {
        if (!isObject(b)) throw new InputError(`${file}: variable "${name}": the block must be a JSON object`, { file, variable: name });
        const body: Body = {};
        for (const [k, v] of Object.entries(b)) {
          if (k === '//') continue;
          if (k === 'type' && typeof v === 'string') body.type = v.trim().startsWith('${') ? v : `\${${v}}`;
          else if (k === 'validation') body.validation = Array.isArray(v) ? v : [v];
          else body[k] = v;
        }
        out.push({ name, file, line: null, body, override: isOverrideFile(file) });
      }
    }
  }
  return out;
}

/**
 * One declaration per name. Two declarations of a name in non-override files is an error naming
 * both places; a declaration in an override file replaces the arguments (and validation blocks)
 * it sets in the original one, and must have an original.
 */
function mergeDeclarations(decls: VariableDecl[]): VariableDecl[] {
  const byName = new Map<string, VariableDecl>();
  const place = (d: VariableDecl) => `${d.file}${where(d.line)}`;
  for (const d of decls.filter((x) => !x.override)) {
    const prev = byName.get(d.name);
    if (prev) {
      throw new InputError(`${d.file}: variable "${d.name}" is declared twice: in ${place(prev)} and in ${place(d)}`, { file: d.file, line: d.line ?? undefined, variable: d.name, files: [prev.file, d.file] });
    }
    byName.set(d.name, d);
  }
  for (const d of decls.filter((x) => x.override)) {
    const base = byName.get(d.name);
    if (!base) throw tfError(d, `the override file declares a variable that no other file declares (OpenTofu: "Missing base variable declaration to override")`);
    byName.set(d.name, { ...base, body: { ...base.body, ...d.body } });
  }
  return [...byName.values()];
}

const VARIABLE_ARGUMENTS = new Set(['type', 'default', 'description', 'sensitive', 'nullable', 'validation', 'ephemeral', 'deprecated']);

interface VariableInfo {
  type: ParameterType;
  defaultValue: string | null;
  required: boolean;
  description: string;
  sensitive: boolean;
  nullable: boolean;
  terraformValidations: TerraformValidation[];
}

function readVariable(d: VariableDecl, warnings: string[]): VariableInfo {
  const b = d.body;
  for (const k of Object.keys(b)) {
    if (!VARIABLE_ARGUMENTS.has(k)) warnings.push(`${d.file}: variable "${d.name}": unknown argument "${k}" (ignored by Berth; OpenTofu will reject it)${where(d.line)}`);
  }
  const declared = declaredType(d);
  const hasDefault = Object.prototype.hasOwnProperty.call(b, 'default');
  let type: ParameterType = declared ?? 'string';
  let defaultValue: string | null = null;
  if (hasDefault && b.default !== null) {
    const literal = literalValue(d, b.default);
    type = declared ?? inferType(d, literal);
    defaultValue = convertDefault(d, type, literal, warnings);
  }
  const sensitive = boolArg(d, 'sensitive', false);
  const nullable = boolArg(d, 'nullable', true);
  if (hasDefault && b.default === null && !nullable) throw tfError(d, 'default = null is not valid when nullable = false');
  let description = '';
  if (b.description !== undefined) {
    if (typeof b.description !== 'string') throw tfError(d, 'description must be a string');
    description = literalText(b.description) ?? b.description;
  }
  return { type, defaultValue, required: !hasDefault, description, sensitive, nullable, terraformValidations: validations(d) };
}

function declaredType(d: VariableDecl): ParameterType | undefined {
  const raw = d.body.type;
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw tfError(d, `type must be a type expression (${PARAMETER_TYPES.join(', ')})`);
  if (!raw.trim().startsWith('${')) {
    throw tfError(d, `type = "${raw}" is a quoted type constraint (Terraform 0.11 syntax); write type = ${raw} without quotes`);
  }
  const expr = stripInterpolation(raw);
  const norm = expr.replace(/\s+/g, '') as ParameterType;
  if (PARAMETER_TYPES.includes(norm)) return norm;
  throw tfError(d, `type ${expr} is not supported; a parameter must be one of ${PARAMETER_TYPES.join(', ')}`);
}

/** The default as a literal JSON value with HCL string escapes undone; expressions are errors. */
function literalValue(d: VariableDecl, v: unknown): unknown {
  if (typeof v === 'string') {
    const s = literalText(v);
    if (s === null) throw tfError(d, `default must be a literal value; ${JSON.stringify(v)} is an expression Berth cannot evaluate`);
    return s;
  }
  if (Array.isArray(v)) return v.map((x) => literalValue(d, x));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, literalValue(d, x)]));
  return v;
}

function inferType(d: VariableDecl, v: unknown): ParameterType {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return 'list(string)';
  throw tfError(d, `without a type, the default ${JSON.stringify(v)} does not give a supported type; declare type = ${PARAMETER_TYPES.join(' | ')}`);
}

/**
 * The default in Berth's string form. Conversions OpenTofu itself makes (5 → "5" for a string,
 * "5" → 5 for a number, "true" → true for a bool, [1] → ["1"] for list(string)) are accepted
 * with a warning; anything OpenTofu would reject is an error.
 */
function convertDefault(d: VariableDecl, type: ParameterType, v: unknown, warnings: string[]): string {
  const bad = () => tfError(d, `default ${JSON.stringify(v)} is not a valid ${type}`);
  const converted = (to: string) => {
    warnings.push(`${d.file}: variable "${d.name}": default ${JSON.stringify(v)} is converted to the ${type} ${to} (write it as one)${where(d.line)}`);
    return to;
  };
  switch (type) {
    case 'string':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean') return converted(String(v));
      throw bad();
    case 'number':
      if (typeof v === 'number') return String(v);
      if (typeof v === 'string' && NUMBER_RE.test(v.trim())) return converted(String(Number(v)));
      throw bad();
    case 'bool':
      if (typeof v === 'boolean') return String(v);
      if (v === 'true' || v === 'false') return converted(v);
      throw bad();
    case 'list(string)': {
      if (!Array.isArray(v) || !v.every((x) => ['string', 'number', 'boolean'].includes(typeof x))) throw bad();
      const list = v.map(String);
      const json = JSON.stringify(list);
      return v.every((x) => typeof x === 'string') ? json : converted(json);
    }
  }
}

function boolArg(d: VariableDecl, key: 'sensitive' | 'nullable', dflt: boolean): boolean {
  const v = d.body[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw tfError(d, `${key} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function validations(d: VariableDecl): TerraformValidation[] {
  const raw = d.body.validation;
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw tfError(d, 'validation must be a block');
  return raw.map((v, i) => {
    const n = raw.length > 1 ? ` #${i + 1}` : '';
    if (!isObject(v) || v.condition === undefined || v.error_message === undefined) throw tfError(d, `validation block${n} needs condition and error_message`);
    if (typeof v.error_message !== 'string') throw tfError(d, `validation block${n}: error_message must be a string`);
    const condition = typeof v.condition === 'string' ? stripInterpolation(v.condition) : JSON.stringify(v.condition);
    return { condition, errorMessage: literalText(v.error_message) ?? v.error_message };
  });
}

/**
 * hcl2json keeps template escapes: a literal "${x}" arrives as "$${x}". Returns the string with
 * `$${` / `%%{` undone, or null when it contains a live interpolation or directive.
 */
function literalText(s: string): string | null {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if ((c === '$' || c === '%') && s[i + 1] === c && s[i + 2] === '{') { out += `${c}{`; i += 2; continue; }
    if ((c === '$' || c === '%') && s[i + 1] === '{') return null;
    out += c;
  }
  return out;
}

/** "${expr}" → "expr" when the whole string is one interpolation; otherwise the string unchanged. */
function stripInterpolation(s: string): string {
  const t = s.trim();
  if (!t.startsWith('${') || !t.endsWith('}')) return t;
  let depth = 0;
  for (let i = 1; i < t.length; i++) {
    const c = t[i];
    if (c === '"') {
      for (i++; i < t.length && t[i] !== '"'; i++) if (t[i] === '\\') i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i === t.length - 1 ? t.slice(2, -1).trim() : t;
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// berth.yaml
// ---------------------------------------------------------------------------------------------

const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or bool' });
const valueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(scalar)], { error: 'expected a string, number, bool or (for list(string)) a list' });

const optionSchema = z.strictObject({
  value: valueSchema,
  name: z.string().optional(),
  description: z.string().optional(),
  icon: z.string().optional(),
});

const validationSchema = z.strictObject({
  min: z.number().optional(),
  max: z.number().optional(),
  monotonic: z.enum(['increasing', 'decreasing']).optional(),
  regex: z.string().min(1).optional(),
  error: z.string().min(1).optional(),
});

const parameterSchema = z.strictObject({
  display_name: z.string().min(1).optional(),
  description: z.string().optional(),
  icon: z.string().optional(),
  order: z.number().int().optional(),
  mutable: z.boolean().optional(),
  ephemeral: z.boolean().optional(),
  options: z.array(optionSchema).optional(),
  validation: validationSchema.optional(),
});

const presetSchema = z.strictObject({
  name: z.string().refine((s) => s.trim() !== '', 'must not be empty'),
  description: z.string().optional(),
  default: z.boolean().optional(),
  parameters: z.record(z.string(), valueSchema).nullish(),
  prebuilds: z.strictObject({
    instances: z.number().int().min(0),
    expiration_ttl_s: z.number().int().min(60).nullish(),
  }).optional(),
});

const configSchema = z.strictObject({
  parameters: z.record(z.string(), parameterSchema.nullable()).nullish(),
  presets: z.array(presetSchema).nullish(),
});

type ConfigPath = Array<string | number>;

function formatPath(p: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const k of p) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(k))) out += `${out ? '.' : ''}${String(k)}`;
    else out += `[${JSON.stringify(String(k))}]`;
  }
  return out;
}

/** Applies berth.yaml to `parameters` (in place) and returns its presets. */
function applyConfig(file: string, text: string, parameters: TemplateParameter[], variables: VariableDecl[], warnings: string[]): Preset[] {
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new InputError(`${file}: invalid YAML: ${e.message.split('\n')[0].replace(/:$/, '')}`, { file, line: e.linePos?.[0]?.line });
  }
  for (const w of doc.warnings) warnings.push(`${file}: ${w.message.split('\n')[0].replace(/:$/, '')}`);

  /**
   * Line of the thing at `at`: the key of a mapping entry, the start of a list item; when it does
   * not exist (a missing key), the line of its nearest existing ancestor.
   */
  const lineOf = (at: ConfigPath): number | null => {
    const lineAt = (offset: number) => lineCounter.linePos(offset).line;
    for (let p = at; ; p = p.slice(0, -1)) {
      if (p.length === 0) return doc.contents?.range ? lineAt(doc.contents.range[0]) : null;
      const parent = p.length === 1 ? doc.contents : doc.getIn(p.slice(0, -1), true);
      const last = p[p.length - 1];
      if (YAML.isMap(parent)) {
        const pair = parent.items.find((it) => YAML.isScalar(it.key) && String(it.key.value) === String(last));
        if (pair && YAML.isNode(pair.key) && pair.key.range) return lineAt(pair.key.range[0]);
      } else if (YAML.isSeq(parent) && typeof last === 'number') {
        const item = parent.items[last];
        if (YAML.isNode(item) && item.range) return lineAt(item.range[0]);
      }
    }
  };
  const fail = (at: ConfigPath, problem: string): InputError => {
    const line = lineOf(at);
    return new InputError(`${file}: ${formatPath(at)}: ${problem}${where(line)}`, { file, line: line ?? undefined, path: formatPath(at) });
  };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new InputError(`${file}: cannot be read: ${(err as Error).message}`, { file });
  }
  if (data === null || data === undefined) {
    warnings.push(`${file}: the file is empty`);
    return [];
  }
  if (!isObject(data)) throw new InputError(`${file}: the top level must be a mapping (parameters:, presets:)`, { file });
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const problems: Array<{ line: number | null; text: string }> = [];
    for (const issue of parsed.error.issues) {
      const at = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) problems.push({ line: lineOf([...at, key]), text: `unknown key "${formatPath([...at, key])}"` });
      } else {
        let msg = issue.message.replace(/^Invalid input: /, '');
        if (valueAt(data, at) === undefined) msg = `missing (${msg.replace(/, received undefined$/, '')})`;
        problems.push({ line: lineOf(at), text: `${formatPath(at)}: ${msg}` });
      }
    }
    problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
    const first = problems[0];
    throw new InputError(`${file}: ${problems.map((p) => `${p.text}${where(p.line)}`).join('; ')}`, { file, line: first?.line ?? undefined, issues: problems.map((p) => p.text) });
  }
  const cfg = parsed.data;

  const byName = new Map(parameters.map((p) => [p.name, p]));
  const declaredIn = new Map(variables.map((v) => [v.name, v.file]));
  if (cfg.parameters == null) {
    if (parameters.length > 0) warnings.push(`${file}: no parameters section: all ${parameters.length} parameter(s) keep the defaults (immutable after a workspace's first build, no display names)`);
  }
  for (const [name, entry] of Object.entries(cfg.parameters ?? {})) {
    const at: ConfigPath = ['parameters', name];
    const p = byName.get(name);
    if (!p) {
      if (name.startsWith(RESERVED_VARIABLE_PREFIX) && declaredIn.has(name)) throw fail(at, `"${name}" is workspace metadata set by Berth, not a parameter`);
      throw fail(at, `no variable "${name}" in the .tf files`);
    }
    applyParameterEntry(p, entry ?? {}, at, fail, warnings, file, declaredIn.get(name) ?? '.tf');
  }

  const presets: Preset[] = [];
  (cfg.presets ?? []).forEach((entry, i) => {
    const preset = buildPreset(entry, i, byName, fail, warnings, file);
    const dup = presets.findIndex((x) => x.name === preset.name);
    if (dup >= 0) throw fail(['presets', i, 'name'], `duplicate preset name "${preset.name}" (also presets[${dup}])`);
    const other = presets.find((x) => x.default);
    if (preset.default && other) throw fail(['presets', i, 'default'], `only one preset may be the default ("${other.name}" already is)`);
    presets.push(preset);
  });
  return presets;
}

function valueAt(data: unknown, at: ConfigPath): unknown {
  let v = data;
  for (const k of at) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

type Fail = (at: ConfigPath, problem: string) => InputError;
type ParameterEntry = z.infer<typeof parameterSchema>;
type PresetEntry = z.infer<typeof presetSchema>;
type YamlValue = z.infer<typeof valueSchema>;

/** A berth.yaml value (YAML scalar or list) as a value string of `p`'s type, or a problem. */
function toValueString(p: TemplateParameter, v: YamlValue): { value: string } | { problem: string } {
  if (Array.isArray(v) && p.type !== 'list(string)') return { problem: `a list is only valid for a list(string) parameter ("${p.name}" is ${p.type})` };
  const value = Array.isArray(v) ? JSON.stringify(v.map(String)) : String(v);
  const problem = typeProblem(p, value);
  if (problem) return { problem };
  return { value: canonicalValue(p.type, value) };
}

function applyParameterEntry(p: TemplateParameter, e: ParameterEntry, at: ConfigPath, fail: Fail, warnings: string[], file: string, tfFile: string): void {
  const warn = (sub: ConfigPath, msg: string) => warnings.push(`${file}: ${formatPath([...at, ...sub])}: ${msg}`);
  if (e.display_name !== undefined) p.displayName = e.display_name;
  if (e.description !== undefined) p.description = e.description;
  if (e.icon !== undefined) p.icon = e.icon;
  if (e.order !== undefined) p.order = e.order;
  if (e.mutable !== undefined) p.mutable = e.mutable;
  if (e.ephemeral !== undefined) p.ephemeral = e.ephemeral;

  const options: ParameterOption[] = [];
  (e.options ?? []).forEach((o, i) => {
    const v = toValueString(p, o.value);
    if ('problem' in v) throw fail([...at, 'options', i, 'value'], v.problem);
    const dup = options.findIndex((x) => x.value === v.value);
    if (dup >= 0) throw fail([...at, 'options', i, 'value'], `duplicate option value ${JSON.stringify(v.value)} (also options[${dup}])`);
    options.push({ value: v.value, name: o.name ?? v.value, description: o.description ?? '', icon: o.icon ?? '' });
  });
  p.options = options;

  const validation: ParameterValidation = {};
  const ev = e.validation;
  if (ev) {
    const vat = [...at, 'validation'];
    for (const k of ['min', 'max', 'monotonic'] as const) {
      if (ev[k] !== undefined && p.type !== 'number') throw fail([...vat, k], `${k} only applies to number parameters ("${p.name}" is ${p.type})`);
    }
    if (ev.regex !== undefined) {
      if (p.type !== 'string') throw fail([...vat, 'regex'], `regex only applies to string parameters ("${p.name}" is ${p.type})`);
      try { new RegExp(`^(?:${ev.regex})$`); } catch (err) { throw fail([...vat, 'regex'], `invalid regular expression: ${(err as Error).message}`); }
      // Values are checked against the regex on every build, inside the worker: a pattern that
      // can backtrack exponentially (e.g. "(a+)+") would stall it, so such patterns are refused.
      if (!safeRegex(ev.regex)) throw fail([...vat, 'regex'], `regular expression "${ev.regex}" can backtrack catastrophically (nested quantifiers such as "(a+)+"); rewrite it without nested repetition`);
    }
    if (ev.min !== undefined && ev.max !== undefined && ev.min > ev.max) throw fail([...vat, 'min'], `min ${ev.min} is greater than max ${ev.max}`);
    if (ev.min !== undefined) validation.min = ev.min;
    if (ev.max !== undefined) validation.max = ev.max;
    if (ev.monotonic !== undefined) validation.monotonic = ev.monotonic;
    if (ev.regex !== undefined) validation.regex = ev.regex;
    if (ev.error !== undefined) validation.error = ev.error;
    const rules = ev.min !== undefined || ev.max !== undefined || ev.monotonic !== undefined || ev.regex !== undefined;
    if (ev.error !== undefined && !rules) warn(['validation', 'error'], 'there is no min, max, monotonic or regex for this message to apply to');
    if (options.length > 0 && (ev.min !== undefined || ev.max !== undefined || ev.regex !== undefined)) warn(['validation'], 'min, max and regex are not applied to a parameter with options (only membership is checked)');
    if (ev.monotonic !== undefined && !p.mutable) warn(['validation', 'monotonic'], 'has no effect on an immutable parameter (set mutable: true)');
  }
  p.validation = validation;

  if (p.ephemeral && !p.mutable) throw fail([...at, 'ephemeral'], 'an ephemeral parameter must also be mutable: true');
  if (p.ephemeral && p.defaultValue === null) throw fail([...at, 'ephemeral'], `an ephemeral parameter needs a non-null default (variable "${p.name}" in ${tfFile} has none)`);
  if (p.sensitive && options.length > 0) warn(['options'], `"${p.name}" is sensitive but has options: every option value is shown to users`);

  if (p.defaultValue !== null) {
    const problem = valueProblem(p, p.defaultValue);
    if (problem) throw fail(at, `the default in ${tfFile} does not fit: ${problem}`);
  }
}

function buildPreset(ps: PresetEntry, i: number, byName: Map<string, TemplateParameter>, fail: Fail, warnings: string[], file: string): Preset {
  const at: ConfigPath = ['presets', i];
  const parameters: Record<string, string> = {};
  for (const [name, raw] of Object.entries(ps.parameters ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const pat: ConfigPath = [...at, 'parameters', name];
    const p = byName.get(name);
    if (!p) {
      if (name.startsWith(RESERVED_VARIABLE_PREFIX)) throw fail(pat, `preset "${ps.name}": "${name}" is workspace metadata set by Berth, not a parameter`);
      throw fail(pat, `preset "${ps.name}": no parameter "${name}"`);
    }
    const v = toValueString(p, raw);
    const problem = 'problem' in v ? v.problem : valueProblem(p, v.value);
    if (problem || !('value' in v)) throw fail(pat, `preset "${ps.name}": ${problem}`);
    if (p.sensitive) warnings.push(`${file}: ${formatPath(pat)}: "${name}" is sensitive but preset "${ps.name}" stores its value in ${file} in plain text`);
    parameters[name] = v.value;
  }
  const instances = ps.prebuilds?.instances ?? 0;
  if (instances > 0) {
    const missing = [...byName.values()].filter((p) => p.required && parameters[p.name] === undefined).map((p) => p.name);
    if (missing.length > 0) throw fail([...at, 'prebuilds'], `preset "${ps.name}": prebuilt workspaces get only the preset's values, so it must set every required parameter; missing: ${missing.join(', ')}`);
  }
  return {
    name: ps.name,
    description: ps.description ?? '',
    parameters,
    default: ps.default ?? false,
    prebuildInstances: instances,
    prebuildExpirationSeconds: ps.prebuilds?.expiration_ttl_s ?? null,
  };
}
