/**
 * "Create workspace": a typed form generated from the active template version's parameters,
 * with its presets and the resource preview (what a start build creates, from the version's dry
 * run). The name is checked as the user types; parameter values are pre-checked against their
 * rules, and the API's answer is the authority: an InputError about a parameter (details
 * `{ parameter }`) or the name (details `{ field: 'name' }`) is shown under that field, anything
 * else at the top of the dialog. Nothing fails silently. On success the workspace (its first
 * build queued, or a claimed prebuild) goes to `onCreated`.
 */
import { useEffect, useMemo, useState } from 'react';
import {
  Box, Button, CircularProgress, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, TextField, Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  BerthApiError, checkParameter, checkWorkspaceName,
  type ApiParameter, type ApiPreset, type ApiResourcePreview, type ApiTemplate, type ApiWorkspace,
} from '@berth/backstage-plugin-common';
import { useBerthApi } from '../hooks';
import { ParameterField } from './ParameterField';

export interface CreateWorkspaceDialogProps {
  open: boolean;
  onClose(): void;
  onCreated(workspace: ApiWorkspace): void;
  /** Template name; when absent the user picks one. */
  template?: string | null;
  /** Preset to preselect (else the version's default preset, if any). */
  preset?: string | null;
  /** Parameter defaults (e.g. from the entity's `berth.dev/parameters`). */
  parameters?: Record<string, string>;
  /** Catalog entity the workspace is for (stored on it; search `entity:<ref>`). */
  entityRef?: string;
}

interface VersionForm {
  template: ApiTemplate;
  parameters: ApiParameter[];
  presets: ApiPreset[];
}

const NO_PRESET = '';

/** The create dialog. */
export function CreateWorkspaceDialog({ open, onClose, onCreated, template: fixedTemplate, preset: wantedPreset, parameters: defaults, entityRef }: CreateWorkspaceDialogProps) {
  const api = useBerthApi();
  const [templates, setTemplates] = useState<ApiTemplate[] | null>(null);
  const [templateName, setTemplateName] = useState<string>(fixedTemplate ?? '');
  const [form, setForm] = useState<VersionForm | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [preview, setPreview] = useState<ApiResourcePreview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const [preset, setPreset] = useState<string>(NO_PRESET);
  const [values, setValues] = useState<Record<string, string>>({});
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [serverErrors, setServerErrors] = useState<{ name?: string; parameters: Record<string, string>; general?: string }>({ parameters: {} });
  const [submitting, setSubmitting] = useState(false);
  const [attempted, setAttempted] = useState(false);

  // reset when (re)opened
  useEffect(() => {
    if (!open) return;
    setTemplateName(fixedTemplate ?? '');
    setName(''); setNameTouched(false); setTouched({}); setAttempted(false); setServerErrors({ parameters: {} });
  }, [open, fixedTemplate]);

  useEffect(() => {
    if (!open || fixedTemplate) return undefined;
    let alive = true;
    api.listTemplates().then((ts) => {
      if (!alive) return;
      const usable = ts.filter((t) => t.active_version_id);
      setTemplates(usable);
      if (usable.length === 1) setTemplateName((cur) => cur || usable[0].name);
    }, (e: Error) => alive && setLoadError(`Could not list templates: ${e.message}`));
    return () => { alive = false; };
  }, [api, open, fixedTemplate]);

  useEffect(() => {
    if (!open || !templateName) { setForm(null); return undefined; }
    let alive = true;
    setForm(null); setLoadError(null); setPreview(null); setPreviewError(null);
    (async () => {
      const template = await api.getTemplate(templateName);
      if (!template.active_version_id) throw new Error(`template ${template.name} has no active version yet: push and promote one first`);
      const [parameters, presets] = await Promise.all([
        api.getTemplateVersionParameters(template.name, template.active_version_id),
        api.getTemplateVersionPresets(template.name, template.active_version_id),
      ]);
      if (!alive) return;
      const sorted = [...parameters].sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
      setForm({ template, parameters: sorted, presets });
      const chosen = presets.find((p) => p.name === wantedPreset) ?? presets.find((p) => p.default);
      setPreset(chosen?.name ?? NO_PRESET);
      setValues(Object.fromEntries(sorted.map((p) => [p.name, defaults?.[p.name] ?? p.default_value ?? (p.type === 'bool' ? 'false' : '')])));
      api.getTemplateVersionResources(template.name, template.active_version_id).then(
        (r) => alive && setPreview(r),
        (e: Error) => alive && setPreviewError(e.message),
      );
    })().catch((e: Error) => { if (alive) setLoadError(e instanceof BerthApiError && e.status === 404 ? `template "${templateName}" was not found: check the entity's berth.dev/template annotation` : e.message); });
    return () => { alive = false; };
    // defaults and wantedPreset are read once per template (not deps: a re-render must not reset the form)
  }, [api, open, templateName]);

  const presetObj = form?.presets.find((p) => p.name === preset) ?? null;
  const effective = useMemo(() => ({ ...values, ...(presetObj?.parameters ?? {}) }), [values, presetObj]);
  const nameProblem = checkWorkspaceName(name);
  const paramProblems = useMemo(() => Object.fromEntries((form?.parameters ?? []).map((p) => [p.name, presetObj && p.name in presetObj.parameters ? null : checkParameter(p, effective[p.name] ?? '')])), [form, presetObj, effective]);
  const valid = Boolean(form) && !nameProblem && Object.values(paramProblems).every((x) => !x);

  const submit = async () => {
    setAttempted(true);
    if (!form || !valid) return;
    setSubmitting(true);
    setServerErrors({ parameters: {} });
    const parameters: Record<string, string> = {};
    for (const p of form.parameters) {
      if (presetObj && p.name in presetObj.parameters) continue;
      const v = values[p.name] ?? '';
      if (v === '' && p.default_value !== null) continue;
      parameters[p.name] = v;
    }
    try {
      const ws = await api.createWorkspace({
        name, template: form.template.name, parameters,
        ...(presetObj ? { preset: presetObj.name } : {}),
        ...(entityRef ? { entity_ref: entityRef } : {}),
      });
      onCreated(ws);
    } catch (e) {
      const err = e as BerthApiError;
      const details = (err.details ?? {}) as { parameter?: string; field?: string };
      if (details.parameter && form.parameters.some((p) => p.name === details.parameter)) setServerErrors({ parameters: { [details.parameter]: err.message } });
      else if (details.field === 'name' || /^name\b|workspace name/i.test(err.message)) setServerErrors({ name: err.message, parameters: {} });
      else setServerErrors({ general: err.message, parameters: {} });
    } finally {
      setSubmitting(false);
    }
  };

  const showName = name !== '' || nameTouched || attempted;
  return (
    <Dialog open={open} onClose={submitting ? undefined : onClose} aria-labelledby="berth-create-title" maxWidth="sm" fullWidth>
      <DialogTitle id="berth-create-title">{`Create workspace${form ? ` from ${form.template.display_name || form.template.name}` : ''}`}</DialogTitle>
      <DialogContent>
        <form id="berth-create-form" noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
          {serverErrors.general && <Alert severity="error" role="alert">{serverErrors.general}</Alert>}
          {loadError && <Alert severity="error" role="alert">{loadError}</Alert>}
          {!fixedTemplate && (
            <TextField select fullWidth margin="dense" variant="outlined" id="berth-template" label="Template" value={templateName}
              onChange={(e) => setTemplateName(e.target.value)} helperText={templates && !templates.length ? 'no template has an active version yet' : undefined}>
              {(templates ?? []).map((t) => <MenuItem key={t.id} value={t.name}>{t.display_name || t.name}{t.description ? ` — ${t.description}` : ''}</MenuItem>)}
            </TextField>
          )}
          <TextField
            fullWidth margin="dense" variant="outlined" id="berth-name" label="Workspace name *" autoFocus
            value={name} onChange={(e) => { setName(e.target.value); setServerErrors((s) => ({ ...s, name: undefined })); }}
            onBlur={() => setNameTouched(true)}
            error={Boolean((showName && nameProblem) || serverErrors.name)}
            helperText={serverErrors.name ?? (showName && nameProblem) ?? 'lowercase letters, digits and hyphens'}
            inputProps={{ spellCheck: false, autoComplete: 'off' }}
          />
          {templateName && !form && !loadError && <Box display="flex" justifyContent="center" my={2}><CircularProgress size={24} aria-label="loading the template" /></Box>}
          {form && form.presets.length > 0 && (
            <TextField select fullWidth margin="dense" variant="outlined" id="berth-preset" label="Preset" value={preset}
              onChange={(e) => setPreset(e.target.value)}
              helperText={presetObj ? `${presetObj.description || 'fills the parameters it sets'}${presetObj.prebuild_instances ? ` · ${presetObj.prebuild_instances} prebuilt workspace(s): a ready one is claimed when available` : ''}` : 'no preset: set every parameter yourself'}>
              <MenuItem value={NO_PRESET}><em>None</em></MenuItem>
              {form.presets.map((p) => <MenuItem key={p.id} value={p.name}>{p.name}{p.default ? ' (default)' : ''}</MenuItem>)}
            </TextField>
          )}
          {form?.parameters.map((p) => {
            const locked = presetObj && p.name in presetObj.parameters ? presetObj.name : null;
            const client = (touched[p.name] || attempted) ? paramProblems[p.name] : null;
            return (
              <ParameterField
                key={p.name} parameter={p} value={effective[p.name] ?? ''} lockedBy={locked}
                error={serverErrors.parameters[p.name] || client}
                onChange={(v) => {
                  setValues((vs) => ({ ...vs, [p.name]: v }));
                  setTouched((t) => ({ ...t, [p.name]: true }));
                  setServerErrors((s) => { const { [p.name]: _gone, ...rest } = s.parameters; return { ...s, parameters: rest }; });
                }}
              />
            );
          })}
          {form && (
            <Box mt={2} data-testid="resource-preview">
              <Typography variant="subtitle2">Resources a start build creates</Typography>
              {previewError && <Typography variant="body2" color="error">{`Preview unavailable: ${previewError}`}</Typography>}
              {!preview && !previewError && <CircularProgress size={16} aria-label="loading the resource preview" />}
              {preview && preview.dry_run_error && <Typography variant="body2" color="error">{`The version's dry run failed: ${preview.dry_run_error}`}</Typography>}
              {preview && !preview.resources.length && !preview.dry_run_error && <Typography variant="body2" color="textSecondary">{preview.dry_run_status === 'succeeded' ? 'no resources' : `dry run ${preview.dry_run_status ?? 'not run'}`}</Typography>}
              {preview && preview.resources.length > 0 && (
                <Box component="ul" m={0} pl={2}>
                  {preview.resources.map((r) => <li key={r.address}><Typography variant="body2" component="span">{`${r.address}`}</Typography><Typography variant="caption" color="textSecondary">{` (${r.actions.join(', ')})`}</Typography></li>)}
                </Box>
              )}
            </Box>
          )}
        </form>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={submitting}>Cancel</Button>
        <Button type="submit" form="berth-create-form" color="primary" variant="contained" disabled={!form || submitting || (attempted && !valid)}>
          {submitting ? 'Creating…' : 'Create workspace'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
