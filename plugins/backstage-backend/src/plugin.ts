/**
 * The `berth` backend plugin (new backend system): `/api/berth` — templates, workspaces,
 * builds, logs (SSE), schedules, Temporal history, API tokens, audit, metrics, health.
 * Uses the plugin's database from Backstage's database service (migrated at startup with the
 * same migrations the workers run) and a Temporal client from `berth.temporal`.
 */
import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { berthPermissions, berthWorkspaceDeletePermission, berthWorkspaceReadPermission, berthWorkspaceUpdatePermission } from '@berth/backstage-plugin-common';
import { BerthClient, connectClient, migrate } from '@berth/workflows';
import { readBerthConfig } from './config';
import { createApiMetrics } from './metrics';
import { berthWorkspaceResourceRef, isWorkspaceOwnerRule } from './policy';
import { createRouter } from './router';

export const berthPlugin = createBackendPlugin({
  pluginId: 'berth',
  register(env) {
    env.registerInit({
      deps: {
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        userInfo: coreServices.userInfo,
        database: coreServices.database,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        config: coreServices.rootConfig,
        lifecycle: coreServices.lifecycle,
      },
      async init({ logger, httpRouter, httpAuth, userInfo, database, permissions, permissionsRegistry, config, lifecycle }) {
        const settings = readBerthConfig(config);
        const db = await database.getClient();
        if (database.migrations?.skip !== true) await migrate(db);
        const { connection, client: temporal } = await connectClient(settings.temporal);
        lifecycle.addShutdownHook(async () => { await connection.close(); });
        const berth = new BerthClient({ db, temporal, ...(settings.taskQueue ? { taskQueue: settings.taskQueue } : {}) });

        permissionsRegistry.addResourceType({
          resourceRef: berthWorkspaceResourceRef,
          permissions: [berthWorkspaceReadPermission, berthWorkspaceUpdatePermission, berthWorkspaceDeletePermission],
          rules: [isWorkspaceOwnerRule],
          getResources: async (ids: string[]) => {
            const valid = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
            const rows = valid.length ? await db('workspaces').whereIn('id', valid).select('id', 'owner') : [];
            const byId = new Map(rows.map((r: { id: string; owner: string }) => [r.id, r]));
            return ids.map((id) => byId.get(id));
          },
        });
        permissionsRegistry.addPermissions(berthPermissions);

        const metrics = createApiMetrics(db);
        httpRouter.use(await createRouter({
          logger, httpAuth, userInfo, permissions, berth, db, metrics,
          ruleset: permissionsRegistry.getPermissionRuleset(berthWorkspaceResourceRef),
          config: { adminGroups: settings.adminGroups, temporalNamespace: settings.temporal.namespace, temporalUiUrl: settings.temporalUiUrl, maxArchiveBytes: settings.maxArchiveBytes, logPollMs: settings.logPollMs },
          async health() {
            const database = await db.raw('select 1').then(() => 'ok', (e: Error) => `error: ${e.message}`);
            const t = await connection.workflowService.getSystemInfo({}).then(() => 'ok', (e: Error) => `error: ${e.message}`);
            return { database, temporal: t };
          },
        }));
        // Berth authenticates every request itself: Backstage tokens through httpAuth, and
        // Berth API tokens (which the default policy would refuse) against api_tokens.
        httpRouter.addAuthPolicy({ path: '/', allow: 'unauthenticated' });
        logger.info(`Berth API ready (Temporal ${settings.temporal.address}, namespace ${settings.temporal.namespace})`);
      },
    });
  },
});
