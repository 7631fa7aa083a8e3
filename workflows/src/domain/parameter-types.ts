/**
 * Template parameters and presets, as discovered from a template version (Terraform `variable`
 * blocks + the optional `berth.yaml`) and stored with the version. Shapes only; rules live in
 * parameters.ts. Modelled on Coder's rich parameters (reference/lifecycle-semantics.md §5.2).
 */

/** Parameter value types Berth offers (Coder's set). Values travel as strings; list(string) is a JSON array. */
export type ParameterType = 'string' | 'number' | 'bool' | 'list(string)';
export const PARAMETER_TYPES: readonly ParameterType[] = ['string', 'number', 'bool', 'list(string)'];

export interface ParameterOption {
  /** The value stored and passed to tofu. */
  value: string;
  /** Label shown to users (defaults to the value). */
  name: string;
  description: string;
  icon: string;
}

export interface ParameterValidation {
  /** number only: inclusive bounds. */
  min?: number;
  max?: number;
  /** string only: the whole value must match (JavaScript RegExp syntax). */
  regex?: string;
  /** number only: compared with the previous build's value. */
  monotonic?: 'increasing' | 'decreasing';
  /** Custom message shown instead of the generated one. */
  error?: string;
}

/** A Terraform `validation` block, recorded for display; tofu enforces it at plan time. */
export interface TerraformValidation { condition: string; errorMessage: string }

export interface TemplateParameter {
  name: string;
  displayName: string;
  description: string;
  icon: string;
  /** Display order (ascending), then name. */
  order: number;
  type: ParameterType;
  /** Default as a string (list(string): JSON), or null when there is none. */
  defaultValue: string | null;
  /** No default: a value must be given on the first build. */
  required: boolean;
  /** Terraform `sensitive`: the value never appears in logs, API responses or Temporal payloads. */
  sensitive: boolean;
  /** Terraform `nullable` (default true): an optional parameter with a null default may stay unset. */
  nullable: boolean;
  /** Can change after the workspace's first build (Coder default: false). */
  mutable: boolean;
  /** A value for one build only; not carried to the next (Coder semantics; needs mutable and a default). */
  ephemeral: boolean;
  options: ParameterOption[];
  validation: ParameterValidation;
  terraformValidations: TerraformValidation[];
}

export interface Preset {
  name: string;
  description: string;
  /** Parameter values the preset sets (strings, as build parameters). */
  parameters: Record<string, string>;
  /** Offered first in UIs. At most one per version. */
  default: boolean;
  /** Prebuilt workspaces to keep ready for this preset (0 = none). */
  prebuildInstances: number;
  /** Prebuilds older than this are replaced (seconds), or null. */
  prebuildExpirationSeconds: number | null;
}
