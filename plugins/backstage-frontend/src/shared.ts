/** What both registrations (new system and legacy) export: the API ref, annotations and components. */
export { berthApiRef, createBerthApi, BERTH_PLUGIN_ID, type BerthApi } from './api';
export {
  BERTH_PARAMETERS_ANNOTATION, BERTH_PRESET_ANNOTATION, BERTH_TEMPLATE_ANNOTATION, isBerthAvailable, parseParametersAnnotation, readBerthEntityConfig,
  type BerthEntityConfig,
} from './annotations';
export { workspaceActions, isTransitioning, type ActionState, type WorkspaceAction } from './actions';
export { rootRouteRef, legacyRootRouteRef } from './routes';
export { EntityWorkspacesCard } from './components/EntityWorkspacesCard';
export { EntityWorkspacesContent } from './components/EntityWorkspacesContent';
export { MyWorkspacesPage, MyWorkspacesContent } from './components/MyWorkspacesPage';
export { CreateWorkspaceDialog, type CreateWorkspaceDialogProps } from './components/CreateWorkspaceDialog';
export { BuildLog, type BuildLogProps } from './components/BuildLog';
export { ScheduleEditor, type ScheduleEditorProps } from './components/ScheduleEditor';
export { HistoryTimeline, type HistoryTimelineProps } from './components/HistoryTimeline';
export { WorkspaceDrawer, type WorkspaceDrawerProps, type WorkspaceTab } from './components/WorkspaceDrawer';
export { WorkspacesTable, type WorkspacesTableProps } from './components/WorkspacesTable';
export { PrebuildPools } from './components/PrebuildPools';
