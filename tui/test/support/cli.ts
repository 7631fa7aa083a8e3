/** Runs the CLI in-process with captured output (no TTY unless asked). */
import { PassThrough } from 'node:stream';
import { run } from '../../src/main.js';

export interface CliResult { code: number; stdout: string; stderr: string; json<T = any>(): T }

export async function cli(argv: string[], opts: { env?: NodeJS.ProcessEnv; tty?: boolean; input?: string; signal?: AbortSignal } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = Boolean(opts.tty);
  if (opts.input !== undefined) stdin.end(opts.input);
  const code = await run(argv, {
    stdout: { write: (s: string) => { stdout += s; return true; }, isTTY: Boolean(opts.tty) },
    stderr: { write: (s: string) => { stderr += s; return true; } },
    stdin,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TZ: 'UTC', ...opts.env },
    signal: opts.signal,
    openTui: async () => { throw new Error('the TUI must not open in this test'); },
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}
