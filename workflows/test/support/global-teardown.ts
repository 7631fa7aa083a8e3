import { stopTestRun } from '../../src/testing';

/** Kills the run's leftover `local` workspace processes, stops Postgres, removes the temp dir. */
export default async function globalTeardown(): Promise<void> {
  await stopTestRun();
}
