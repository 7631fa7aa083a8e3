import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as Record<string, unknown>).__BERTH_PG__ as { stop(): Promise<void> } | undefined;
  if (pg) await pg.stop();
  if (process.env.BERTH_TEST_TMP) fs.rmSync(process.env.BERTH_TEST_TMP, { recursive: true, force: true });
}
