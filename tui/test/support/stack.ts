/** Starts test/support/berth-stack.mjs (a real Berth stack) in a child process for one test file. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StackInfo { url: string; adminToken: string; userToken: string; temporalAddress: string }
export interface Stack extends StackInfo { stop(): Promise<void> }

const here = path.dirname(fileURLToPath(import.meta.url));

export async function startStack(timeoutMs = 170_000): Promise<Stack> {
  const child: ChildProcess = spawn(process.execPath, [path.join(here, 'berth-stack.mjs')], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, BERTH_STACK_WATCH_STDIN: '1', NODE_OPTIONS: '' },
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => { err = (err + c.toString()).slice(-4000); });
  const info = await new Promise<StackInfo>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`stack did not start in ${timeoutMs} ms:\n${err}`)), timeoutMs);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /BERTH_STACK (\{.*\})\n/.exec(out);
      if (m) { clearTimeout(timer); resolve(JSON.parse(m[1]) as StackInfo); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`stack exited with ${code}:\n${err}`)); });
  });
  return {
    ...info,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) { resolve(); return; }
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('exit', () => { clearTimeout(kill); resolve(); });
      child.kill('SIGTERM');
    }),
  };
}
