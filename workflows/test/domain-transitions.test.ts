/**
 * Table-driven tests for src/domain/transitions.ts: which build requests a workspace accepts in
 * each state (Coder wsbuilder buildTx, reference/lifecycle-semantics.md §1.5: an active latest
 * build — pending, running, canceling — blocks any new build, 409 "A workspace build is already
 * active."), cancel rules (§1.6: only an active build that is not already being canceled),
 * restart expansion and the status shown to users.
 */
import {
  checkBuildRequest,
  checkCancel,
  currentStatus,
  describeLatestBuild,
  transitionsFor,
  type WorkspaceBuildState,
} from '../src/domain/transitions';
import { BUILD_REQUESTS, JOB_STATUSES, TRANSITIONS, type BuildRequestKind, type JobStatus, type Transition, type WorkspaceStatus } from '../src/domain/status';

const BUILD_NUMBER = 2;

interface StateRow {
  name: string;
  state: WorkspaceBuildState;
  /** What users see (written by hand: Coder's convertWorkspaceStatus). */
  status: WorkspaceStatus;
}

/** Hand-written status per job status × transition (independent of the code under test). */
const STATUS: Record<JobStatus, Record<Transition, WorkspaceStatus>> = {
  pending: { start: 'pending', stop: 'pending', delete: 'pending' },
  running: { start: 'starting', stop: 'stopping', delete: 'deleting' },
  succeeded: { start: 'running', stop: 'stopped', delete: 'deleted' },
  canceling: { start: 'canceling', stop: 'canceling', delete: 'canceling' },
  canceled: { start: 'canceled', stop: 'canceled', delete: 'canceled' },
  failed: { start: 'failed', stop: 'failed', delete: 'failed' },
};
const ACTIVE: JobStatus[] = ['pending', 'running', 'canceling'];

const withBuild = (jobStatus: JobStatus, transition: Transition, deleted = false): WorkspaceBuildState => ({
  deleted,
  latestBuild: { number: BUILD_NUMBER, transition, jobStatus },
});

const STATES: StateRow[] = [
  { name: 'no build yet', state: { deleted: false, latestBuild: null }, status: 'pending' },
  ...JOB_STATUSES.flatMap((job) =>
    TRANSITIONS.map((t) => ({ name: `build #2 ${t} ${job}`, state: withBuild(job, t), status: STATUS[job][t] })),
  ),
  { name: 'deleted (delete build succeeded)', state: withBuild('succeeded', 'delete', true), status: 'deleted' },
  { name: 'deleted flag with no build record', state: { deleted: true, latestBuild: null }, status: 'deleted' },
  { name: 'deleted flag wins over a failed start build', state: withBuild('failed', 'start', true), status: 'deleted' },
];

describe('currentStatus', () => {
  it.each(STATES)('$name -> $status', ({ state, status }) => {
    expect(currentStatus(state)).toBe(status);
  });
});

describe('describeLatestBuild', () => {
  it.each([
    { name: 'no build', state: { deleted: false, latestBuild: null } as WorkspaceBuildState, text: 'the workspace has no builds yet' },
    { name: 'running start', state: withBuild('running', 'start'), text: 'build #2 (start) is running' },
    { name: 'canceling delete', state: withBuild('canceling', 'delete'), text: 'build #2 (delete) is canceling' },
  ])('$name', ({ state, text }) => {
    expect(describeLatestBuild(state)).toBe(text);
  });
});

describe('checkBuildRequest', () => {
  type Expect = { allowed: true } | { allowed: false; contains: string[] };

  /** Hand-written rule per state and request (see the header comment). */
  function expected(row: StateRow, request: BuildRequestKind): Expect {
    const { state } = row;
    const b = state.latestBuild;
    if (state.deleted || (b?.transition === 'delete' && b.jobStatus === 'succeeded')) return { allowed: false, contains: [`cannot ${request}: workspace is deleted`] };
    if (!b) {
      return request === 'restart' || request === 'stop'
        ? { allowed: false, contains: [`cannot ${request}`, 'never been built', 'start it instead'] }
        : { allowed: true };
    }
    if (ACTIVE.includes(b.jobStatus)) {
      return {
        allowed: false,
        contains: [
          `cannot ${request}:`,
          `workspace is ${row.status}`,
          `build #${BUILD_NUMBER} (${b.transition}) is ${b.jobStatus}`,
          b.jobStatus === 'canceling' ? 'wait for the cancel to finish' : 'wait for it to finish or cancel it',
        ],
      };
    }
    // succeeded, canceled, failed: everything is accepted (start again = apply a new version;
    // a failed or canceled build can be retried or cleaned up).
    return { allowed: true };
  }

  const TABLE = STATES.flatMap((row) =>
    BUILD_REQUESTS.map((request) => ({ title: `${request} when ${row.name}`, row, request, expect: expected(row, request) })),
  );

  it('the table covers every request × state (4 × 22)', () => {
    expect(TABLE).toHaveLength(BUILD_REQUESTS.length * STATES.length);
    expect(TABLE.filter((t) => t.expect.allowed).length).toBeGreaterThan(0);
    expect(TABLE.filter((t) => !t.expect.allowed).length).toBeGreaterThan(0);
  });

  it.each(TABLE)('$title', ({ row, request, expect: exp }) => {
    const got = checkBuildRequest(row.state, request);
    if (exp.allowed) {
      expect(got).toBeNull();
    } else {
      expect(got).not.toBeNull();
      for (const part of exp.contains) expect(got).toContain(part);
    }
  });

  it('names the state exactly as in the doc comment', () => {
    expect(checkBuildRequest(withBuild('running', 'start'), 'start')).toBe(
      'cannot start: workspace is starting (build #2 (start) is running); wait for it to finish or cancel it',
    );
    expect(checkBuildRequest(withBuild('canceling', 'stop'), 'delete')).toBe(
      'cannot delete: workspace is canceling (build #2 (stop) is canceling); wait for the cancel to finish',
    );
  });

  it('uses the real build number', () => {
    const s: WorkspaceBuildState = { deleted: false, latestBuild: { number: 17, transition: 'stop', jobStatus: 'pending' } };
    expect(checkBuildRequest(s, 'start')).toContain('build #17 (stop) is pending');
  });

  // A succeeded delete build means deleted, even before the `deleted` flag is written.
  it('a succeeded delete build without the deleted flag refuses everything', () => {
    expect(currentStatus(withBuild('succeeded', 'delete'))).toBe('deleted');
    expect(checkBuildRequest(withBuild('succeeded', 'delete'), 'start')).toBe('cannot start: workspace is deleted');
    expect(checkCancel(withBuild('succeeded', 'delete'))).toBe('cannot cancel: workspace is deleted');
  });
});

describe('checkCancel', () => {
  const rows = STATES.map((row) => {
    const b = row.state.latestBuild;
    let exp: string | null;
    if (row.state.deleted || row.status === 'deleted') exp = 'cannot cancel: workspace is deleted';
    else if (!b || !ACTIVE.includes(b.jobStatus)) exp = `cannot cancel: no build is active (workspace is ${row.status})`;
    else if (b.jobStatus === 'canceling') exp = `cannot cancel: build #${BUILD_NUMBER} (${b.transition}) is canceling already`;
    else exp = null;
    return { name: row.name, state: row.state, exp };
  });

  it('some states allow a cancel (pending and running builds)', () => {
    expect(rows.filter((r) => r.exp === null).map((r) => r.name).sort()).toEqual(
      ['build #2 delete pending', 'build #2 delete running', 'build #2 start pending', 'build #2 start running', 'build #2 stop pending', 'build #2 stop running'],
    );
  });

  it.each(rows)('$name -> $exp', ({ state, exp }) => {
    expect(checkCancel(state)).toBe(exp);
  });
});

describe('transitionsFor', () => {
  it.each<{ request: BuildRequestKind; transitions: Transition[] }>([
    { request: 'start', transitions: ['start'] },
    { request: 'stop', transitions: ['stop'] },
    { request: 'delete', transitions: ['delete'] },
    { request: 'restart', transitions: ['stop', 'start'] },
  ])('$request -> $transitions', ({ request, transitions }) => {
    expect(transitionsFor(request)).toEqual(transitions);
  });

  it('every request kind expands to real transitions only', () => {
    for (const r of BUILD_REQUESTS) for (const t of transitionsFor(r)) expect(TRANSITIONS).toContain(t);
  });
});
