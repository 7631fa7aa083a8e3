/**
 * Catalog annotations that tie an entity to Berth, read by the card, the entity tab and the
 * create dialog:
 *
 * | annotation             | value                                                            |
 * |------------------------|------------------------------------------------------------------|
 * | `berth.dev/template`   | template name (required for the card to show)                   |
 * | `berth.dev/preset`     | preset of the template's active version to preselect (optional)  |
 * | `berth.dev/parameters` | parameter defaults: JSON object `{"region":"eu"}` or `k=v,k2=v2`  |
 *
 * Unlike Coder's plugin (a non-standard `spec.coder` block), these are plain annotations, so
 * catalog filters and `isBerthAvailable` can use them.
 */
import type { Entity } from '@backstage/catalog-model';
import { stringifyEntityRef } from '@backstage/catalog-model';

export const BERTH_TEMPLATE_ANNOTATION = 'berth.dev/template';
export const BERTH_PRESET_ANNOTATION = 'berth.dev/preset';
export const BERTH_PARAMETERS_ANNOTATION = 'berth.dev/parameters';

/** True when the entity names a Berth template (use with `EntitySwitch` or a blueprint `filter`). */
export function isBerthAvailable(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[BERTH_TEMPLATE_ANNOTATION]?.trim());
}

/** What an entity asks of Berth. `error` explains an annotation that could not be read. */
export interface BerthEntityConfig {
  /** `component:default/shop`: stored on workspaces created for it (search `entity:<ref>`). */
  entityRef: string;
  template: string | null;
  preset: string | null;
  /** Parameter name → value; values are strings as the API wants them. */
  parameters: Record<string, string>;
  error: string | null;
}

/**
 * Reads the Berth annotations of an entity. Never throws: a malformed `berth.dev/parameters`
 * yields `error` (shown in the card) and no parameters.
 */
export function readBerthEntityConfig(entity: Entity): BerthEntityConfig {
  const a = entity.metadata.annotations ?? {};
  const template = a[BERTH_TEMPLATE_ANNOTATION]?.trim() || null;
  const preset = a[BERTH_PRESET_ANNOTATION]?.trim() || null;
  const base = { entityRef: stringifyEntityRef(entity), template, preset };
  const raw = a[BERTH_PARAMETERS_ANNOTATION]?.trim();
  if (!raw) return { ...base, parameters: {}, error: null };
  try {
    return { ...base, parameters: parseParametersAnnotation(raw), error: null };
  } catch (e) {
    return { ...base, parameters: {}, error: `annotation ${BERTH_PARAMETERS_ANNOTATION}: ${(e as Error).message}` };
  }
}

/**
 * Parses `berth.dev/parameters`: a JSON object (values: strings, numbers, booleans or string
 * arrays, sent as the API's strings) or `name=value` pairs separated by commas.
 * Throws an Error naming the bad part.
 */
export function parseParametersAnnotation(raw: string): Record<string, string> {
  if (raw.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      throw new Error('not valid JSON; write {"name":"value"} or name=value,name2=value2');
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('must be a JSON object');
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      if (typeof v === 'string') out[k] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
      else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = JSON.stringify(v);
      else throw new Error(`value of "${k}" must be a string, number, boolean or list of strings`);
    }
    return out;
  }
  const out: Record<string, string> = {};
  for (const pair of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new Error(`"${pair}" is not name=value`);
    out[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  return out;
}
