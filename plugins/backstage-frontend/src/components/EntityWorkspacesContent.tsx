/**
 * The entity page's "Workspaces" tab: the same list as the card at full width, plus the
 * template's prebuild pools (a platform-team view of each preset's pool).
 */
import { Content, InfoCard, WarningPanel } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Grid } from '@material-ui/core';
import type { ApiPrebuildPool } from '@berth/backstage-plugin-common';
import { BERTH_TEMPLATE_ANNOTATION, readBerthEntityConfig } from '../annotations';
import { useBerthApi, usePolled } from '../hooks';
import { entityQuery } from './EntityWorkspacesCard';
import { PrebuildPools } from './PrebuildPools';
import { WorkspacesPanel } from './WorkspacesPanel';

/** The entity tab. */
export function EntityWorkspacesContent() {
  const { entity } = useEntity();
  const config = readBerthEntityConfig(entity);
  const api = useBerthApi();
  const pools = usePolled<ApiPrebuildPool[]>(`pools:${config.template ?? ''}`, () => (config.template ? api.listPrebuildPools(config.template) : Promise.resolve([])), () => (config.template ? 15_000 : null));
  if (!config.template) {
    return <WarningPanel title="No Berth template" message={`Add the annotation ${BERTH_TEMPLATE_ANNOTATION} to this entity.`} />;
  }
  return (
    <Content noPadding>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <InfoCard title="My workspaces for this entity" subheader={`template ${config.template}`}>
            {config.error && <WarningPanel severity="warning" title="Annotation ignored" message={config.error} />}
            <WorkspacesPanel
              query={entityQuery(config)}
              emptyTitle={`No workspaces for ${entity.metadata.title ?? entity.metadata.name} yet`}
              create={{ template: config.template, preset: config.preset, parameters: config.parameters, entityRef: config.entityRef }}
            />
          </InfoCard>
        </Grid>
        {(pools.value?.length ?? 0) > 0 && (
          <Grid item xs={12}>
            <InfoCard title={`Prebuild pools of ${config.template}`}>
              <PrebuildPools pools={pools.value!} />
            </InfoCard>
          </Grid>
        )}
      </Grid>
    </Content>
  );
}
