/**
 * `berth-worker`: runs a Berth worker process. Flags override the environment (see README).
 * Exit codes: 0 after a graceful shutdown, 1 on a runtime error, 2 on bad usage.
 */
import { Command, InvalidArgumentError } from 'commander';
import { workerSettingsFromEnv } from '../config';
import { parseTags } from '../domain/tags';
import { runWorkerProcess } from '../worker';

function portArg(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer`);
    if (n < -1 || n > 65535) throw new InvalidArgumentError(`${name} must be a port 0–65535, or -1 for off`);
    return n;
  };
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('berth-worker')
    .description('Run Berth workflows and OpenTofu builds (a Temporal worker).')
    .option('--provisioner-tags <k=v,...>', 'only take builds whose tags are a subset of these (default: untagged builds)', (v) => {
      try { return parseTags(v); } catch (e) { throw new InvalidArgumentError((e as Error).message); }
    })
    .option('--no-workflows', 'provisioner only: do not run workflows and control activities')
    .option('--no-provisioner', 'do not run tofu builds')
    .option('--metrics-port <port>', 'port for /metrics (0 = any free port, -1 = off)', portArg('--metrics-port'))
    .option('--work-dir <dir>', 'root of per-build work directories')
    .option('--worker-id <id>', 'name recorded on the jobs this worker runs')
    .option('--task-queue <name>', 'task queue of workflows and control activities')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    const code = (e as { exitCode?: number; code?: string }).code;
    return code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 2;
  }
  const o = program.opts();
  let settings;
  try {
    settings = workerSettingsFromEnv(process.env);
  } catch (e) {
    process.stderr.write(`berth-worker: ${(e as Error).message}\n`);
    return 2;
  }
  if (o.provisionerTags) settings.provisionerTags = o.provisionerTags;
  if (o.workflows === false) settings.runWorkflows = false;
  if (o.provisioner === false) settings.runProvisioner = false;
  if (o.metricsPort !== undefined) settings.metricsPort = o.metricsPort;
  if (o.workDir) settings.workDir = o.workDir;
  if (o.workerId) settings.workerId = o.workerId;
  if (o.taskQueue) settings.taskQueue = o.taskQueue;
  try {
    await runWorkerProcess(settings);
    return 0;
  } catch (e) {
    process.stderr.write(`berth-worker: ${(e as Error).message}\n`);
    if (process.env.BERTH_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => { console.error(e); process.exit(1); });
}
