/**
 * The create wizard: template → name (validated as you type) → preset (when the template has
 * any) → parameters (options as selects, typed fields checked before moving on) → review with
 * the resource preview → create; the App then opens the first build's live log.
 */
import { Box, Text } from 'ink';
import { useChunkedInput } from './hooks.js';
import { useEffect, useState } from 'react';
import { checkParameter, checkWorkspaceName, type ApiParameter, type ApiPreset, type ApiResourcePreview, type ApiTemplate, type ApiWorkspace } from '@berth/backstage-plugin-common';
import type { TuiClient } from './types.js';
import { Field, editText } from './widgets.js';

type Step = 'template' | 'name' | 'preset' | 'params' | 'review' | 'submitting';

export function CreateWizard({ client, width, onCancel, onCreated }: { client: TuiClient; width: number; onCancel(): void; onCreated(ws: ApiWorkspace): void }) {
  const [step, setStep] = useState<Step>('template');
  const [templates, setTemplates] = useState<ApiTemplate[] | null>(null);
  const [choice, setChoice] = useState(0);
  const [template, setTemplate] = useState<ApiTemplate | null>(null);
  const [name, setName] = useState('');
  const [params, setParams] = useState<ApiParameter[]>([]);
  const [presets, setPresets] = useState<ApiPreset[]>([]);
  const [preset, setPreset] = useState<ApiPreset | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [pi, setPi] = useState(0);
  const [preview, setPreview] = useState<ApiResourcePreview | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => { client.listTemplates().then(setTemplates, (e: Error) => setError(e.message)); }, [client]);

  const editable = params.filter((p) => !(preset && p.name in preset.parameters));
  const current = editable[pi];

  const pickTemplate = (t: ApiTemplate) => {
    setTemplate(t);
    setError(null);
    setStep('name');
    if (!t.active_version_id) { setError(`${t.name} has no active version`); return; }
    Promise.all([client.getTemplateVersionParameters(t.name, t.active_version_id), client.getTemplateVersionPresets(t.name, t.active_version_id)]).then(([ps, pr]) => {
      setParams([...ps].sort((a, b) => a.order - b.order));
      setPresets(pr);
      setValues(Object.fromEntries(ps.map((p) => [p.name, p.default_value ?? ''])));
    }, (e: Error) => setError(e.message));
    client.getTemplateVersionResources(t.name, t.active_version_id).then(setPreview, () => undefined);
  };

  const afterName = () => {
    if (presets.length) { setChoice(0); setStep('preset'); } else toParams();
  };
  const toParams = (p: ApiPreset | null = preset) => {
    const left = params.filter((x) => !(p && x.name in p.parameters));
    setPi(0);
    setChoice(0);
    setStep(left.length ? 'params' : 'review');
  };

  const submit = () => {
    if (!template) return;
    setStep('submitting');
    const parameters = Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== '' && !(preset && k in preset.parameters)));
    client.createWorkspace({ name, template: template.name, parameters, ...(preset ? { preset: preset.name } : {}) })
      .then(onCreated, (e: Error) => { setError(e.message); setStep(/name/i.test(e.message) ? 'name' : 'review'); });
  };

  useChunkedInput((input, key) => {
    if (step === 'submitting') return;
    if (key.escape) {
      setError(null);
      if (step === 'template') onCancel();
      else if (step === 'name') setStep('template');
      else if (step === 'preset') setStep('name');
      else if (step === 'params') { if (pi > 0) setPi(pi - 1); else if (presets.length) setStep('preset'); else setStep('name'); }
      else if (step === 'review') { if (editable.length) { setPi(editable.length - 1); setStep('params'); } else setStep(presets.length ? 'preset' : 'name'); }
      return;
    }
    const listLen = step === 'template' ? templates?.length ?? 0 : step === 'preset' ? presets.length + 1 : step === 'params' && current?.options.length ? current.options.length : 0;
    if (listLen && (key.downArrow || key.upArrow || (step !== 'params' && (input === 'j' || input === 'k')))) {
      setChoice((c) => (key.downArrow || input === 'j' ? Math.min(listLen - 1, c + 1) : Math.max(0, c - 1)));
      return;
    }
    if (step === 'template') {
      if (key.return && templates?.[choice]) pickTemplate(templates[choice]);
      return;
    }
    if (step === 'name') {
      if (key.return) { if (!checkWorkspaceName(name)) { setError(null); afterName(); } return; }
      const next = editText(name, input, key);
      if (next !== null) setName(next);
      return;
    }
    if (step === 'preset') {
      if (key.return) { const p = choice === 0 ? null : presets[choice - 1]; setPreset(p); toParams(p); }
      return;
    }
    if (step === 'params' && current) {
      if (key.return) {
        const v = current.options.length ? current.options[choice]?.value ?? '' : values[current.name] ?? '';
        const problem = checkParameter(current, v);
        if (problem) { setError(problem); return; }
        setError(null);
        setValues((vs) => ({ ...vs, [current.name]: v }));
        if (pi + 1 < editable.length) {
          const nextP = editable[pi + 1];
          setChoice(Math.max(0, nextP.options.findIndex((o) => o.value === values[nextP.name])));
          setPi(pi + 1);
        } else setStep('review');
        return;
      }
      if (!current.options.length) {
        const next = editText(values[current.name] ?? '', input, key);
        if (next !== null) { setValues((vs) => ({ ...vs, [current.name]: next })); setError(checkParameter(current, next)); }
      }
      return;
    }
    if (step === 'review' && key.return) submit();
  });

  const list = (items: string[], descs: string[] = []) => items.map((it, i) => (
    <Text key={it + i} inverse={i === choice}>{i === choice ? '> ' : '  '}{it}{descs[i] ? <Text dimColor>  {descs[i]}</Text> : null}</Text>
  ));
  const nameProblem = step === 'name' && name ? checkWorkspaceName(name) : null;
  return (
    <Box flexDirection="column" width={width}>
      <Text bold>create workspace{template ? ` · ${template.name}` : ''}{name && step !== 'name' ? ` · ${name}` : ''}</Text>
      {step === 'template' ? (templates ? (templates.length ? list(templates.map((t) => t.name), templates.map((t) => t.description)) : <Text>no templates: push one with berth templates push</Text>) : <Text>loading templates…</Text>) : null}
      {step === 'name' ? <Field label="name" value={name} active error={nameProblem} hint="lowercase letters, digits and hyphens; Enter continues" /> : null}
      {step === 'preset' ? <Box flexDirection="column"><Text>preset:</Text>{list(['none (set parameters)', ...presets.map((p) => p.name)], ['', ...presets.map((p) => p.description)])}</Box> : null}
      {step === 'params' && current ? (
        <Box flexDirection="column">
          <Text>parameter {pi + 1}/{editable.length}: <Text bold>{current.display_name || current.name}</Text> <Text dimColor>({current.type}{current.required ? ', required' : ''}{current.mutable ? '' : ', immutable'})</Text></Text>
          {current.description ? <Text dimColor>{current.description}</Text> : null}
          {current.options.length ? list(current.options.map((o) => o.name || o.value), current.options.map((o) => o.description)) : <Field label={current.name} value={values[current.name] ?? ''} active hint={current.validation.min !== undefined || current.validation.max !== undefined ? `between ${current.validation.min ?? '-∞'} and ${current.validation.max ?? '∞'}` : undefined} />}
        </Box>
      ) : null}
      {step === 'review' || step === 'submitting' ? (
        <Box flexDirection="column">
          <Text>template <Text bold>{template?.name}</Text>, name <Text bold>{name}</Text>{preset ? `, preset ${preset.name}` : ''}</Text>
          {Object.entries(values).filter(([, v]) => v !== '').map(([k, v]) => <Text key={k}>  {k} = {params.find((p) => p.name === k)?.sensitive ? '••••' : v}</Text>)}
          <Text>resources{preview?.dry_run_status && preview.dry_run_status !== 'succeeded' ? ` (dry run ${preview.dry_run_status})` : ''}:</Text>
          {(preview?.resources ?? []).map((r) => <Text key={r.address}>  + {r.address}</Text>)}
          <Text bold color="green">{step === 'submitting' ? 'creating…' : 'Enter creates the workspace, Esc goes back'}</Text>
        </Box>
      ) : null}
      {error ? <Text color="red">✘ {error}</Text> : null}
      <Text dimColor>Esc back · Enter next{step === 'template' || step === 'preset' || current?.options.length ? ' · j/k choose' : ''}</Text>
    </Box>
  );
}
