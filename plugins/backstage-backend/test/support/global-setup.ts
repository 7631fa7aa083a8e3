/** Jest global setup: one real Postgres for the run (embedded unless DATABASE_URL is set); test files make their own databases in it. */
import { testing } from '@berth/workflows';

export default async function globalSetup(): Promise<void> {
  await testing.startTestRun('berth-api-test-');
}
