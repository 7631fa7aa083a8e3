/**
 * The "Workspaces" card of a catalog entity annotated `berth.dev/template`: the signed-in
 * user's workspaces created for this entity (`owner:me entity:<ref>`), their status, autostop
 * and last build, every lifecycle action, "Create workspace" (template, preset and parameter
 * defaults from the annotations), and a one-line summary of the preset's prebuild pool.
 */
import { InfoCard, WarningPanel } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Typography } from '@material-ui/core';
import { readBerthEntityConfig, BERTH_TEMPLATE_ANNOTATION, type BerthEntityConfig } from '../annotations';
import { useBerthApi, usePolled } from '../hooks';
import { WorkspacesPanel } from './WorkspacesPanel';
import type { ApiPrebuildPool } from '@berth/backstage-plugin-common';

/** The search every entity view uses: the caller's workspaces created for this entity. */
export function entityQuery(config: BerthEntityConfig): string {
  return `owner:me entity:${config.entityRef}`;
}

/** The prebuild line of the card: "Prebuilds (preset default): 2 of 2 ready". */
export function PrebuildSummary({ template, preset }: { template: string; preset: string | null }) {
  const api = useBerthApi();
  const pools = usePolled<ApiPrebuildPool[]>(`pools:${template}`, () => api.listPrebuildPools(template), () => 30_000);
  const shown = (pools.value ?? []).filter((p) => p.active && (!preset || p.preset === preset));
  if (!shown.length) return null;
  return (
    <Typography variant="caption" color="textSecondary" component="p" data-testid="prebuild-summary">
      {shown.map((p) => `Prebuilds (preset ${p.preset}): ${p.eligible} of ${p.desired} ready${p.status === 'hard_limited' ? ', paused after repeated failures' : ''}`).join(' · ')}
    </Typography>
  );
}

/** The entity card. */
export function EntityWorkspacesCard({ title = 'Workspaces' }: { title?: string }) {
  const { entity } = useEntity();
  const config = readBerthEntityConfig(entity);
  if (!config.template) {
    return (
      <InfoCard title={title}>
        <WarningPanel title="No Berth template" message={`Add the annotation ${BERTH_TEMPLATE_ANNOTATION}: <template name> to this entity to create workspaces for it.`} />
      </InfoCard>
    );
  }
  return (
    <InfoCard title={title} subheader={`template ${config.template}${config.preset ? ` · preset ${config.preset}` : ''}`}>
      {config.error && <WarningPanel severity="warning" title="Annotation ignored" message={config.error} />}
      <WorkspacesPanel
        query={entityQuery(config)}
        showTemplate={false}
        compact
        emptyTitle={`No workspaces for ${entity.metadata.title ?? entity.metadata.name} yet`}
        create={{ template: config.template, preset: config.preset, parameters: config.parameters, entityRef: config.entityRef }}
      />
      <PrebuildSummary template={config.template} preset={config.preset} />
    </InfoCard>
  );
}
