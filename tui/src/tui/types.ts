import type { BerthApiClient } from '@berth/backstage-plugin-common';

/** The part of the API client the TUI uses (tests pass a fake at this boundary). */
export type TuiClient = Pick<BerthApiClient,
  'whoami' | 'listWorkspaces' | 'getWorkspace' | 'createWorkspace' | 'deleteWorkspace' | 'listBuilds' | 'createBuild' | 'getBuild' | 'cancelBuild'
  | 'getBuildLogs' | 'followBuildLogs' | 'getSchedule' | 'putSchedule' | 'previewSchedule' | 'getWorkspaceHistory'
  | 'listTemplates' | 'getTemplate' | 'getTemplateVersionParameters' | 'getTemplateVersionPresets' | 'getTemplateVersionResources'>;
