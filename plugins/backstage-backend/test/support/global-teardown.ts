import { testing } from '@berth/workflows';

export default async function globalTeardown(): Promise<void> {
  await testing.stopTestRun();
}
