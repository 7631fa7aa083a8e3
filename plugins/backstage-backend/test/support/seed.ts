/** Seeding helpers for API tests: the local template imported through the engine, workspaces for users. */
import { ADMIN, LOCAL_TEMPLATE, type ApiStack } from './api-stack';

/** Pushes templates/local as version `v1` (waits for the import and promotes it). */
export async function seedLocalTemplate(stack: ApiStack): Promise<void> {
  const r = await stack.berth.pushTemplate({ name: 'local', dir: LOCAL_TEMPLATE, createdBy: ADMIN, versionName: 'v1' });
  if (r.import?.importStatus !== 'succeeded') throw new Error(`local template import ${r.import?.importStatus}: ${JSON.stringify(r.import)}`);
}
