/**
 * The environment tofu runs with: a safe subset of the host's variables (never secrets such as
 * DATABASE_URL or tokens), tofu's automation settings, and the workspace metadata as
 * `BERTH_WORKSPACE_*` (for local-exec commands) and `TF_VAR_berth_*` (for templates that
 * declare the matching variables). Role of Coder's `safeEnviron` and `CODER_*` variables
 * (reference/lifecycle-semantics.md §5.5).
 */
import fs from 'node:fs';

/** Host variables passed through unchanged when set. */
export const SAFE_HOST_VARIABLES = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'TERM', 'SHELL',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'TF_PLUGIN_CACHE_DIR',
];

export interface WorkspaceMetadata {
  workspaceId: string;
  workspaceName: string;
  owner: string;
  transition: string;
  buildNumber: number;
  templateName: string;
}

/**
 * Builds tofu's environment. `cliConfigFile` is used for TF_CLI_CONFIG_FILE unless the host's
 * own value names an existing file.
 */
export function tofuEnvironment(host: NodeJS.ProcessEnv, meta: WorkspaceMetadata, cliConfigFile: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of SAFE_HOST_VARIABLES) if (host[k] !== undefined) env[k] = String(host[k]);
  for (const [k, v] of Object.entries(host)) if (k.startsWith('LC_') && v !== undefined) env[k] = v;
  const hostCfg = host.TF_CLI_CONFIG_FILE;
  env.TF_CLI_CONFIG_FILE = hostCfg && fs.existsSync(hostCfg) ? hostCfg : cliConfigFile;
  env.CHECKPOINT_DISABLE = '1';
  env.TF_IN_AUTOMATION = '1';
  env.TF_INPUT = '0';
  const m: Record<string, string> = {
    workspace_id: meta.workspaceId, workspace_name: meta.workspaceName, workspace_owner: meta.owner,
    workspace_transition: meta.transition, build_number: String(meta.buildNumber), template_name: meta.templateName,
  };
  for (const [k, v] of Object.entries(m)) {
    env[`BERTH_${k.toUpperCase()}`] = v;
    env[`TF_VAR_berth_${k}`] = v;
  }
  return env;
}
