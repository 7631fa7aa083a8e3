/**
 * Table-driven tests for the small pure rules in src/domain: names (Coder `codersdk/name.go`
 * NameValid), provisioner tags and task-queue routing (Coder `provisioner_tagset_contains`,
 * reference/lifecycle-semantics.md §1.7) and template variable values.
 */
import { checkName, NAME_MAX_LENGTH } from '../src/domain/names';
import {
  DEFAULT_PROVISIONER_QUEUE,
  MAX_WORKER_TAGS,
  normalizeTags,
  parseTags,
  queuesForWorker,
  tagsMatch,
  taskQueueForTags,
  type ProvisionerTags,
} from '../src/domain/tags';
import { checkVariableValues, RESERVED_VARIABLE_PREFIX } from '../src/domain/variables';

describe('checkName', () => {
  it.each([
    { name: 'single letter', value: 'a' },
    { name: 'single digit', value: '7' },
    { name: 'word', value: 'dev' },
    { name: 'hyphens between parts', value: 'my-ws-1' },
    { name: 'all digits', value: '2024' },
    { name: `exactly ${NAME_MAX_LENGTH} characters`, value: 'a'.repeat(NAME_MAX_LENGTH) },
  ])('valid: $name', ({ value }) => {
    expect(checkName('workspace', value)).toBeNull();
    expect(checkName('template', value)).toBeNull();
  });

  const INVALID = 'is invalid: use lowercase letters, digits and single hyphens, not at the start or end';
  it.each([
    { name: 'upper case', value: 'MyWorkspace', message: `workspace name "MyWorkspace" ${INVALID}` },
    { name: 'empty string', value: '' as unknown, message: 'workspace name is required' },
    { name: 'undefined', value: undefined, message: 'workspace name is required' },
    { name: 'null', value: null, message: 'workspace name is required' },
    { name: 'a number', value: 42, message: 'workspace name is required' },
    { name: `${NAME_MAX_LENGTH + 1} characters`, value: 'a'.repeat(NAME_MAX_LENGTH + 1), message: `workspace name "${'a'.repeat(NAME_MAX_LENGTH + 1)}" is longer than 32 characters` },
    { name: 'leading hyphen', value: '-dev', message: `workspace name "-dev" ${INVALID}` },
    { name: 'trailing hyphen', value: 'dev-', message: `workspace name "dev-" ${INVALID}` },
    { name: 'double hyphen', value: 'my--ws', message: `workspace name "my--ws" ${INVALID}` },
    { name: 'only a hyphen', value: '-', message: `workspace name "-" ${INVALID}` },
    { name: 'underscore', value: 'my_ws', message: `workspace name "my_ws" ${INVALID}` },
    { name: 'dot', value: 'my.ws', message: `workspace name "my.ws" ${INVALID}` },
    { name: 'space', value: 'my ws', message: `workspace name "my ws" ${INVALID}` },
    { name: 'non-ASCII letter', value: 'café', message: `workspace name "café" ${INVALID}` },
    { name: 'trailing newline', value: 'dev\n', message: `workspace name "dev\n" ${INVALID}` },
  ])('invalid: $name', ({ value, message }) => {
    expect(checkName('workspace', value)).toBe(message);
  });

  it('names the kind in the message', () => {
    expect(checkName('template', '')).toBe('template name is required');
    expect(checkName('template', 'a_b')).toMatch(/^template name "a_b" is invalid/);
  });
});

describe('parseTags', () => {
  it.each<{ name: string; text: string; tags: ProvisionerTags }>([
    { name: 'empty string', text: '', tags: {} },
    { name: 'only spaces and commas', text: ' , ,, ', tags: {} },
    { name: 'one tag', text: 'os=linux', tags: { os: 'linux' } },
    { name: 'two tags', text: 'os=linux,arch=amd64', tags: { os: 'linux', arch: 'amd64' } },
    { name: 'spaces around parts, keys and values', text: ' os = linux ,  arch=amd64 ', tags: { os: 'linux', arch: 'amd64' } },
    { name: 'empty parts skipped', text: 'a=1,,b=2,', tags: { a: '1', b: '2' } },
    { name: 'allowed punctuation _ . - /', text: 'team/region=eu-west_1.a', tags: { 'team/region': 'eu-west_1.a' } },
    { name: '64-character key and value', text: `${'k'.repeat(64)}=${'v'.repeat(64)}`, tags: { ['k'.repeat(64)]: 'v'.repeat(64) } },
  ])('good: $name', ({ text, tags }) => {
    expect(parseTags(text)).toEqual(tags);
  });

  it.each<{ name: string; text: string; message: string }>([
    { name: 'no equals sign', text: 'linux', message: 'invalid provisioner tag "linux": expected key=value' },
    { name: 'empty key', text: '=linux', message: 'invalid provisioner tag "=linux": expected key=value' },
    { name: 'empty value', text: 'os=', message: 'invalid provisioner tag value "" for "os": use 1-64 of A-Z a-z 0-9 _ . - /' },
    { name: 'second = inside the value', text: 'os=li=nux', message: 'invalid provisioner tag value "li=nux" for "os"' },
    { name: 'space inside a key', text: 'my os=linux', message: 'invalid provisioner tag key "my os"' },
    { name: 'colon in a value', text: 'os=linux:5', message: 'invalid provisioner tag value "linux:5" for "os"' },
    { name: 'NUL byte in a key (Coder forbids NUL in tags)', text: 'o\0s=linux', message: 'invalid provisioner tag key "o\0s"' },
    { name: 'non-ASCII value', text: 'os=línux', message: 'invalid provisioner tag value "línux" for "os"' },
    { name: '65-character key', text: `${'k'.repeat(65)}=v`, message: `invalid provisioner tag key "${'k'.repeat(65)}"` },
    { name: '65-character value', text: `k=${'v'.repeat(65)}`, message: `invalid provisioner tag value "${'v'.repeat(65)}" for "k"` },
    { name: 'duplicate key', text: 'os=linux,os=darwin', message: 'provisioner tag "os" given twice' },
    { name: 'good tag then bad one', text: 'os=linux,arch', message: 'invalid provisioner tag "arch": expected key=value' },
  ])('bad: $name', ({ text, message }) => {
    expect(() => parseTags(text)).toThrow(message);
  });
});

describe('normalizeTags', () => {
  it.each<{ name: string; input: ProvisionerTags | null | undefined; keys: string[] }>([
    { name: 'null', input: null, keys: [] },
    { name: 'undefined', input: undefined, keys: [] },
    { name: 'empty', input: {}, keys: [] },
    { name: 'unsorted keys come back sorted', input: { zone: 'b', arch: 'arm64', os: 'linux' }, keys: ['arch', 'os', 'zone'] },
  ])('$name', ({ input, keys }) => {
    const out = normalizeTags(input);
    expect(Object.keys(out)).toEqual(keys);
    expect(out).toEqual(input ?? {});
  });

  it('returns a copy', () => {
    const input = { os: 'linux' };
    const out = normalizeTags(input);
    expect(out).not.toBe(input);
    out.os = 'changed';
    expect(input.os).toBe('linux');
  });

  it.each<{ name: string; input: ProvisionerTags; message: string }>([
    { name: 'bad key', input: { 'o s': 'linux' }, message: 'invalid provisioner tag key "o s"' },
    { name: 'empty value', input: { os: '' }, message: 'invalid provisioner tag value "" for "os"' },
    { name: 'comma in value (would corrupt the queue name)', input: { os: 'linux,arch=x' }, message: 'invalid provisioner tag value "linux,arch=x" for "os"' },
  ])('throws: $name', ({ input, message }) => {
    expect(() => normalizeTags(input)).toThrow(message);
  });
});

describe('taskQueueForTags', () => {
  it.each<{ name: string; tags: ProvisionerTags; queue: string }>([
    { name: 'untagged -> default queue', tags: {}, queue: DEFAULT_PROVISIONER_QUEUE },
    { name: 'one tag', tags: { os: 'linux' }, queue: 'berth-provisioner:os=linux' },
    { name: 'keys sorted', tags: { zone: 'b', arch: 'arm64' }, queue: 'berth-provisioner:arch=arm64,zone=b' },
    { name: 'same set, other insertion order', tags: { arch: 'arm64', zone: 'b' }, queue: 'berth-provisioner:arch=arm64,zone=b' },
  ])('$name', ({ tags, queue }) => {
    expect(taskQueueForTags(tags)).toBe(queue);
  });

  it('the default queue is berth-provisioner', () => {
    expect(DEFAULT_PROVISIONER_QUEUE).toBe('berth-provisioner');
  });
});

describe('queuesForWorker', () => {
  it('untagged worker polls only the default queue', () => {
    expect(queuesForWorker({})).toEqual([DEFAULT_PROVISIONER_QUEUE]);
  });

  it('a tagged worker polls every non-empty subset, never the default queue', () => {
    expect(queuesForWorker({ os: 'linux', arch: 'amd64' }).sort()).toEqual(
      ['berth-provisioner:arch=amd64', 'berth-provisioner:arch=amd64,os=linux', 'berth-provisioner:os=linux'],
    );
  });

  it.each([1, 2, 3, 4, 5, 6].map((n) => ({ n, count: 2 ** n - 1 })))('$n tags -> 2^$n − 1 = $count distinct queues', ({ n, count }) => {
    const tags: ProvisionerTags = {};
    for (let i = 0; i < n; i++) tags[`k${i}`] = `v${i}`;
    const queues = queuesForWorker(tags);
    expect(queues).toHaveLength(count);
    expect(new Set(queues).size).toBe(count);
    expect(queues).not.toContain(DEFAULT_PROVISIONER_QUEUE);
    expect(queues).toContain(taskQueueForTags(tags)); // the full set itself
  });

  it(`more than ${MAX_WORKER_TAGS} tags is an error`, () => {
    const tags: ProvisionerTags = {};
    for (let i = 0; i < 7; i++) tags[`k${i}`] = 'v';
    expect(MAX_WORKER_TAGS).toBe(6);
    expect(() => queuesForWorker(tags)).toThrow('a provisioner worker may have at most 6 tags, got 7');
  });
});

describe('tagsMatch (Coder provisioner_tagset_contains)', () => {
  it.each<{ name: string; worker: ProvisionerTags; job: ProvisionerTags; match: boolean }>([
    { name: 'untagged job, untagged worker', worker: {}, job: {}, match: true },
    { name: 'untagged job, tagged worker (only untagged daemons take untagged jobs)', worker: { os: 'linux' }, job: {}, match: false },
    { name: 'tagged job, untagged worker', worker: {}, job: { os: 'linux' }, match: false },
    { name: 'same tags', worker: { os: 'linux' }, job: { os: 'linux' }, match: true },
    { name: 'worker has more tags (superset)', worker: { os: 'linux', arch: 'amd64' }, job: { os: 'linux' }, match: true },
    { name: 'same key, other value', worker: { os: 'linux' }, job: { os: 'darwin' }, match: false },
    { name: 'job has a tag the worker lacks', worker: { os: 'linux' }, job: { os: 'linux', arch: 'amd64' }, match: false },
    { name: 'disjoint keys', worker: { arch: 'amd64' }, job: { os: 'linux' }, match: false },
  ])('$name -> $match', ({ worker, job, match }) => {
    expect(tagsMatch(worker, job)).toBe(match);
  });
});

describe('routing property: a worker polls a job\'s queue exactly when tagsMatch says it takes the job', () => {
  /** Deterministic PRNG (mulberry32) so failures reproduce. */
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const agree = (w: ProvisionerTags, j: ProvisionerTags) => queuesForWorker(w).includes(taskQueueForTags(j)) === tagsMatch(w, j);

  it('exhaustively over keys {a,b,c} × values {1,2} (27 × 27 pairs)', () => {
    const sets: ProvisionerTags[] = [];
    for (let code = 0; code < 27; code++) {
      const s: ProvisionerTags = {};
      ['a', 'b', 'c'].forEach((k, i) => {
        const v = Math.floor(code / 3 ** i) % 3;
        if (v) s[k] = String(v);
      });
      sets.push(s);
    }
    let matches = 0;
    const bad: string[] = [];
    for (const w of sets) for (const j of sets) {
      if (!agree(w, j)) bad.push(`worker=${JSON.stringify(w)} job=${JSON.stringify(j)}`);
      if (tagsMatch(w, j)) matches++;
    }
    expect(bad).toEqual([]);
    expect(matches).toBeGreaterThan(27); // non-vacuous: many pairs match, many do not
    expect(matches).toBeLessThan(27 * 27);
  });

  it('for 2000 seeded random tag sets of up to 6 keys', () => {
    const next = rng(20240305);
    const keys = ['os', 'arch', 'zone', 'team', 'gpu', 'scope', 'owner'];
    const pick = (max: number): ProvisionerTags => {
      const t: ProvisionerTags = {};
      for (const k of keys) if (Object.keys(t).length < max && next() < 0.4) t[k] = ['x', 'y', 'z'][Math.floor(next() * 3)];
      return t;
    };
    const bad: string[] = [];
    let matched = 0;
    for (let i = 0; i < 2000; i++) {
      const w = pick(6);
      // half the jobs are drawn from the worker's own tags so that matches are common
      const j = next() < 0.5 ? Object.fromEntries(Object.entries(w).filter(() => next() < 0.5)) : pick(4);
      if (!agree(w, j)) bad.push(`worker=${JSON.stringify(w)} job=${JSON.stringify(j)}`);
      if (tagsMatch(w, j)) matched++;
    }
    expect(bad).toEqual([]);
    expect(matched).toBeGreaterThan(200);
    expect(matched).toBeLessThan(1800);
  });
});

describe('checkVariableValues', () => {
  it.each<{ name: string; values: unknown }>([
    { name: 'empty object', values: {} },
    { name: 'simple names', values: { region: 'eu', cpu_count: '4', 'with-dash': 'x', _private: 'y' } },
    { name: 'empty string value', values: { note: '' } },
    { name: 'upper-case BERTH_ is not the reserved prefix (names are case-sensitive)', values: { BERTH_x: 'v' } },
    { name: '64-character name', values: { ['a'.repeat(64)]: 'v' } },
    { name: 'value of exactly 64 KiB', values: { big: 'x'.repeat(64 * 1024) } },
  ])('valid: $name', ({ values }) => {
    expect(() => checkVariableValues(values)).not.toThrow();
  });

  const NOT_OBJECT = 'parameters must be an object of name → string value';
  it.each<{ name: string; values: unknown; message: string }>([
    { name: 'null', values: null, message: NOT_OBJECT },
    { name: 'undefined', values: undefined, message: NOT_OBJECT },
    { name: 'array', values: ['a'], message: NOT_OBJECT },
    { name: 'string', values: 'a=b', message: NOT_OBJECT },
    { name: 'name starting with a digit', values: { '1region': 'eu' }, message: 'invalid parameter name "1region"' },
    { name: 'empty name', values: { '': 'x' }, message: 'invalid parameter name ""' },
    { name: 'name with a space', values: { 'my var': 'x' }, message: 'invalid parameter name "my var"' },
    { name: 'name with a dot', values: { 'a.b': 'x' }, message: 'invalid parameter name "a.b"' },
    { name: '65-character name', values: { ['a'.repeat(65)]: 'x' }, message: `invalid parameter name "${'a'.repeat(65)}"` },
    { name: 'reserved berth_ prefix', values: { berth_workspace_id: 'x' }, message: 'parameter "berth_workspace_id" is reserved: names starting with "berth_" carry workspace metadata' },
    { name: 'reserved prefix is checked before the value type', values: { berth_x: 1 }, message: 'parameter "berth_x" is reserved' },
    { name: 'number value', values: { cpu: 4 }, message: 'parameter "cpu" must be a string, got number' },
    { name: 'boolean value', values: { on: true }, message: 'parameter "on" must be a string, got boolean' },
    { name: 'null value', values: { a: null }, message: 'parameter "a" must be a string, got null' },
    { name: 'object value', values: { a: { b: 'c' } }, message: 'parameter "a" must be a string, got object' },
    { name: 'undefined value', values: { a: undefined }, message: 'parameter "a" must be a string, got undefined' },
    { name: 'value over 64 KiB', values: { big: 'x'.repeat(64 * 1024 + 1) }, message: 'parameter "big" is longer than 64 KiB' },
    { name: 'first bad entry is named', values: { ok: 'x', 'bad name': 'y', also_bad: 3 }, message: 'invalid parameter name "bad name"' },
  ])('invalid: $name', ({ values, message }) => {
    expect(() => checkVariableValues(values)).toThrow(message);
  });

  it('the reserved prefix is berth_', () => {
    expect(RESERVED_VARIABLE_PREFIX).toBe('berth_');
  });
});

