/**
 * Table-driven tests for src/domain/status.ts: the job status derived from a provisioner job's
 * timestamps and error, which job statuses are active, and the workspace status users see.
 *
 * The jobStatus table mirrors Coder's `provisioner_jobs.job_status` generated column
 * (`coderd/database/dump.sql`, quoted in /work/shared/reference/lifecycle-semantics.md §1.4):
 *
 *   if completed_at IS NOT NULL:
 *       if error <> ''            -> 'failed'
 *       elif canceled_at NOT NULL -> 'canceled'
 *       else                      -> 'succeeded'
 *   else:
 *       if error <> ''            -> 'failed'     # error set without completion (rare)
 *       elif canceled_at NOT NULL -> 'canceling'
 *       elif started_at IS NULL   -> 'pending'
 *       else                      -> 'running'
 *
 * Every row is written out by hand (not computed from the rule) so the table is an independent
 * oracle, and the same rows are inserted into a real Postgres to check that the SQL generated
 * column in src/db/migrations/0001_init.ts agrees with jobStatus().
 */
import {
  isActiveJob,
  jobStatus,
  JOB_STATUSES,
  TRANSITIONS,
  WORKSPACE_STATUSES,
  workspaceStatus,
  type JobStatus,
  type JobTimes,
  type Transition,
  type WorkspaceStatus,
} from '../src/domain/status';
import { createTestDatabase } from './support/stack';
import type { Db } from '../src/db/connection';

const T_START = new Date('2024-03-05T10:00:00.000Z');
const T_CANCEL = new Date('2024-03-05T10:01:00.000Z');
const T_DONE = new Date('2024-03-05T10:02:00.000Z');

/** `error` values: null (column NULL), '' (empty text: not an error, as `error <> ''` says), a message. */
type Err = null | '' | 'boom';

interface JobRow {
  name: string;
  started: boolean;
  completed: boolean;
  canceled: boolean;
  error: Err;
  expected: JobStatus;
}

// started, completed, canceled, error -> expected. All 2 × 2 × 2 × 3 = 24 combinations.
const rows: Array<[boolean, boolean, boolean, Err, JobStatus]> = [
  // not completed, no error
  [false, false, false, null, 'pending'],
  [false, false, false, '', 'pending'],
  [true, false, false, null, 'running'],
  [true, false, false, '', 'running'],
  [false, false, true, null, 'canceling'], // pending job being canceled (Coder completes it at once; the column alone says canceling)
  [false, false, true, '', 'canceling'],
  [true, false, true, null, 'canceling'],
  [true, false, true, '', 'canceling'],
  // not completed, error set: failed regardless of the rest ("error set without completion")
  [false, false, false, 'boom', 'failed'],
  [true, false, false, 'boom', 'failed'],
  [false, false, true, 'boom', 'failed'],
  [true, false, true, 'boom', 'failed'],
  // completed, no error
  [false, true, false, null, 'succeeded'],
  [false, true, false, '', 'succeeded'],
  [true, true, false, null, 'succeeded'],
  [true, true, false, '', 'succeeded'],
  [false, true, true, null, 'canceled'], // a pending job canceled: canceled_at = completed_at = now
  [false, true, true, '', 'canceled'],
  [true, true, true, null, 'canceled'],
  [true, true, true, '', 'canceled'],
  // completed with an error: failed, even when canceled ("unless it has an error")
  [false, true, false, 'boom', 'failed'],
  [true, true, false, 'boom', 'failed'], // the reaper's hung/pending termination
  [false, true, true, 'boom', 'failed'],
  [true, true, true, 'boom', 'failed'],
];

const JOB_TABLE: JobRow[] = rows.map(([started, completed, canceled, error, expected]) => ({
  name: `started=${started ? 'Y' : 'N'} completed=${completed ? 'Y' : 'N'} canceled=${canceled ? 'Y' : 'N'} error=${error === null ? 'NULL' : JSON.stringify(error)}`,
  started,
  completed,
  canceled,
  error,
  expected,
}));

function times(r: JobRow): JobTimes {
  return {
    startedAt: r.started ? T_START : null,
    completedAt: r.completed ? T_DONE : null,
    canceledAt: r.canceled ? T_CANCEL : null,
    error: r.error,
  };
}

describe('jobStatus (Coder job_status generated column)', () => {
  it('the table covers every combination exactly once', () => {
    expect(new Set(JOB_TABLE.map((r) => r.name)).size).toBe(24);
  });

  it.each(JOB_TABLE)('$name -> $expected', (row) => {
    expect(jobStatus(times(row))).toBe(row.expected);
  });

  it('produces every JOB_STATUSES value and nothing else', () => {
    const produced = new Set(JOB_TABLE.map((r) => jobStatus(times(r))));
    expect([...produced].sort()).toEqual([...JOB_STATUSES].sort());
  });
});

describe('isActiveJob (Coder Active(): pending | running | canceling)', () => {
  const table: Array<{ status: JobStatus; active: boolean }> = [
    { status: 'pending', active: true },
    { status: 'running', active: true },
    { status: 'canceling', active: true },
    { status: 'succeeded', active: false },
    { status: 'canceled', active: false },
    { status: 'failed', active: false },
  ];
  it('the table covers every job status', () => {
    expect(table.map((r) => r.status).sort()).toEqual([...JOB_STATUSES].sort());
  });
  it.each(table)('$status -> active=$active', ({ status, active }) => {
    expect(isActiveJob(status)).toBe(active);
  });
});

describe('workspaceStatus (Coder convertWorkspaceStatus)', () => {
  const table: Array<{ job: JobStatus; transition: Transition; expected: WorkspaceStatus }> = [
    { job: 'pending', transition: 'start', expected: 'pending' },
    { job: 'pending', transition: 'stop', expected: 'pending' },
    { job: 'pending', transition: 'delete', expected: 'pending' },
    { job: 'running', transition: 'start', expected: 'starting' },
    { job: 'running', transition: 'stop', expected: 'stopping' },
    { job: 'running', transition: 'delete', expected: 'deleting' },
    { job: 'succeeded', transition: 'start', expected: 'running' },
    { job: 'succeeded', transition: 'stop', expected: 'stopped' },
    { job: 'succeeded', transition: 'delete', expected: 'deleted' },
    { job: 'canceling', transition: 'start', expected: 'canceling' },
    { job: 'canceling', transition: 'stop', expected: 'canceling' },
    { job: 'canceling', transition: 'delete', expected: 'canceling' },
    { job: 'canceled', transition: 'start', expected: 'canceled' },
    { job: 'canceled', transition: 'stop', expected: 'canceled' },
    { job: 'canceled', transition: 'delete', expected: 'canceled' },
    { job: 'failed', transition: 'start', expected: 'failed' },
    { job: 'failed', transition: 'stop', expected: 'failed' },
    { job: 'failed', transition: 'delete', expected: 'failed' },
  ];

  it('the table covers every job status × transition', () => {
    expect(table).toHaveLength(JOB_STATUSES.length * TRANSITIONS.length);
    for (const j of JOB_STATUSES) for (const t of TRANSITIONS) expect(table.filter((r) => r.job === j && r.transition === t)).toHaveLength(1);
  });

  it.each(table)('$job + $transition -> $expected', ({ job, transition, expected }) => {
    expect(workspaceStatus(job, transition)).toBe(expected);
  });

  it('every result is a WORKSPACE_STATUSES value and every value is reachable', () => {
    const produced = new Set(table.map((r) => workspaceStatus(r.job, r.transition)));
    expect([...produced].sort()).toEqual([...WORKSPACE_STATUSES].sort());
  });
});

describe('provisioner_jobs.job_status SQL generated column agrees with jobStatus()', () => {
  let db: Db;
  beforeAll(async () => {
    ({ db } = await createTestDatabase());
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('for every row of the table', async () => {
    const inserted = await db('provisioner_jobs')
      .insert(
        JOB_TABLE.map((r) => ({
          type: 'workspace_build',
          task_queue: 'berth-provisioner',
          initiator: `test:${r.name}`,
          started_at: r.started ? T_START : null,
          completed_at: r.completed ? T_DONE : null,
          canceled_at: r.canceled ? T_CANCEL : null,
          error: r.error,
        })),
      )
      .returning(['id', 'initiator', 'job_status', 'error']);
    expect(inserted).toHaveLength(JOB_TABLE.length);

    // Read back from the table (not only RETURNING) and compare row by row, naming the row.
    const back = await db('provisioner_jobs').select('initiator', 'job_status', 'error', 'started_at', 'completed_at', 'canceled_at');
    const byName = new Map(back.map((b: any) => [String(b.initiator).slice('test:'.length), b]));
    const mismatches: string[] = [];
    for (const r of JOB_TABLE) {
      const b = byName.get(r.name);
      expect(b).toBeDefined();
      expect(b.error).toBe(r.error); // '' stays '' and NULL stays NULL: both branches are really exercised
      const fromDb = { startedAt: b.started_at, completedAt: b.completed_at, canceledAt: b.canceled_at, error: b.error } as JobTimes;
      if (b.job_status !== r.expected || jobStatus(fromDb) !== b.job_status) {
        mismatches.push(`${r.name}: sql=${b.job_status} jobStatus()=${jobStatus(fromDb)} expected=${r.expected}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('recomputes when a job moves through the state machine (pending → running → canceling → canceled)', async () => {
    const [{ id }] = await db('provisioner_jobs').insert({ type: 'workspace_build', task_queue: 'berth-provisioner', initiator: 'test:sm' }).returning(['id']);
    const status = async () => (await db('provisioner_jobs').where({ id }).first('job_status')).job_status;
    expect(await status()).toBe('pending');
    await db('provisioner_jobs').where({ id }).update({ started_at: T_START, worker_id: 'w1' });
    expect(await status()).toBe('running');
    await db('provisioner_jobs').where({ id }).update({ canceled_at: T_CANCEL });
    expect(await status()).toBe('canceling');
    await db('provisioner_jobs').where({ id }).update({ completed_at: T_DONE });
    expect(await status()).toBe('canceled');
    await db('provisioner_jobs').where({ id }).update({ error: 'Cancel timed out' });
    expect(await status()).toBe('failed');
  });

  it('job_status cannot be written directly', async () => {
    await expect(
      db('provisioner_jobs').insert({ type: 'workspace_build', task_queue: 'q', initiator: 'test:write', job_status: 'succeeded' }),
    ).rejects.toThrow(/non-DEFAULT value into column "job_status"/);
  });
});
