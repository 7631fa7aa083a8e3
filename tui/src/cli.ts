#!/usr/bin/env node
/**
 * `berth` entry point. Maps NO_COLOR / --no-color to FORCE_COLOR=0 before anything can load
 * Ink (whose chalk ignores NO_COLOR), then runs the CLI. Ink is imported only when the TUI opens.
 */
if ((process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') || process.argv.includes('--no-color')) process.env.FORCE_COLOR = '0';

// `berth ls | head`: a closed pipe is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); throw e; });

// React's production build for the TUI (the development build renders several times slower).
process.env.NODE_ENV ??= 'production';

const { run } = await import('./main.js');
const code = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  openTui: async (client, opts) => (await import('./tui/start.js')).startTui(client, opts),
});
process.exitCode = code;
