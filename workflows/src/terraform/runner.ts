/**
 * Runs one tofu command as its own process group with stdout/stderr going to files in the work
 * directory, tailing those files into log lines as they grow. Files (not pipes) mean tofu keeps
 * running and finishes cleanly if the worker dies; the next attempt on this machine adopts the
 * still-running process (see `adoptRunningTofu`) instead of racing it.
 *
 * Cancel: SIGINT to the process group (tofu stops gracefully and saves state), a second SIGINT
 * after `graceMs`, SIGKILL to the whole group after `killAfterMs`. When tofu has exited, any
 * process left in its group is killed too, so a build leaves no orphans.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseTofuLine, type Diagnostic, type ParsedLine } from './logparse';

export type TofuStage = 'init' | 'validate' | 'plan' | 'apply' | 'show';

export interface TailOffsets { stdout: number; stderr: number }

/** What the runner reports for each output line. */
export interface TofuLine extends ParsedLine { stage: TofuStage; stream: 'stdout' | 'stderr' }

export interface RunOptions {
  bin: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  stage: TofuStage;
  /** Called for every parsed line, in order, with the files' offsets after that line. */
  onLine: (line: TofuLine, offsets: TailOffsets) => void;
  /** Aborting asks tofu to stop (SIGINT, then SIGINT, then SIGKILL). */
  signal?: AbortSignal;
  /** Time between the first and the second SIGINT (ms). */
  graceMs: number;
  /** Time from the first SIGINT to SIGKILL of the group (ms). */
  killAfterMs: number;
  /** How often the files are polled (ms). */
  pollMs?: number;
}

export interface RunResult {
  /** Exit code, or null when killed by a signal or when an adopted process's code is unknown. */
  code: number | null;
  signal: NodeJS.Signals | null;
  interrupted: boolean;
  diagnostics: Diagnostic[];
  stderrTail: string[];
}

/** Files a run writes inside `<cwd>/.berth/`. */
export function runFiles(cwd: string, stage: TofuStage) {
  const dir = path.join(cwd, '.berth');
  return { dir, stdout: path.join(dir, `${stage}.stdout`), stderr: path.join(dir, `${stage}.stderr`), pidFile: path.join(dir, 'tofu.pid') };
}

function groupAlive(pgid: number): boolean {
  try { process.kill(-pgid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}
function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch { return true; }
}
function killGroup(pgid: number, sig: NodeJS.Signals): void {
  try { process.kill(-pgid, sig); } catch { /* already gone */ }
}

/** Incrementally reads a growing file, emitting complete lines. */
class FileTail {
  private fd: number | null = null;
  private partial = '';
  constructor(private readonly file: string, public offset: number) {}
  read(emit: (line: string) => void, final: boolean): void {
    if (this.fd === null) {
      try { this.fd = fs.openSync(this.file, 'r'); } catch { return; }
    }
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = fs.readSync(this.fd, buf, 0, buf.length, this.offset);
      if (n <= 0) break;
      this.offset += n;
      this.partial += buf.subarray(0, n).toString('utf8');
      let i: number;
      while ((i = this.partial.indexOf('\n')) >= 0) {
        emit(this.partial.slice(0, i));
        this.partial = this.partial.slice(i + 1);
      }
    }
    if (final && this.partial) { emit(this.partial); this.partial = ''; }
  }
  /** Offset of the last complete line consumed. */
  get lineOffset(): number { return this.offset - Buffer.byteLength(this.partial); }
  close(): void { if (this.fd !== null) fs.closeSync(this.fd); this.fd = null; }
}

interface Tracked {
  pid: number;
  exited: () => boolean;
  exitInfo: () => { code: number | null; signal: NodeJS.Signals | null };
  /** Resolves when the process exits (for our own children), so we need not wait a full poll. */
  onExit?: Promise<void>;
}

async function follow(opts: RunOptions, tracked: Tracked, from: TailOffsets): Promise<RunResult> {
  const files = runFiles(opts.cwd, opts.stage);
  const out = new FileTail(files.stdout, from.stdout);
  const err = new FileTail(files.stderr, from.stderr);
  const diagnostics: Diagnostic[] = [];
  const stderrTail: string[] = [];
  let interrupted = false;
  const timers: NodeJS.Timeout[] = [];
  const onAbort = () => {
    if (interrupted) return;
    interrupted = true;
    killGroup(tracked.pid, 'SIGINT');
    timers.push(setTimeout(() => killGroup(tracked.pid, 'SIGINT'), opts.graceMs));
    timers.push(setTimeout(() => killGroup(tracked.pid, 'SIGKILL'), opts.killAfterMs));
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  const drain = (final: boolean) => {
    const emit = (stream: 'stdout' | 'stderr', tail: FileTail) => (raw: string) => {
      const p = parseTofuLine(raw, stream);
      if (stream === 'stderr') { stderrTail.push(raw); if (stderrTail.length > 20) stderrTail.shift(); }
      if (!p) return;
      if (p.diagnostic) diagnostics.push(p.diagnostic);
      opts.onLine({ ...p, stage: opts.stage, stream }, { stdout: stream === 'stdout' ? tail.lineOffset : out.lineOffset, stderr: stream === 'stderr' ? tail.lineOffset : err.lineOffset });
    };
    out.read(emit('stdout', out), final);
    err.read(emit('stderr', err), final);
  };
  const poll = opts.pollMs ?? 100;
  try {
    while (!tracked.exited()) {
      drain(false);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise((r) => { timer = setTimeout(r, poll); }), tracked.onExit ?? new Promise(() => undefined)]);
      clearTimeout(timer);
    }
    drain(true);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    timers.forEach(clearTimeout);
    out.close(); err.close();
    // No orphans: whatever tofu left in its process group goes with it.
    if (groupAlive(tracked.pid)) killGroup(tracked.pid, 'SIGKILL');
    try { fs.rmSync(files.pidFile, { force: true }); } catch { /* ignore */ }
  }
  const { code, signal } = tracked.exitInfo();
  return { code, signal, interrupted, diagnostics, stderrTail };
}

/**
 * Spawns `bin args` in `cwd` as a new process group, writes `<cwd>/.berth/tofu.pid`
 * (`<pid> <stage>`), follows its output until it exits. Resolves with the exit status; rejects
 * only when the process cannot be spawned (e.g. the binary is missing).
 */
export async function runTofuCommand(opts: RunOptions): Promise<RunResult> {
  const files = runFiles(opts.cwd, opts.stage);
  fs.mkdirSync(files.dir, { recursive: true });
  const fdOut = fs.openSync(files.stdout, 'w');
  const fdErr = fs.openSync(files.stderr, 'w');
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const child = spawn(opts.bin, opts.args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', fdOut, fdErr] });
  fs.closeSync(fdOut); fs.closeSync(fdErr);
  const onExit = new Promise<void>((resolve) => child.on('exit', (code, signal) => { exit = { code, signal }; resolve(); }));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (e) => reject(new Error(`cannot run ${opts.bin}: ${e.message}`)));
  });
  const pid = child.pid as number;
  fs.writeFileSync(files.pidFile, `${pid} ${opts.stage}\n`);
  return follow(opts, { pid, exited: () => exit !== null, exitInfo: () => exit ?? { code: null, signal: null }, onExit }, { stdout: 0, stderr: 0 });
}

/** A tofu process left running by an earlier attempt (its worker died), found through the pid file. */
export interface OrphanTofu { pid: number; stage: TofuStage }

/** Returns the still-running tofu of an earlier attempt in `cwd`, or null. */
export function findRunningTofu(cwd: string): OrphanTofu | null {
  const pidFile = path.join(cwd, '.berth', 'tofu.pid');
  let text: string;
  try { text = fs.readFileSync(pidFile, 'utf8'); } catch { return null; }
  const [pidText, stage] = text.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || !['init', 'validate', 'plan', 'apply', 'show'].includes(stage)) return null;
  if (!pidAlive(pid)) return null;
  let cmdline = '';
  try { cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return null; }
  if (!/tofu|terraform/.test(cmdline)) return null; // the pid was reused by something else
  return { pid, stage: stage as TofuStage };
}

/**
 * Follows an orphaned tofu process until it exits, logging its output from `from` (the offsets
 * already logged). Its exit code is unknown (it is not our child): `code` is null.
 */
export async function adoptRunningTofu(orphan: OrphanTofu, opts: Omit<RunOptions, 'bin' | 'args' | 'stage'>, from: TailOffsets): Promise<RunResult> {
  return follow({ ...opts, bin: '', args: [], stage: orphan.stage }, {
    pid: orphan.pid, exited: () => !pidAlive(orphan.pid), exitInfo: () => ({ code: null, signal: null }),
  }, from);
}
