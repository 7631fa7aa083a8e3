/** Opens the TUI on the real terminal (alternate screen, restored in finally and on exit). */
import { render } from 'ink';
import type { BerthApiClient } from '@berth/backstage-plugin-common';
import { App } from './App.js';

/** Ink options of the real terminal (the benchmark renders with the same). 60 fps: a key press is drawn within ~17 ms of the previous frame. */
export const RENDER_OPTIONS = { exitOnCtrlC: false, maxFps: 60 } as const;

export async function startTui(client: BerthApiClient, opts: { url: string }): Promise<number> {
  const restore = () => process.stdout.write('\u001b[?1049l\u001b[?25h');
  process.stdout.write('\u001b[?1049h\u001b[H');
  process.once('exit', restore);
  let code = 0;
  try {
    const app = render(<App client={client} url={opts.url} onExit={(c) => { code = c; }} />, RENDER_OPTIONS);
    await app.waitUntilExit();
  } finally {
    restore();
    process.removeListener('exit', restore);
  }
  return code;
}
