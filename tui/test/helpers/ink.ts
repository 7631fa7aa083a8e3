/** ink-testing-library wrapped in act(): effects flushed before keys, lone Esc flushed after. */
import { act, type ReactElement } from 'react';
import { render as inkRender } from 'ink-testing-library';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export const keys = { up: '\u001B[A', down: '\u001B[B', enter: '\r', escape: '\u001B', tab: '\t', backspace: '\u007F', ctrlC: '\u0003' } as const;

export async function render(tree: ReactElement, opts: { columns?: number; rows?: number } = {}) {
  let result!: ReturnType<typeof inkRender>;
  await act(async () => {
    result = inkRender(tree);
    const stdout = result.stdout as unknown as { columns: number; rows: number };
    Object.defineProperty(stdout, 'columns', { get: () => opts.columns ?? 100, configurable: true });
    Object.defineProperty(stdout, 'rows', { get: () => opts.rows ?? 30, configurable: true });
  });
  await act(async () => { (result.stdout as unknown as NodeJS.EventEmitter).emit('resize'); });
  const press = async (...inputs: string[]) => {
    for (const input of inputs) {
      await act(async () => {
        result.stdin.write(input);
        await new Promise((r) => setImmediate(r));
      });
    }
  };
  const frame = () => result.lastFrame() ?? '';
  /** Polls (inside act) until the frame satisfies `pred`. */
  const waitFor = async (pred: string | RegExp | ((f: string) => boolean), timeoutMs = 5000) => {
    const test = typeof pred === 'function' ? pred : (f: string) => (typeof pred === 'string' ? f.includes(pred) : pred.test(f));
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (test(frame())) return frame();
      if (Date.now() > until) throw new Error(`timed out waiting for ${String(pred)}; last frame:\n${frame()}`);
      await act(async () => { await new Promise((r) => setTimeout(r, 20)); });
    }
  };
  const resize = async (columns: number, rows = 30) => {
    const stdout = result.stdout as unknown as { columns: number; rows: number } & NodeJS.EventEmitter;
    Object.defineProperty(stdout, 'columns', { get: () => columns, configurable: true });
    Object.defineProperty(stdout, 'rows', { get: () => rows, configurable: true });
    await act(async () => { stdout.emit('resize'); });
  };
  const unmount = async () => act(async () => { result.unmount(); });
  return { ...result, press, frame, waitFor, resize, unmount };
}
