/**
 * The `berth` command line: scriptable subcommands (plain tables or `-o json`, `--yes` for
 * prompts, exit codes 0 ok / 1 error / 2 usage), and the TUI when run with no arguments on a
 * terminal. Everything goes through {@link BerthApiClient}; nothing here renders Ink unless
 * stdin and stdout are both TTYs.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { Command, CommanderError, Option } from 'commander';
import { BerthApiClient, BerthApiError, type ApiBuild, type ApiBuildLog, type ApiWorkspace, type CreateBuildBody } from '@berth/backstage-plugin-common';
import { configPath, normalizeUrl, readConfig, removeConfig, resolveTarget, writeConfig } from './config.js';
import { CliError, EXIT_ERROR, EXIT_OK, EXIT_USAGE, UsageError, formatError } from './errors.js';
import { autostopText, describeAutostart, formatDuration, lastBuiltText, localTime, parseAutostart, parseDuration, userZone } from './format.js';
import { colorEnabled, fields, json, makePaint, statusStyle, table, type Paint } from './output.js';
import { stageMark } from '@berth/backstage-plugin-common';

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Opens the TUI (only called when both stdin and stdout are TTYs). */
  openTui?: (client: BerthApiClient, opts: { url: string }) => Promise<number>;
  /** Lets tests abort a follow (as Ctrl-C would). */
  signal?: AbortSignal;
}

interface GlobalOpts { output: 'table' | 'json'; yes?: boolean; debug?: boolean; color?: boolean; url?: string; token?: string }

const TERMINAL_JOB = ['succeeded', 'failed', 'canceled'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Runs the CLI; resolves with the exit code (never calls process.exit). */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const ctx = new Context(io);
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT_OK;
      return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    const { line, code } = formatError(ctx.what, e);
    io.stderr.write(`${line}\n`);
    if (ctx.debug && e instanceof Error) io.stderr.write(`${e.stack ?? ''}\n${e.cause ? `cause: ${String((e.cause as Error).stack ?? e.cause)}\n` : ''}`);
    return code;
  }
}

class Context {
  exitCode = EXIT_OK;
  /** What the current command is doing, for error lines ("stop dev"). */
  what = '';
  debug = false;
  opts!: GlobalOpts;
  paint: Paint = (_s, t) => t;
  constructor(readonly io: CliIo) {}

  get interactive(): boolean { return Boolean(this.io.stdin.isTTY && this.io.stdout.isTTY); }
  get jsonOut(): boolean { return this.opts.output === 'json'; }
  out(s: string): void { this.io.stdout.write(s); }
  err(s: string): void { this.io.stderr.write(s); }

  setup(cmd: Command, what: string): void {
    this.opts = cmd.optsWithGlobals() as GlobalOpts;
    this.debug = Boolean(this.opts.debug);
    this.what = what;
    this.paint = makePaint(colorEnabled(Boolean(this.io.stdout.isTTY), this.io.env, this.opts.color === false));
  }

  target(): { url: string; token?: string } {
    let t;
    try {
      t = resolveTarget(this.io.env, { url: this.opts.url, token: this.opts.token });
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    if (!t.url) throw new CliError('not logged in', { hint: 'run berth login <url> --token <berth_…>, or set BERTH_URL and BERTH_TOKEN' });
    return { url: normalizeUrl(t.url), token: t.token };
  }

  client(): BerthApiClient {
    const { url, token } = this.target();
    return new BerthApiClient({ baseUrl: url, token });
  }

  /** y/N confirmation (default No); `--yes` skips it; without a TTY it refuses instead of waiting. */
  async confirm(question: string): Promise<void> {
    if (this.opts.yes) return;
    if (!this.interactive) throw new UsageError('confirmation needed and there is no terminal to ask on', 'pass --yes to confirm without a prompt');
    const answer = await this.ask(`${question} (y/N) `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('not confirmed', { hint: 'nothing was changed', code: EXIT_ERROR });
  }

  /** Destructive confirmation: type the name. */
  async confirmName(name: string, question: string): Promise<void> {
    if (this.opts.yes) return;
    if (!this.interactive) throw new UsageError('confirmation needed and there is no terminal to ask on', 'pass --yes to confirm without a prompt');
    const answer = await this.ask(`${question} Type the name "${name}" to confirm: `);
    if (answer.trim() !== name) throw new CliError('the name did not match', { hint: 'nothing was changed' });
  }

  ask(question: string): Promise<string> {
    this.err(question);
    const rl = readline.createInterface({ input: this.io.stdin, terminal: false });
    return new Promise((resolve) => {
      let answered = false;
      rl.once('line', (a) => { answered = true; rl.close(); resolve(a); });
      rl.once('close', () => { if (!answered) resolve(''); });
    });
  }

  emit(value: unknown, text: () => string): void {
    this.out(this.jsonOut ? json(value) : text());
  }
}

/** Finds a workspace by id, `name` (the caller's) or `owner/name`. */
async function findWorkspace(client: BerthApiClient, ref: string): Promise<ApiWorkspace> {
  if (UUID.test(ref)) return client.getWorkspace(ref);
  const slash = ref.indexOf('/');
  const owner = slash >= 0 ? ref.slice(0, slash) : 'me';
  const name = slash >= 0 ? ref.slice(slash + 1) : ref;
  if (!name || /[\s"]/.test(name) || /[\s"]/.test(owner)) throw new UsageError(`"${ref}" is not a workspace name`, 'use <name>, <owner>/<name> or the workspace id');
  const { workspaces } = await client.listWorkspaces({ q: `owner:${owner} name:${name}`, limit: 2 });
  if (!workspaces.length) throw new CliError(`no workspace "${ref}"${slash < 0 ? ' of yours' : ''}`, { hint: 'list them with berth ls (berth ls --all for everyone\'s)' });
  return workspaces[0];
}

function buildRow(b: ApiBuild, p: Paint): string[] {
  return [`#${b.build_number}`, b.transition, b.reason, p(statusStyle(b.job_status), b.job_status), localTime(b.created_at, userZone(), true), formatDuration(b.duration_ms), b.error ?? b.explanation ?? ''];
}

/**
 * Prints a staged log as it streams: `⧗ stage`, indented lines, `✔ stage [1.2s]`.
 * Returns the line sink and a finisher taking the job status.
 */
function stagePrinter(write: (s: string) => void, p: Paint) {
  let stage: string | null = null;
  let startedAt = 0;
  let lastAt = 0;
  const close = (mark: string, style: string) => {
    if (stage) write(`${p(style, mark)} ${stage} [${formatDuration(lastAt - startedAt)}]\n`);
  };
  return {
    line(l: ApiBuildLog) {
      const t = Date.parse(l.created_at);
      if (l.stage !== stage) {
        if (stage) { lastAt = t; close('✔', 'green'); }
        stage = l.stage;
        startedAt = t;
        write(`${p('yellow', '⧗')} ${stage}\n`);
      }
      lastAt = t;
      const text = l.output.replace(/\s+$/, '');
      write(`  ${l.level === 'error' ? p('red', text) : l.level === 'warn' ? p('yellow', text) : text}\n`);
    },
    end(jobStatus: string) {
      if (jobStatus === 'succeeded') close('✔', 'green');
      else if (jobStatus === 'canceled') close(stageMark('canceled'), 'red');
      else if (jobStatus !== 'detached') close('✘', 'red');
    },
  };
}

/** Follows (or prints, when it ended) a build's log; resolves with the final job status. */
async function followBuild(ctx: Context, client: BerthApiClient, ws: ApiWorkspace, buildNumber: number, opts: { quiet?: boolean } = {}): Promise<string> {
  const ndjson = ctx.jsonOut;
  const printer = stagePrinter((s) => {
    if (opts.quiet) return;
    if (ndjson) ctx.err(s);
    else ctx.out(s);
  }, ctx.paint);
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  ctx.io.signal?.addEventListener('abort', onSigint, { once: true });
  try {
    const r = await client.followBuildLogs(ws.id, buildNumber, {
      signal: ac.signal,
      onLog: (l) => { if (ndjson && !opts.quiet) ctx.out(`${JSON.stringify(l)}\n`); else printer.line(l); },
    });
    printer.end(r.jobStatus);
    if (r.jobStatus === 'detached') ctx.err(`detached from build #${buildNumber} of ${ws.name}: it keeps running (berth cancel ${ws.name} to cancel it)\n`);
    return r.jobStatus;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** Shared body of start/stop/restart/update/delete/create --wait. */
async function finishBuild(ctx: Context, client: BerthApiClient, ws: ApiWorkspace, build: ApiBuild, wait: boolean): Promise<void> {
  if (!wait) {
    ctx.emit(build, () => `${ws.name}: build #${build.build_number} (${build.transition}) ${build.job_status}; follow it with berth logs -f ${ws.name}\n`);
    return;
  }
  const status = await followBuild(ctx, client, ws, build.build_number, { quiet: ctx.jsonOut });
  if (status === 'detached') return;
  const final = await client.getBuild(ws.id, build.build_number);
  ctx.emit(final, () => `${ws.name}: build #${final.build_number} (${final.transition}) ${ctx.paint(statusStyle(final.job_status), final.job_status)}; workspace ${final.status}${final.error ? ` — ${final.error}` : ''}\n`);
  if (final.job_status !== 'succeeded') ctx.exitCode = EXIT_ERROR;
}

function parseParams(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`parameter "${kv}" is not name=value`, 'e.g. -p cpu=2');
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

function durationArg(v: string, what: string, allowOff = false): number | null {
  if (allowOff && /^(off|none|0)$/i.test(v)) return null;
  const ms = parseDuration(v);
  if (ms === null) throw new UsageError(`${what} "${v}" is not a duration`, `use e.g. 8h, 90m or 1h30m${allowOff ? ', or off' : ''}`);
  return ms;
}

/** Makes a tar.gz of a template directory with the system tar (entries relative to the directory). */
async function tarDirectory(dir: string): Promise<Uint8Array> {
  const st = fs.statSync(dir, { throwIfNoEntry: false });
  if (!st?.isDirectory()) throw new UsageError(`"${dir}" is not a directory`, 'pass the template directory with -d');
  const entries = fs.readdirSync(dir).filter((e) => !['.terraform', '.git', 'node_modules'].includes(e) && !e.endsWith('.tfstate'));
  return new Promise((resolve, reject) => {
    const p = spawn('tar', ['-czf', '-', '-C', dir, '--', ...entries], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (c: Buffer) => chunks.push(c));
    p.stderr.on('data', (c: Buffer) => { err += c; });
    p.on('error', (e) => reject(new CliError(`cannot run tar: ${e.message}`, { hint: 'install tar, or pass --archive <file.tar.gz>' })));
    p.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new CliError(`tar failed: ${err.trim()}`))));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function buildProgram(ctx: Context): Command {
  const io = ctx.io;
  const program = new Command('berth')
    .description('Berth workspaces from the terminal. With no command on a terminal, opens the TUI.')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('-y, --yes', 'answer yes to confirmations (for scripts)')
    .option('--debug', 'print stack traces with errors')
    .option('--no-color', 'no colours (NO_COLOR=1 does the same)')
    .option('--url <url>', 'Berth API URL (overrides BERTH_URL and the config file)')
    .option('--token <token>', 'API token (overrides BERTH_TOKEN and the config file)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`${s.trimEnd().replace(/\.$/, "")}. See berth --help\n`),
    });
  const sub = (name: string, description: string) => {
    const c = program.command(name).description(description);
    c.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: (s, write) => write(`${s.trimEnd().replace(/\.$/, "")}. See berth ${name.split(' ')[0]} --help\n`) });
    return c;
  };

  program.action(async (_o: unknown, cmd: Command) => {
    ctx.setup(cmd, 'open the TUI');
    if (!ctx.interactive || !io.openTui) {
      // No terminal: never render Ink; print the workspace table instead.
      await listCommand(ctx, {});
      return;
    }
    const client = ctx.client();
    ctx.exitCode = await io.openTui(client, { url: ctx.target().url });
  });

  // ---- login / logout / whoami
  sub('login <url>', 'Log in: store the API URL and a Berth API token (config file mode 0600)')
    .addHelpText('after', '\nPass the token with --token <berth_…> (or BERTH_TOKEN). A Backstage token given instead is exchanged for a new Berth API token.')
    .option('--token-name <name>', 'name of the token created from a Backstage token', `berth-cli-${os.hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40) || 'host'}`)
    .action(async (rawUrl: string, o: { tokenName: string }, cmd: Command) => {
      ctx.setup(cmd, 'log in');
      let url: string;
      try { url = normalizeUrl(rawUrl); } catch { throw new UsageError(`"${rawUrl}" is not a URL`, 'e.g. berth login http://localhost:7007'); }
      let token = ctx.opts.token ?? io.env.BERTH_TOKEN;
      if (!token) {
        if (!ctx.interactive) throw new UsageError('no token given', 'pass --token <berth_…> (or a Backstage token to create one)');
        token = (await ctx.ask('Berth API token (berth_…), or a Backstage token to create one: ')).trim();
        if (!token) throw new UsageError('no token given', 'create one in Backstage, or pass --token');
      }
      let tokenId: string | undefined;
      if (!token.startsWith('berth_')) {
        const created = await new BerthApiClient({ baseUrl: url, token }).createToken({ name: o.tokenName });
        token = created.token;
        tokenId = created.id;
      }
      const me = await new BerthApiClient({ baseUrl: url, token }).whoami();
      const file = writeConfig({ url, token, user: me.user, ...(tokenId ? { tokenId } : {}) } as never, io.env);
      ctx.emit({ url, user: me.user, admin: me.admin, config: file, created_token: Boolean(tokenId) }, () => `logged in to ${url} as ${me.user}${me.admin ? ' (admin)' : ''}; saved in ${file} (mode 0600)\n`);
    });

  sub('logout', 'Forget the stored URL and token').action(async (_o: unknown, cmd: Command) => {
    ctx.setup(cmd, 'log out');
    const file = configPath(io.env);
    const had = removeConfig(io.env);
    ctx.emit({ config: file, removed: had }, () => (had ? `logged out: removed ${file}\n` : `not logged in (no ${file})\n`));
  });

  sub('whoami', 'Show who the API thinks you are').action(async (_o: unknown, cmd: Command) => {
    ctx.setup(cmd, 'whoami');
    const { url } = ctx.target();
    const me = await ctx.client().whoami();
    ctx.emit({ ...me, url }, () => `${me.user}${me.admin ? ' (admin)' : ''} via ${me.via} at ${url}\n`);
  });

  // ---- workspaces
  sub('ls', 'List workspaces (yours unless --all or -q)')
    .option('-a, --all', "everyone's workspaces you may read")
    .option('-q, --search <query>', 'Coder-style search: owner:me template:local status:running name')
    .option('--limit <n>', 'at most n workspaces', '500')
    .action(async (o: { all?: boolean; search?: string; limit: string }, cmd: Command) => {
      ctx.setup(cmd, 'list workspaces');
      await listCommand(ctx, o);
    });

  sub('show <workspace>', 'Show a workspace, its schedule and recent builds').action(async (ref: string, _o: unknown, cmd: Command) => {
    ctx.setup(cmd, `show ${ref}`);
    const client = ctx.client();
    const ws = await findWorkspace(client, ref);
    if (ctx.jsonOut) { ctx.out(json(ws)); return; }
    const builds = (await client.listBuilds(ws.id)).slice(0, 5);
    const b = ws.latest_build;
    ctx.out(fields([
      ['Name', ws.name], ['Owner', ws.owner], ['Template', `${ws.template_name}${ws.outdated ? ' (outdated: berth update)' : ''}`],
      ['Status', ctx.paint(statusStyle(ws.status), ws.status)], ['Id', ws.id],
      ['Autostart', describeAutostart(ws.autostart_schedule)], ['TTL', ws.ttl_ms ? formatDuration(ws.ttl_ms) : 'off'],
      ['Autostop', autostopText(ws)], ['Last build', b ? `#${b.build_number} ${b.transition} ${b.job_status} (${b.reason}) ${b.explanation}` : '-'],
    ]));
    if (builds.length) ctx.out(`\n${table(['BUILD', 'TRANSITION', 'REASON', 'JOB', 'CREATED', 'DURATION', 'NOTE'], builds.map((x) => buildRow(x, ctx.paint)))}`);
  });

  sub('create <name>', 'Create a workspace from a template (and start it)')
    .requiredOption('-t, --template <template>', 'template name')
    .option('-p, --parameter <name=value>', 'a parameter value (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--preset <preset>', 'use a preset of the template')
    .option('--ttl <duration>', 'autostop after this long running, e.g. 8h')
    .option('--autostart <schedule>', 'autostart "<hh:mm> [days] [zone]", e.g. "09:00 Mon-Fri Europe/Berlin"')
    .option('-w, --wait', 'follow the first build until it ends (exit 1 if it fails)')
    .action(async (name: string, o: { template: string; parameter: string[]; preset?: string; ttl?: string; autostart?: string; wait?: boolean }, cmd: Command) => {
      ctx.setup(cmd, `create ${name}`);
      const parameters = parseParams(o.parameter);
      const ttl = o.ttl !== undefined ? durationArg(o.ttl, 'TTL') : undefined;
      let autostart: string | undefined;
      if (o.autostart !== undefined) {
        try { autostart = parseAutostart(o.autostart); } catch (e) { throw new UsageError(`autostart: ${(e as Error).message}`); }
      }
      const client = ctx.client();
      const ws = await client.createWorkspace({ name, template: o.template, parameters, ...(o.preset ? { preset: o.preset } : {}), ...(ttl !== undefined ? { ttl_ms: ttl } : {}), ...(autostart ? { autostart_schedule: autostart } : {}) });
      if (!o.wait) {
        ctx.emit(ws, () => `created ${ws.name} (${ws.id}) from ${ws.template_name}; building: berth logs -f ${ws.name}\n`);
        return;
      }
      if (!ctx.jsonOut) ctx.out(`created ${ws.name} (${ws.id}) from ${ws.template_name}\n`);
      const status = ws.latest_build ? await followBuild(ctx, client, ws, ws.latest_build.build_number, { quiet: ctx.jsonOut }) : 'succeeded';
      const final = await client.getWorkspace(ws.id);
      ctx.emit(final, () => `${final.name}: ${ctx.paint(statusStyle(final.status), final.status)}\n`);
      if (status !== 'succeeded' && status !== 'detached') ctx.exitCode = EXIT_ERROR;
    });

  const transition = (name: CreateBuildBody['transition'] | 'restart', description: string, confirm?: (ws: ApiWorkspace) => Promise<void>) =>
    sub(`${name} <workspace>`, description)
      .option('-w, --wait', 'follow the build until it ends (exit 1 if it fails)')
      .option('-p, --parameter <name=value>', 'a new parameter value (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
      .action(async (ref: string, o: { wait?: boolean; parameter: string[] }, cmd: Command) => {
        ctx.setup(cmd, `${name} ${ref}`);
        const parameters = parseParams(o.parameter);
        const client = ctx.client();
        const ws = await findWorkspace(client, ref);
        if (confirm) await confirm(ws);
        const build = name === 'delete' && !o.parameter.length
          ? await client.deleteWorkspace(ws.id)
          : await client.createBuild(ws.id, { transition: name, ...(o.parameter.length ? { parameters } : {}) });
        await finishBuild(ctx, client, ws, build, Boolean(o.wait));
      });
  transition('start', 'Start a workspace');
  transition('stop', 'Stop a workspace (asks first; --yes to skip)', (ws) => ctx.confirm(`Stop ${ws.name}?`));
  transition('restart', 'Stop then start a workspace (asks first)', (ws) => ctx.confirm(`Restart ${ws.name}?`));
  transition('update', "Rebuild a workspace on its template's active version");
  transition('delete', 'Delete a workspace (type its name, or --yes)', (ws) => ctx.confirmName(ws.name, `Delete ${ws.name} and its resources?`));

  sub('cancel <workspace>', 'Cancel the running build (tofu is interrupted; asks first)')
    .option('-b, --build <n>', 'build number (default: the latest)')
    .action(async (ref: string, o: { build?: string }, cmd: Command) => {
      ctx.setup(cmd, `cancel ${ref}`);
      const n = o.build !== undefined ? intArg(o.build, 'build') : undefined;
      const client = ctx.client();
      const ws = await findWorkspace(client, ref);
      const number = n ?? ws.latest_build?.build_number;
      if (!number) throw new CliError(`${ws.name} has no builds`);
      await ctx.confirm(`Cancel build #${number} of ${ws.name}?`);
      const b = await client.cancelBuild(ws.id, number);
      ctx.emit(b, () => `${ws.name}: build #${b.build_number} ${b.job_status}\n`);
    });

  sub('logs <workspace>', "Print a build's staged log (-f follows a running build; Ctrl-C detaches)")
    .option('-b, --build <n>', 'build number (default: the latest)')
    .option('-f, --follow', 'follow until the build ends')
    .action(async (ref: string, o: { build?: string; follow?: boolean }, cmd: Command) => {
      ctx.setup(cmd, `logs ${ref}`);
      const n = o.build !== undefined ? intArg(o.build, 'build') : undefined;
      const client = ctx.client();
      const ws = await findWorkspace(client, ref);
      const number = n ?? ws.latest_build?.build_number;
      if (!number) throw new CliError(`${ws.name} has no builds`);
      if (o.follow) {
        const status = await followBuild(ctx, client, ws, number);
        if (status !== 'succeeded' && status !== 'detached') ctx.exitCode = EXIT_ERROR;
        return;
      }
      const lines: ApiBuildLog[] = [];
      for (let after = 0; ;) {
        const page = await client.getBuildLogs(ws.id, number, after);
        if (!page.length) break;
        lines.push(...page);
        after = page[page.length - 1].seq;
      }
      if (ctx.jsonOut) { ctx.out(json(lines)); return; }
      const b = await client.getBuild(ws.id, number);
      const printer = stagePrinter((s) => ctx.out(s), ctx.paint);
      lines.forEach((l) => printer.line(l));
      if (TERMINAL_JOB.includes(b.job_status)) printer.end(b.job_status);
      ctx.out(`build #${b.build_number} (${b.transition}) ${ctx.paint(statusStyle(b.job_status), b.job_status)}${b.error ? `: ${b.error}` : ''}\n`);
    });

  // ---- schedule
  const schedule = program.command('schedule').description('Autostart and autostop (TTL) of a workspace');
  schedule.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: (s, write) => write(`${s.trimEnd().replace(/\.$/, "")}. See berth schedule --help\n`) });
  const schedSub = (name: string, d: string) => schedule.command(name).description(d).exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: (s, write) => write(`${s.trimEnd().replace(/\.$/, "")}. See berth schedule --help\n`) });
  schedSub('show <workspace>', 'Show the schedule and the next autostart/autostop times').action(async (ref: string, _o: unknown, cmd: Command) => {
    ctx.setup(cmd, `schedule show ${ref}`);
    const client = ctx.client();
    const ws = await findWorkspace(client, ref);
    const [s, preview] = await Promise.all([client.getSchedule(ws.id), client.previewSchedule(ws.id, { count: 3 })]);
    if (ctx.jsonOut) { ctx.out(json({ ...s, preview })); return; }
    ctx.out(fields([
      ['Autostart', describeAutostart(s.autostart_schedule)], ['TTL', s.ttl_ms ? formatDuration(s.ttl_ms) : 'off'],
      ['Deadline', localTime(s.deadline, userZone(), true)], ['Max deadline', localTime(s.max_deadline, userZone(), true)],
      ['Next', s.next_lifecycle ? `${s.next_lifecycle.transition ?? s.next_lifecycle.rule} at ${localTime(s.next_lifecycle.due_at, userZone(), true)}: ${s.next_lifecycle.explanation}` : '-'],
      ['Next starts', preview.autostarts.map((a) => a.local).join(', ') || (preview.autostart_skip?.message ?? '-')],
      ['Next stops', preview.autostops.map((a) => a.local).join(', ') || '-'],
    ]));
  });
  schedSub('set <workspace>', 'Set autostart and/or TTL (never starts or stops the workspace)')
    .option('--start <schedule>', 'autostart "<hh:mm> [days] [zone]" (e.g. "09:00 Mon-Fri Europe/Berlin"), or off')
    .option('--ttl <duration>', 'autostop after running this long (8h, 90m), or off')
    .action(async (ref: string, o: { start?: string; ttl?: string }, cmd: Command) => {
      ctx.setup(cmd, `schedule set ${ref}`);
      if (o.start === undefined && o.ttl === undefined) throw new UsageError('nothing to set', 'pass --start and/or --ttl');
      let autostart: string | null | undefined;
      if (o.start !== undefined) {
        if (/^(off|none)$/i.test(o.start.trim())) autostart = null;
        else try { autostart = parseAutostart(o.start); } catch (e) { throw new UsageError(`autostart: ${(e as Error).message}`); }
      }
      const ttl = o.ttl !== undefined ? durationArg(o.ttl, 'TTL', true) : undefined;
      const client = ctx.client();
      const ws = await findWorkspace(client, ref);
      const s = await client.putSchedule(ws.id, { ...(autostart !== undefined ? { autostart_schedule: autostart } : {}), ...(ttl !== undefined ? { ttl_ms: ttl } : {}) });
      ctx.emit(s, () => `${ws.name}: autostart ${describeAutostart(s.autostart_schedule)}, TTL ${s.ttl_ms ? formatDuration(s.ttl_ms) : 'off'}\n`);
    });
  schedSub('extend <workspace> <duration>', 'Move the deadline to now + duration (or to an ISO time)').action(async (ref: string, d: string, _o: unknown, cmd: Command) => {
    ctx.setup(cmd, `schedule extend ${ref}`);
    let deadline: string;
    const ms = parseDuration(d);
    if (ms !== null) deadline = new Date(Date.now() + ms).toISOString();
    else if (!Number.isNaN(Date.parse(d)) && /\d{4}-\d{2}-\d{2}/.test(d)) deadline = new Date(d).toISOString();
    else throw new UsageError(`"${d}" is neither a duration nor a time`, 'use e.g. 2h, or 2026-12-03T18:00:00Z');
    const client = ctx.client();
    const ws = await findWorkspace(client, ref);
    const s = await client.extendDeadline(ws.id, deadline);
    ctx.emit(s, () => `${ws.name}: deadline ${localTime(s.deadline, userZone(), true)}\n`);
  });

  // ---- templates
  const templates = program.command('templates').description('Templates and their versions');
  templates.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: (s, write) => write(`${s.trimEnd().replace(/\.$/, "")}. See berth templates --help\n`) });
  const tplSub = (name: string, d: string) => templates.command(name).description(d).exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: (s, write) => write(`${s.trimEnd().replace(/\.$/, "")}. See berth templates --help\n`) });
  tplSub('ls', 'List templates').action(async (_o: unknown, cmd: Command) => {
    ctx.setup(cmd, 'list templates');
    const list = await ctx.client().listTemplates();
    ctx.emit(list, () => (list.length ? table(['NAME', 'DISPLAY NAME', 'DEFAULT TTL', 'DESCRIPTION'], list.map((t) => [t.name, t.display_name, t.schedule.default_ttl_ms ? formatDuration(t.schedule.default_ttl_ms) : '-', t.description])) : 'no templates: push one with berth templates push <name> -d <dir>\n'));
  });
  tplSub('versions <template>', 'List versions of a template').action(async (name: string, _o: unknown, cmd: Command) => {
    ctx.setup(cmd, `list versions of ${name}`);
    const list = await ctx.client().listTemplateVersions(name);
    ctx.emit(list, () => table(['NAME', 'ACTIVE', 'IMPORT', 'CREATED', 'MESSAGE'], list.map((v) => [v.name, v.active ? 'yes' : '', ctx.paint(statusStyle(v.import_status), v.import_status), localTime(v.created_at, userZone(), true), v.import_error ?? v.message])));
  });
  tplSub('push <template>', 'Push a new version from a directory (creates the template when new)')
    .option('-d, --directory <dir>', 'template directory', '.')
    .option('--archive <file>', 'a ready tar.gz instead of a directory')
    .option('--name <version>', 'version name')
    .option('-m, --message <message>', 'version message')
    .option('--no-activate', 'do not make it the active version')
    .option('--no-wait', 'return without waiting for the import')
    .action(async (name: string, o: { directory: string; archive?: string; name?: string; message?: string; activate: boolean; wait: boolean }, cmd: Command) => {
      ctx.setup(cmd, `push template ${name}`);
      let bytes: Uint8Array;
      if (o.archive) {
        try { bytes = fs.readFileSync(o.archive); } catch (e) { throw new UsageError(`cannot read ${o.archive}: ${(e as Error).message}`); }
      } else bytes = await tarDirectory(path.resolve(o.directory));
      const client = ctx.client();
      let v = await client.pushTemplateVersion(name, bytes, { name: o.name, message: o.message, activate: o.activate });
      if (o.wait) {
        const deadline = Date.now() + 600_000;
        while (!TERMINAL_JOB.includes(v.import_status) || (v.dry_run_status && !TERMINAL_JOB.includes(v.dry_run_status) && v.import_status === 'succeeded')) {
          if (Date.now() > deadline) throw new CliError(`import of ${name} ${v.name} is still ${v.import_status} after 10 minutes`, { hint: `check later with berth templates versions ${name}` });
          await sleep(500);
          v = await client.getTemplateVersion(name, v.id);
        }
      }
      ctx.emit(v, () => `${name} ${v.name}: import ${ctx.paint(statusStyle(v.import_status), v.import_status)}${v.active ? ', active' : ''}${v.import_error ? ` — ${v.import_error}` : ''}\n`);
      if (v.import_status === 'failed' || v.import_status === 'canceled') ctx.exitCode = EXIT_ERROR;
    });

  // ---- history
  sub('history <workspace>', "The workspace's timeline (Temporal history) with reasons and explanations")
    .option('-b, --build <n>', "one build's history instead")
    .option('--raw', 'the raw Temporal history JSON')
    .option('--all', 'include workflow-task bookkeeping events')
    .action(async (ref: string, o: { build?: string; raw?: boolean; all?: boolean }, cmd: Command) => {
      ctx.setup(cmd, `history ${ref}`);
      const n = o.build !== undefined ? intArg(o.build, 'build') : undefined;
      const client = ctx.client();
      const ws = await findWorkspace(client, ref);
      if (o.raw) { ctx.out(json(await client.exportHistory(ws.id, n))); return; }
      const h = n === undefined ? await client.getWorkspaceHistory(ws.id) : await client.getBuildHistory(ws.id, n);
      ctx.emit(h, () => `${table(['TIME', 'EVENT', 'SUMMARY'], h.events.filter((e) => o.all || !/^WorkflowTask/.test(e.event)).map((e) => [localTime(e.time, userZone(), true), e.event.replace(/^WorkflowExecution/, ''), e.summary]))}Temporal UI: ${h.temporal_ui_url}\n`);
    });

  // ---- tokens
  const tokens = program.command('tokens').description('Your Berth API tokens (lists them without a subcommand)');
  tokens.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: (s, write) => write(`${s.trimEnd().replace(/\.$/, "")}. See berth tokens --help\n`) });
  const listTokens = async (_o: unknown, cmd: Command) => {
    ctx.setup(cmd, 'list tokens');
    const list = await ctx.client().listTokens();
    ctx.emit(list, () => table(['ID', 'NAME', 'CREATED', 'LAST USED', 'EXPIRES', 'REVOKED'], list.map((t) => [t.id, t.name, localTime(t.created_at, userZone(), true), localTime(t.last_used_at, userZone(), true), localTime(t.expires_at, userZone(), true), t.revoked_at ? 'yes' : ''])));
  };
  tokens.action(listTokens);
  tokens.command('ls').description('List tokens').exitOverride().action(listTokens);
  tokens.command('create <name>').description('Create a token (the secret is printed once)').option('--lifetime <duration>', 'lifetime, e.g. 30d').exitOverride()
    .action(async (name: string, o: { lifetime?: string }, cmd: Command) => {
      ctx.setup(cmd, `create token ${name}`);
      const lifetime = o.lifetime !== undefined ? durationArg(o.lifetime, 'lifetime') ?? undefined : undefined;
      const t = await ctx.client().createToken({ name, ...(lifetime ? { lifetime_ms: lifetime } : {}) });
      ctx.emit(t, () => `${t.token}\n`);
    });
  tokens.command('revoke <id>').description('Revoke a token').exitOverride().action(async (id: string, _o: unknown, cmd: Command) => {
    ctx.setup(cmd, `revoke token ${id}`);
    const t = await ctx.client().revokeToken(id);
    ctx.emit(t, () => `revoked ${t.name} (${t.id})\n`);
  });

  return program;
}

function intArg(v: string, what: string): number {
  if (!/^\d{1,9}$/.test(v) || Number(v) < 1) throw new UsageError(`${what} "${v}" is not a positive number`);
  return Number(v);
}

async function listCommand(ctx: Context, o: { all?: boolean; search?: string; limit?: string }): Promise<void> {
  const limit = o.limit !== undefined ? intArg(o.limit, '--limit') : 500;
  const q = o.search ?? (o.all ? undefined : 'owner:me');
  const client = ctx.client();
  const all: ApiWorkspace[] = [];
  for (let offset = 0; all.length < limit;) {
    const page = await client.listWorkspaces({ q, limit: Math.min(500, limit - all.length), offset });
    all.push(...page.workspaces);
    offset += page.workspaces.length;
    if (!page.workspaces.length || offset >= page.count) break;
  }
  const showOwner = Boolean(o.all || o.search);
  ctx.emit(all, () => {
    if (!all.length) return `no workspaces${q === 'owner:me' ? ': create one with berth create <name> -t <template>' : ''}\n`;
    const now = Date.now();
    return table([...(showOwner ? ['OWNER'] : []), 'NAME', 'TEMPLATE', 'STATUS', 'LAST BUILT', 'AUTOSTOP'],
      all.map((w) => [...(showOwner ? [w.owner.replace(/^user:default\//, '')] : []), w.name, w.template_name + (w.outdated ? '*' : ''), ctx.paint(statusStyle(w.status), w.status), lastBuiltText(w, now), autostopText(w)]));
  });
}

export { BerthApiError, readConfig };
