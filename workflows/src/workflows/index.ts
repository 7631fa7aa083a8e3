/** Workflow entry point for the worker bundle: every workflow type Berth registers. */
export { workspaceWorkflow } from './workspace';
export { buildWorkflow } from './build';
export { templateImportWorkflow } from './template-import';
export { prebuildReconcilerWorkflow } from './prebuild-reconciler';
