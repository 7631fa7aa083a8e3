/** Small hooks for Ink 6 (which has no useWindowSize). */
import { useInput, useStdout, type Key } from 'ink';
import { useEffect, useRef, useState } from 'react';

/** Terminal size, updated on the stdout `resize` event. */
export function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => { stdout.off('resize', onResize); };
  }, [stdout]);
  return size;
}

/**
 * useInput for components with text fields: a chunk that mixes text and Enter ("e2e-one\r",
 * typed or pasted faster than a frame) is split, and each later piece runs after React has
 * re-rendered, so it sees the state the earlier piece produced.
 */
export function useChunkedInput(handler: (input: string, key: Key) => void, opts: { isActive?: boolean } = {}): void {
  const ref = useRef(handler);
  ref.current = handler;
  useInput((input, key) => {
    const pieces = splitChunk(input, key);
    const run = (i: number) => {
      ref.current(pieces[i].input, pieces[i].key);
      if (i + 1 < pieces.length) setTimeout(() => run(i + 1), 0);
    };
    run(0);
  }, opts);
}

/** Splits `text\rmore` into text / Enter / more; anything else stays one piece. */
export function splitChunk(input: string, key: Key): { input: string; key: Key }[] {
  if (input.length < 2 || !input.includes('\r') || key.ctrl || key.meta || key.escape) return [{ input, key }];
  const plain = { ...key, return: false };
  return input.split(/(\r)/).filter(Boolean).map((p) => (p === '\r' ? { input: '', key: { ...plain, return: true } } : { input: p, key: plain }));
}
