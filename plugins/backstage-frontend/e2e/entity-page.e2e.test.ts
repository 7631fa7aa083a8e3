/**
 * The catalog entity page in a real browser against the real stack: `node scripts/start.mjs`
 * (embedded Postgres, the Temporal dev server, the worker running real tofu on templates/local,
 * the Backstage dev backend and the dev app) with its own state dir and free ports, driven by
 * headless Chromium (Debian's /usr/bin/chromium, or BERTH_CHROMIUM) through playwright-core.
 *
 * Signs in as guest, opens the berth-demo component, creates a workspace from `local` in the
 * card's dialog, watches the live log reach running, stops it through the confirmation, reads
 * the history, deletes it by typing its name. Screenshots go to test-results/e2e/ (the CI keeps
 * them as artifacts; the README shows one).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort, testing } from '@berth/workflows';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SHOTS = path.join(ROOT, 'plugins', 'backstage-frontend', 'test-results', 'e2e');
const CHROMIUM = process.env.BERTH_CHROMIUM ?? '/usr/bin/chromium';
const STACK_READY_MS = 12 * 60_000;

let stack: ChildProcess | undefined;
let stackLog = '';
let stateDir = '';
let appUrl = '';
let browser: Browser | undefined;
let page: Page;

async function shot(name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium; npm test does it as root) or set BERTH_CHROMIUM`);
  }
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-'));
  fs.chmodSync(stateDir, 0o755); // embedded Postgres runs as the postgres user when we are root
  const [pg, temporal, ui, backend, app] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  appUrl = `http://localhost:${app}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BERTH_STATE_DIR: stateDir, BERTH_PG_PORT: String(pg), BERTH_TEMPORAL_PORT: String(temporal), BERTH_TEMPORAL_UI_PORT: String(ui),
    BERTH_BACKSTAGE_PORT: String(backend), BERTH_APP_PORT: String(app), BERTH_METRICS_PORT: '-1', NODE_OPTIONS: '',
  };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  stack = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.mjs')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the stack was not up within ${STACK_READY_MS / 1000}s:\n${stackLog.slice(-4000)}`)), STACK_READY_MS);
    const onData = (c: Buffer) => {
      stackLog = (stackLog + c.toString()).slice(-200_000);
      if (/Berth is up/.test(stackLog)) { clearTimeout(timer); resolve(); }
    };
    stack!.stdout!.on('data', onData);
    stack!.stderr!.on('data', onData);
    stack!.once('exit', (code) => { clearTimeout(timer); reject(new Error(`npm start exited with ${code} before it was up:\n${stackLog.slice(-4000)}`)); });
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(60_000);
}, STACK_READY_MS + 60_000);

afterAll(async () => {
  if (page && !page.isClosed()) await shot('99-last').catch(() => undefined); // the page as the test left it (on failure: where it stopped)
  await browser?.close().catch(() => undefined);
  if (stack && stack.exitCode === null) {
    const done = new Promise((r) => stack!.once('exit', r));
    stack.kill('SIGTERM');
    await Promise.race([done, new Promise((r) => setTimeout(r, 60_000).unref())]);
  }
  stack?.stdout?.destroy();
  stack?.stderr?.destroy();
  if (stateDir) {
    testing.killProcessesMentioning(`${stateDir}/`);
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}, 120_000);

/** The drawer of the open workspace. */
const drawer = () => page.getByRole('dialog', { name: /^workspace / });

test('create a workspace from local on the entity page, watch it reach running, stop it, read its history, delete it', async () => {
  const name = `e2e-${Date.now().toString(36).slice(-5)}`;
  // the app opens on the catalog after Backstage's sign-in page (the guest provider)
  await page.goto(appUrl);
  await page.getByRole('button', { name: /^enter$/i }).click();
  await page.getByRole('link', { name: 'berth-demo' }).click();
  await page.waitForURL(/\/catalog\/default\/component\/berth-demo/);

  const card = page.locator('.MuiCard-root', { has: page.getByText('template local · preset default') });
  await card.getByText(/No workspaces for berth-demo yet/).waitFor();
  await card.scrollIntoViewIfNeeded();
  await shot('01-entity-page-card');

  await card.getByRole('button', { name: 'Create workspace' }).click();
  const dialog = page.getByRole('dialog', { name: /Create workspace from/ });
  await dialog.getByLabel('Workspace name *').fill('Not_Valid');
  await dialog.getByLabel('Workspaces root').click();
  await dialog.getByText('lowercase letters, digits and single hyphens, not at the start or end').waitFor();
  await dialog.getByLabel('Workspace name *').fill(name);
  // a parameter the API validates (absolute path other than "/"): first a value it refuses…
  await dialog.getByLabel('Workspaces root').fill('relative/dir');
  await dialog.getByText('terraform_data.home').waitFor(); // the resource preview
  await shot('02-create-dialog');
  await dialog.getByRole('button', { name: 'Create workspace' }).click();
  await dialog.getByText(/The workspaces root must be an absolute path/).waitFor();
  // …then one it takes
  await dialog.getByLabel('Workspaces root').fill(path.join(stateDir, 'homes'));
  await dialog.getByRole('button', { name: 'Create workspace' }).click();

  // the drawer opens on build #1's live log, staged, and the build reaches running
  await drawer().getByText('Build #1').waitFor();
  await drawer().getByTestId('build-end').getByText(/build #1 succeeded/).waitFor({ timeout: 180_000 });
  for (const stage of ['init', 'plan', 'apply']) await drawer().getByTestId(`stage-${stage}`).waitFor();
  await drawer().getByText('running', { exact: true }).waitFor();
  await shot('03-build-log-running');

  // back on the card: the row shows the running workspace with its autostop and last build
  await drawer().getByRole('button', { name: 'close' }).click();
  await drawer().waitFor({ state: 'hidden' });
  const row = card.getByTestId(`workspace-row-${name}`);
  await row.getByText('running').waitFor();
  await row.getByText(/^start .+ ago$/).waitFor();
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: path.join(SHOTS, '04-card-running.png') });

  // stop from the card: the confirmation defaults to "No"
  await row.getByRole('button', { name: `stop ${name}` }).click();
  const confirm = page.getByRole('dialog', { name: `Stop ${name}?` });
  await confirm.getByRole('button', { name: 'No, keep it' }).click();
  await confirm.waitFor({ state: 'hidden' });
  await row.getByRole('button', { name: `stop ${name}` }).click();
  await page.getByRole('dialog', { name: `Stop ${name}?` }).getByRole('button', { name: 'Stop' }).click();
  await drawer().getByText('Build #2').waitFor();
  await drawer().getByTestId('build-end').getByText(/build #2 succeeded/).waitFor({ timeout: 180_000 });
  await drawer().getByText('stopped', { exact: true }).waitFor();
  await shot('05-stopped');

  // the history: the builds' workflow events with their reasons, and the Temporal UI link
  await drawer().getByRole('tab', { name: 'history' }).click();
  const history = drawer().getByRole('table', { name: 'workflow history' });
  await history.getByText('initiator').first().waitFor();
  expect(await history.getByRole('row').count()).toBeGreaterThan(2);
  expect(await drawer().getByRole('link', { name: /Open in Temporal UI/ }).getAttribute('href')).toMatch(/^http:\/\/localhost:\d+\/namespaces\/default\/workflows\/workspace%3A[0-9a-f-]{36}\//);
  await shot('06-history');

  // builds tab lists both builds with reasons
  await drawer().getByRole('tab', { name: 'builds' }).click();
  const builds = drawer().getByRole('table', { name: 'builds' });
  await builds.getByRole('cell', { name: 'stop', exact: true }).waitFor();
  expect(await builds.getByRole('cell', { name: 'initiator', exact: true }).count()).toBe(2);

  // close the drawer: the card's row shows the stopped workspace
  await drawer().getByRole('button', { name: 'close' }).click();
  await drawer().waitFor({ state: 'hidden' });
  await row.getByText('stopped').waitFor();

  // delete: type the name
  await row.getByRole('button', { name: `delete ${name}` }).click();
  const del = page.getByRole('dialog', { name: `Delete ${name}?` });
  await expect(del.getByRole('button', { name: 'Delete' }).isDisabled()).resolves.toBe(true);
  await del.getByLabel('workspace name to confirm').fill(name);
  await del.getByRole('button', { name: 'Delete' }).click();
  await drawer().getByTestId('build-end').getByText(/build #3 succeeded/).waitFor({ timeout: 180_000 });
  await drawer().getByRole('button', { name: 'close' }).click();
  await drawer().waitFor({ state: 'hidden' });
  await card.getByText(/No workspaces for berth-demo yet/).waitFor({ timeout: 60_000 });
  await shot('07-deleted');
});
