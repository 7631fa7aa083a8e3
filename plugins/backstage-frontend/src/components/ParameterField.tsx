/**
 * One template parameter as a typed form field: options as a select, bool as a switch, number
 * as a text field with a numeric keyboard, list(string) as one value per line, sensitive strings masked. Values are
 * the API's strings (`"true"`, `"42"`, list(string) as a JSON array).
 */
import { FormControl, FormControlLabel, FormHelperText, MenuItem, Switch, TextField } from '@material-ui/core';
import type { ApiParameter } from '@berth/backstage-plugin-common';

export interface ParameterFieldProps {
  parameter: ApiParameter;
  value: string;
  onChange(value: string): void;
  /** What is wrong with the value (client check or the API's answer). */
  error?: string | null;
  /** Set by a preset: shown, not editable. */
  lockedBy?: string | null;
}

/** `["a","b"]` ↔ "a\nb" for list(string) parameters. */
export function listToLines(value: string): string {
  try {
    const v = JSON.parse(value);
    return Array.isArray(v) ? v.join('\n') : value;
  } catch {
    return value;
  }
}

/** Lines back into the API's JSON array; empty lines dropped. */
export function linesToList(text: string): string {
  return JSON.stringify(text.split('\n').map((l) => l.trim()).filter(Boolean));
}

/** The field for one parameter. */
export function ParameterField({ parameter: p, value, onChange, error, lockedBy }: ParameterFieldProps) {
  const label = `${p.display_name || p.name}${p.required && p.default_value === null ? ' *' : ''}${p.mutable ? '' : ' (immutable)'}`;
  const help = error ?? (lockedBy ? `set by preset ${lockedBy}` : p.description || undefined);
  const id = `berth-param-${p.name}`;
  const common = { id, disabled: Boolean(lockedBy), error: Boolean(error), helperText: help, fullWidth: true, margin: 'dense' as const, variant: 'outlined' as const };

  if (p.type === 'bool') {
    return (
      <FormControl error={Boolean(error)} disabled={Boolean(lockedBy)} margin="dense" fullWidth>
        <FormControlLabel
          control={<Switch id={id} checked={value === 'true'} onChange={(e) => onChange(String(e.target.checked))} color="primary" />}
          label={label}
        />
        {help && <FormHelperText>{help}</FormHelperText>}
      </FormControl>
    );
  }
  if (p.options.length && p.type !== 'list(string)') {
    return (
      <TextField {...common} select label={label} value={value} onChange={(e) => onChange(e.target.value)} SelectProps={{ MenuProps: { disablePortal: false } }}>
        {!p.required && <MenuItem value=""><em>default</em></MenuItem>}
        {p.options.map((o) => (
          <MenuItem key={o.value} value={o.value}>{o.name || o.value}{o.description ? ` — ${o.description}` : ''}</MenuItem>
        ))}
      </TextField>
    );
  }
  if (p.type === 'list(string)') {
    return (
      <TextField {...common} multiline minRows={2} label={label} value={listToLines(value)} onChange={(e) => onChange(linesToList(e.target.value))}
        helperText={help ?? 'one value per line'} />
    );
  }
  return (
    <TextField
      {...common}
      label={label}
      // numbers are text fields with a numeric keyboard: a browser's number input hides what it
      // cannot parse ("abc", "1e"), and the check must see exactly what the user typed
      type={p.sensitive ? 'password' : 'text'}
      value={value}
      placeholder={p.default_value ?? undefined}
      onChange={(e) => onChange(e.target.value)}
      inputProps={{ ...(p.type === 'number' ? { inputMode: 'decimal' as const } : {}), spellCheck: false }}
    />
  );
}
