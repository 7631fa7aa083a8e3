/**
 * Provisioner tags and task-queue routing. A provisioner job carries a tag set (from its
 * template version); each tag set has its own Temporal task queue. Coder's matching rule
 * (`provisioner_tagset_contains`, lifecycle-semantics.md §1.7): an untagged job goes only to
 * untagged provisioners; a tagged job goes to any provisioner whose tags contain the job's tags.
 * A worker with tags T therefore polls the queue of every non-empty subset of T, and an
 * untagged worker polls the default queue only.
 */

export type ProvisionerTags = Record<string, string>;

/** Task queue of untagged provisioner jobs. */
export const DEFAULT_PROVISIONER_QUEUE = 'berth-provisioner';
/** Task queue of workflows and control activities (DB writes). */
export const CONTROL_QUEUE = 'berth';
/**
 * Task queue of build workflows (children) and their control activities, served by the same
 * worker processes with their own slots, so builds in flight never delay lifecycle decisions.
 */
export const buildsQueueFor = (controlQueue: string) => `${controlQueue}-builds`;
/** At most this many tags per worker (2^n − 1 queues are polled). */
export const MAX_WORKER_TAGS = 6;

const TAG_PART_RE = /^[A-Za-z0-9_.\-/]{1,64}$/;

/**
 * Parses `k=v,k2=v2` (CLI flag syntax). Throws Error naming the bad part; an empty string is {}.
 */
export function parseTags(text: string): ProvisionerTags {
  const out: ProvisionerTags = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`invalid provisioner tag "${part}": expected key=value`);
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    checkTag(k, v);
    if (k in out) throw new Error(`provisioner tag "${k}" given twice`);
    out[k] = v;
  }
  return out;
}

/** Throws when a key or value is empty or uses characters outside [A-Za-z0-9_.-/]. */
export function checkTag(key: string, value: string): void {
  if (!TAG_PART_RE.test(key)) throw new Error(`invalid provisioner tag key "${key}": use 1-64 of A-Z a-z 0-9 _ . - /`);
  if (!TAG_PART_RE.test(value)) throw new Error(`invalid provisioner tag value "${value}" for "${key}": use 1-64 of A-Z a-z 0-9 _ . - /`);
}

/** Validates every tag of a set (throws like checkTag); returns a copy with keys sorted. */
export function normalizeTags(tags: ProvisionerTags | null | undefined): ProvisionerTags {
  const out: ProvisionerTags = {};
  for (const k of Object.keys(tags ?? {}).sort()) {
    const v = (tags as ProvisionerTags)[k];
    checkTag(k, v);
    out[k] = v;
  }
  return out;
}

/** The task queue for a job's tag set: the default queue for {}, else `berth-provisioner:k=v,k2=v2` (sorted). */
export function taskQueueForTags(tags: ProvisionerTags): string {
  const keys = Object.keys(tags).sort();
  if (keys.length === 0) return DEFAULT_PROVISIONER_QUEUE;
  return `${DEFAULT_PROVISIONER_QUEUE}:${keys.map((k) => `${k}=${tags[k]}`).join(',')}`;
}

/**
 * Every task queue a provisioner worker with `tags` must poll: the default queue when untagged,
 * else one queue per non-empty subset of its tags. Throws when more than MAX_WORKER_TAGS tags.
 */
export function queuesForWorker(tags: ProvisionerTags): string[] {
  const keys = Object.keys(tags).sort();
  if (keys.length === 0) return [DEFAULT_PROVISIONER_QUEUE];
  if (keys.length > MAX_WORKER_TAGS) throw new Error(`a provisioner worker may have at most ${MAX_WORKER_TAGS} tags, got ${keys.length}`);
  const queues: string[] = [];
  for (let mask = 1; mask < 1 << keys.length; mask++) {
    const subset: ProvisionerTags = {};
    keys.forEach((k, i) => { if (mask & (1 << i)) subset[k] = tags[k]; });
    queues.push(taskQueueForTags(subset));
  }
  return queues;
}

/** Coder's subset rule, for checks and tests: does a provisioner with `worker` tags take a job with `job` tags? */
export function tagsMatch(worker: ProvisionerTags, job: ProvisionerTags): boolean {
  const jobKeys = Object.keys(job);
  if (jobKeys.length === 0) return Object.keys(worker).length === 0;
  return jobKeys.every((k) => worker[k] === job[k]);
}
