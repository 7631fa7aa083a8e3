/**
 * Reads Terraform/OpenTofu state (format version 4) for what Berth records per build: the
 * resources (addresses) and outputs. Sensitive outputs are replaced by null. Pure.
 */
import type { Transition, } from '../domain/status';
import type { WorkspaceResource } from '../types';

export interface StateSummary { resources: WorkspaceResource[]; outputs: Record<string, unknown>; serial: number }

/** Parses state bytes; throws Error when the JSON is not a v4 state. Empty input → empty summary. */
export function summarizeState(state: Buffer | string | null, transition: Transition): StateSummary {
  if (state === null || state.length === 0) return { resources: [], outputs: {}, serial: 0 };
  const j = JSON.parse(state.toString()) as Record<string, any>;
  if (j.version !== 4) throw new Error(`unsupported state format version ${String(j.version)}`);
  const outputs: Record<string, unknown> = {};
  for (const [name, o] of Object.entries<any>(j.outputs ?? {})) outputs[name] = o?.sensitive ? null : o?.value ?? null;
  const resources: WorkspaceResource[] = [];
  for (const r of j.resources ?? []) {
    const base = `${r.module ? `${r.module}.` : ''}${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}`;
    for (const inst of r.instances ?? [{}]) {
      const key = inst.index_key;
      resources.push({
        address: key === undefined ? base : `${base}[${JSON.stringify(key)}]`,
        mode: r.mode, type: r.type, name: r.name, module: r.module ?? '',
        indexKey: key === undefined ? null : String(key), transition,
      });
    }
  }
  return { resources, outputs, serial: Number(j.serial ?? 0) };
}
