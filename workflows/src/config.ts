/**
 * Configuration from the environment, in one place (README's configuration table lists these).
 * Each reader throws Error naming the variable when a value is malformed.
 */
import os from 'node:os';
import path from 'node:path';
import { archiveLimitsFromEnv, type ArchiveLimits } from './terraform/archive';
import { CONTROL_QUEUE, parseTags, type ProvisionerTags } from './domain/tags';
import { DEFAULT_BUILD_ACTIVITY_OPTIONS, type BuildActivityOptions } from './types';
import { DEFAULT_PREBUILD_CONFIG, type PrebuildConfig } from './domain/prebuilds';

function int(env: NodeJS.ProcessEnv, name: string, dflt: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

/** A TCP port 0–65535, or -1 for "off". */
function port(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const n = int(env, name, dflt, -1);
  if (n > 65535) throw new Error(`${name} must be a port 0–65535 (or -1 for off), got "${env[name]}"`);
  return n;
}

export interface TemporalSettings {
  /** host:port of the Temporal frontend. */
  address: string;
  namespace: string;
  /** TLS: true, or client cert/key and CA paths; undefined = plaintext. */
  tls?: { serverRootCACertificatePath?: string; clientCertPath?: string; clientKeyPath?: string; serverNameOverride?: string };
  /** Temporal Cloud API key, if any. */
  apiKey?: string;
}

/** TEMPORAL_ADDRESS (localhost:7233), TEMPORAL_NAMESPACE (default), TEMPORAL_TLS*, TEMPORAL_API_KEY. */
export function temporalSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const tlsWanted = env.TEMPORAL_TLS === 'true' || env.TEMPORAL_TLS === '1' || Boolean(env.TEMPORAL_TLS_CERT || env.TEMPORAL_TLS_CA);
  return {
    address: env.TEMPORAL_ADDRESS || 'localhost:7233',
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    tls: tlsWanted ? {
      serverRootCACertificatePath: env.TEMPORAL_TLS_CA || undefined,
      clientCertPath: env.TEMPORAL_TLS_CERT || undefined,
      clientKeyPath: env.TEMPORAL_TLS_KEY || undefined,
      serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME || undefined,
    } : undefined,
    apiKey: env.TEMPORAL_API_KEY || undefined,
  };
}

/** Build timeouts for new workspaces: BERTH_BUILD_HEARTBEAT_TIMEOUT_MS, BERTH_BUILD_TIMEOUT_MS, BERTH_BUILD_MAX_ATTEMPTS. */
export function buildOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): BuildActivityOptions {
  return {
    heartbeatTimeoutMs: int(env, 'BERTH_BUILD_HEARTBEAT_TIMEOUT_MS', DEFAULT_BUILD_ACTIVITY_OPTIONS.heartbeatTimeoutMs, 1000),
    startToCloseTimeoutMs: int(env, 'BERTH_BUILD_TIMEOUT_MS', DEFAULT_BUILD_ACTIVITY_OPTIONS.startToCloseTimeoutMs, 1000),
    maximumAttempts: int(env, 'BERTH_BUILD_MAX_ATTEMPTS', DEFAULT_BUILD_ACTIVITY_OPTIONS.maximumAttempts, 1),
  };
}

/**
 * Prebuild reconciler settings: BERTH_PREBUILD_RECONCILE_INTERVAL_MS (60000, ≥ 1000),
 * BERTH_PREBUILD_BACKOFF_MS (60000), BERTH_PREBUILD_BACKOFF_LOOKBACK_MS (3600000),
 * BERTH_PREBUILD_FAILURE_HARD_LIMIT (3; 0 = no limit). Throws Error naming a malformed variable.
 */
export function prebuildConfigFromEnv(env: NodeJS.ProcessEnv = process.env): PrebuildConfig {
  return {
    reconcileIntervalMs: int(env, 'BERTH_PREBUILD_RECONCILE_INTERVAL_MS', DEFAULT_PREBUILD_CONFIG.reconcileIntervalMs, 1000),
    backoffIntervalMs: int(env, 'BERTH_PREBUILD_BACKOFF_MS', DEFAULT_PREBUILD_CONFIG.backoffIntervalMs),
    backoffLookbackMs: int(env, 'BERTH_PREBUILD_BACKOFF_LOOKBACK_MS', DEFAULT_PREBUILD_CONFIG.backoffLookbackMs),
    failureHardLimit: int(env, 'BERTH_PREBUILD_FAILURE_HARD_LIMIT', DEFAULT_PREBUILD_CONFIG.failureHardLimit),
  };
}

/** BERTH_PREBUILDS: `false` = this deployment runs no prebuild reconciler (default on). */
export function prebuildsEnabledFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.BERTH_PREBUILDS !== 'false' && env.BERTH_PREBUILDS !== '0';
}

export interface WorkerSettings {
  databaseUrl: string;
  temporal: TemporalSettings;
  /** Task queue of workflows and control activities. */
  taskQueue: string;
  /** Run workflows and control activities (false: provisioner only). */
  runWorkflows: boolean;
  /** Run tofu builds (false: control only). */
  runProvisioner: boolean;
  provisionerTags: ProvisionerTags;
  workDir: string;
  /** 0 = pick a free port; -1 = no metrics server. */
  metricsPort: number;
  /** Interface the metrics server listens on. */
  metricsHost: string;
  workerId: string;
  cancelGraceMs: number;
  cancelKillMs: number;
  /** Max builds one worker runs at once. */
  maxConcurrentBuilds: number;
  shutdownGraceMs: number;
  archiveLimits: ArchiveLimits;
  tofuPath?: string;
}

/** Reads the worker's settings (see README). Throws when DATABASE_URL is missing or a value is malformed. */
export function workerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is not set: give the worker a Postgres connection string (postgres://user:pass@host:5432/db)');
  return {
    databaseUrl: env.DATABASE_URL,
    temporal: temporalSettingsFromEnv(env),
    taskQueue: env.BERTH_TASK_QUEUE || CONTROL_QUEUE,
    runWorkflows: env.BERTH_WORKER_WORKFLOWS !== 'false',
    runProvisioner: env.BERTH_WORKER_PROVISIONER !== 'false',
    provisionerTags: parseTags(env.BERTH_PROVISIONER_TAGS ?? ''),
    workDir: env.BERTH_WORK_DIR || path.join(os.tmpdir(), 'berth-work'),
    metricsPort: port(env, 'BERTH_METRICS_PORT', 9464),
    metricsHost: env.BERTH_METRICS_HOST || '0.0.0.0',
    workerId: env.BERTH_WORKER_ID || `${os.hostname()}:${process.pid}`,
    cancelGraceMs: int(env, 'BERTH_CANCEL_GRACE_MS', 60_000),
    cancelKillMs: int(env, 'BERTH_CANCEL_KILL_MS', 120_000),
    maxConcurrentBuilds: int(env, 'BERTH_MAX_CONCURRENT_BUILDS', 3, 1),
    shutdownGraceMs: int(env, 'BERTH_SHUTDOWN_GRACE_MS', 30_000),
    archiveLimits: archiveLimitsFromEnv(env),
    tofuPath: env.BERTH_TOFU || undefined,
  };
}
