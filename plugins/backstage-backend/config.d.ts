/** Configuration schema of the berth backend plugin (app-config.yaml `berth:`). */
export interface Config {
  berth?: {
    temporal?: {
      /** host:port of the Temporal frontend (default: TEMPORAL_ADDRESS, else localhost:7233). */
      address?: string;
      /** Temporal namespace (default: TEMPORAL_NAMESPACE, else `default`). */
      namespace?: string;
      /** true for TLS with system roots, or file paths for a CA and an mTLS client certificate. */
      tls?: boolean | { caPath?: string; certPath?: string; keyPath?: string; serverName?: string };
      /** @visibility secret */
      apiKey?: string;
      /** Base URL of the Temporal Web UI for history deep links (default: BERTH_TEMPORAL_UI_URL, else http://localhost:8233). */
      uiUrl?: string;
    };
    /** Task queue of workspace workflows; must match the workers' BERTH_TASK_QUEUE (default `berth`). */
    taskQueue?: string;
    /** Group entity refs whose members may act on every workspace and manage templates (default [group:default/berth-admins]). */
    adminGroups?: string[];
    /** Largest template archive upload in bytes (default 10 MiB). */
    maxArchiveBytes?: number;
    /** How often a live log (SSE) checks for new lines, ms (default 250). */
    logPollMs?: number;
  };
}
