/**
 * The plugin's configuration (app-config `berth.*`; see config.d.ts). Environment variables
 * (TEMPORAL_ADDRESS, …, the worker's) are the fallback, so one stack shares one set of settings.
 */
import type { Config } from '@backstage/config';
import { temporalSettingsFromEnv, type TemporalSettings } from '@berth/workflows';
import { DEFAULT_ADMIN_GROUPS } from './policy';

export interface BerthPluginConfig {
  temporal: TemporalSettings;
  /** Task queue of the workspace workflows (must match the workers'). */
  taskQueue?: string;
  temporalUiUrl: string;
  adminGroups: string[];
  maxArchiveBytes: number;
  logPollMs: number;
}

/** Reads `berth.*` from config. Throws Error naming the key for a malformed value. */
export function readBerthConfig(config: Config, env: NodeJS.ProcessEnv = process.env): BerthPluginConfig {
  const c = config.getOptionalConfig('berth');
  const t = c?.getOptionalConfig('temporal');
  const fromEnv = temporalSettingsFromEnv(env);
  const tls = t?.getOptional('tls');
  let tlsSettings = fromEnv.tls;
  if (tls === true) tlsSettings = {};
  else if (tls === false) tlsSettings = undefined;
  else if (tls && typeof tls === 'object') {
    const tc = t!.getConfig('tls');
    tlsSettings = {
      serverRootCACertificatePath: tc.getOptionalString('caPath'), clientCertPath: tc.getOptionalString('certPath'),
      clientKeyPath: tc.getOptionalString('keyPath'), serverNameOverride: tc.getOptionalString('serverName'),
    };
  }
  const maxArchiveBytes = c?.getOptionalNumber('maxArchiveBytes') ?? 10 * 1024 * 1024;
  if (!Number.isInteger(maxArchiveBytes) || maxArchiveBytes < 1024) throw new Error('berth.maxArchiveBytes must be an integer ≥ 1024');
  return {
    temporal: {
      address: t?.getOptionalString('address') ?? fromEnv.address,
      namespace: t?.getOptionalString('namespace') ?? fromEnv.namespace,
      tls: tlsSettings,
      apiKey: t?.getOptionalString('apiKey') ?? fromEnv.apiKey,
    },
    taskQueue: c?.getOptionalString('taskQueue') ?? (env.BERTH_TASK_QUEUE || undefined),
    temporalUiUrl: t?.getOptionalString('uiUrl') ?? env.BERTH_TEMPORAL_UI_URL ?? 'http://localhost:8233',
    adminGroups: c?.getOptionalStringArray('adminGroups') ?? DEFAULT_ADMIN_GROUPS,
    maxArchiveBytes,
    logPollMs: c?.getOptionalNumber('logPollMs') ?? 250,
  };
}
