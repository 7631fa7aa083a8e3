/**
 * A real Berth API for a test file: a fresh migrated Postgres database, a real Temporal dev
 * server (the pinned CLI), an in-process Berth worker running real tofu, and a Backstage
 * backend (`startTestBackend`) with the berth plugin, the real permission backend with
 * Berth's policy module, and mock Backstage auth (`mockCredentials.user.header(ref)`).
 * Users: `user:default/admin` is in `group:default/berth-admins`; everyone else only owns itself.
 */
import path from 'node:path';
import type { Server } from 'node:http';
import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import request from 'supertest';
import {
  BerthClient, CONTROL_QUEUE, createBerthWorkers, createMetrics, DEFAULT_MAX_ARCHIVE_BYTES, repoRoot, resolveTemporalCli, SEARCH_ATTRIBUTES, testing,
  type BerthWorkers, type Db,
} from '@berth/workflows';
import permissionBackend from '@backstage/plugin-permission-backend';
import { berthPlugin, berthPermissionPolicyModule } from '../../src';

try { Runtime.install({ logger: new DefaultLogger((process.env.BERTH_TEST_LOG_LEVEL as 'ERROR') || 'ERROR') }); } catch { /* already installed */ }

export const REPO = repoRoot();
export const LOCAL_TEMPLATE = path.join(REPO, 'templates', 'local');
export const ADMIN = 'user:default/admin';
export const API = '/api/berth';

/** `Authorization` header value for a Backstage user. */
export const userHeader = (ref: string) => mockCredentials.user.header(ref);

/** A fresh temp directory under the run's temp dir (postgres-traversable). */
export const tempDir = testing.tempDir;
/** Polls until truthy (see @berth/workflows testing.eventually). */
export const eventually = testing.eventually;

export interface ApiStack {
  server: Server;
  db: Db;
  env: TestWorkflowEnvironment;
  /** The engine facade on the same database and Temporal (for seeding and checks). */
  berth: BerthClient;
  workDir: string;
  /** supertest agent on the backend. */
  http(): ReturnType<typeof request>;
  teardown(): Promise<void>;
}

/** Ownership refs the mock user-info service reports. */
function ownershipOf(userRef: string): string[] {
  return userRef === ADMIN ? [userRef, 'group:default/berth-admins'] : [userRef];
}

const userInfoFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials: { principal: { type: string; userEntityRef?: string } }) {
      if (credentials.principal.type !== 'user' || !credentials.principal.userEntityRef) throw new Error('not a user');
      return { userEntityRef: credentials.principal.userEntityRef, ownershipEntityRefs: ownershipOf(credentials.principal.userEntityRef) };
    },
  }) as never,
});

/**
 * Mock httpAuth (header-less requests are anonymous) that, like the real one, marks a user
 * acting through another plugin (an on-behalf-of token) with that plugin as `actor` — the mock
 * drops it, and the permission framework's apply-conditions endpoint refuses users without one.
 */
const httpAuthFactory = createServiceFactory({
  service: coreServices.httpAuth,
  deps: { plugin: coreServices.pluginMetadata },
  factory: ({ plugin }) => {
    const inner = mockServices.httpAuth({ pluginId: plugin.getId(), defaultCredentials: mockCredentials.none() });
    return {
      async credentials(req: { headers: Record<string, unknown> }, options?: { allow?: string[] }) {
        const m = /^Bearer mock-service-token:(\{.*\})$/.exec(String(req.headers.authorization ?? ''));
        if (m && (!options?.allow || options.allow.includes('user'))) {
          const t = JSON.parse(m[1]) as { sub: string; obo?: string };
          if (t.obo) return mockCredentials.user(t.obo, { actor: { subject: t.sub } });
        }
        return inner.credentials(req as never, options as never);
      },
      issueUserCookie: (res: unknown, o?: unknown) => inner.issueUserCookie(res as never, o as never),
    } as never;
  },
});

/** Starts everything. `worker: false` runs no worker (API-only tests: nothing builds). */
export async function startApiStack(opts: { worker?: boolean; logPollMs?: number } = {}): Promise<ApiStack> {
  const { db } = await testing.createTestDatabase({ prefix: 'berth_api', max: 20 });
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: resolveTemporalCli().path }, searchAttributes: SEARCH_ATTRIBUTES },
  });
  const workDir = tempDir('work');
  let workers: BerthWorkers | null = null;
  let running: Promise<void> | null = null;
  if (opts.worker !== false) {
    workers = await createBerthWorkers({ db, connection: env.nativeConnection, namespace: 'default', metrics: createMetrics() }, {
      taskQueue: CONTROL_QUEUE, runWorkflows: true, runProvisioner: true, provisionerTags: {}, workDir, workerId: 'api-test',
      cancelGraceMs: 10_000, cancelKillMs: 20_000, maxConcurrentBuilds: 3, shutdownGraceMs: 2_000, archiveLimits: { maxBytes: DEFAULT_MAX_ARCHIVE_BYTES },
    });
    running = workers.run();
  }
  let server: Server;
  try {
    ({ server } = await startTestBackend({
    features: [
      berthPlugin,
      permissionBackend,
      berthPermissionPolicyModule,
      permissionsServiceFactory,
      permissionsRegistryServiceFactory,
      userInfoFactory,
      mockServices.database.factory({ knex: db }),
      ...(process.env.BERTH_API_DEBUG ? [mockServices.rootLogger.factory({ level: 'debug' })] : []),
      httpAuthFactory,
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          berth: { temporal: { address: env.address, namespace: 'default', uiUrl: 'http://temporal-ui.test:8233' }, adminGroups: ['group:default/berth-admins'], logPollMs: opts.logPollMs ?? 100 },
        },
      }),
    ],
    }));
  } catch (e) {
    workers?.shutdown();
    await running?.catch(() => undefined);
    await env.teardown().catch(() => undefined);
    await db.destroy().catch(() => undefined);
    throw e;
  }
  const berth = new BerthClient({ db, temporal: env.client, buildOptions: { heartbeatTimeoutMs: 4000, startToCloseTimeoutMs: 600_000, maximumAttempts: 5 } });
  return {
    server, db, env, berth, workDir,
    http: () => request(server),
    async teardown() {
      await new Promise<void>((r) => server.close(() => r()));
      if (workers) {
        workers.shutdown();
        await running?.catch(() => undefined);
      }
      await env.teardown();
      await db.destroy();
    },
  };
}
