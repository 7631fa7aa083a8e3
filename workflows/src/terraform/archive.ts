/**
 * Template source archives: tar.gz of a template directory, stored in Postgres. Only regular
 * files and directories are allowed; absolute paths, `..` segments, symlinks, devices and
 * anything else are rejected with a message naming the entry. Sizes are bounded both packed and
 * unpacked (a gzip bomb stops at the unpacked limit).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar';
import { InputError } from '../errors';

/** Default packed-size limit: 10 MiB (Coder's upload limit). `BERTH_MAX_TEMPLATE_ARCHIVE_BYTES` overrides. */
export const DEFAULT_MAX_ARCHIVE_BYTES = 10 * 1024 * 1024;

export interface ArchiveLimits {
  /** Max packed (tar.gz) bytes. */
  maxBytes: number;
  /** Max total unpacked bytes of file contents (default 10 × maxBytes). */
  maxUnpackedBytes?: number;
  /** Max number of entries (default 10,000). */
  maxEntries?: number;
}

/** Limits from the environment (`BERTH_MAX_TEMPLATE_ARCHIVE_BYTES`), else the defaults. */
export function archiveLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): ArchiveLimits {
  const raw = env.BERTH_MAX_TEMPLATE_ARCHIVE_BYTES;
  const maxBytes = raw ? Number(raw) : DEFAULT_MAX_ARCHIVE_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes <= 0) throw new Error(`BERTH_MAX_TEMPLATE_ARCHIVE_BYTES must be a positive integer, got "${raw}"`);
  return { maxBytes };
}

/** Directories and files never packed from a template directory (tofu's own working files). */
const SKIP = new Set(['.terraform', '.git', 'terraform.tfstate', 'terraform.tfstate.backup', '.terraform.tfstate.lock.info']);

function checkEntryPath(p: string): string | null {
  if (p.includes('\0')) return 'contains a NUL byte';
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) return 'is an absolute path';
  if (p.split(/[\\/]/).includes('..')) return 'contains ".."';
  const top = p.replace(/^\.\//, '').split('/')[0];
  if (FORBIDDEN_TOP.has(top) || /^terraform\.tfstate/.test(top)) {
    return 'is a tofu or Berth working file (state, plan, .terraform/, .berth/); templates must not ship them';
  }
  return null;
}

/** Top-level names that belong to a build's work directory, never to a template. */
const FORBIDDEN_TOP = new Set(['.terraform', '.berth', 'berth.tfvars.json', 'berth.tfplan', '.terraform.tfstate.lock.info']);

/**
 * Packs `dir` into a tar.gz Buffer. The result depends only on names, modes and contents (no
 * mtimes, owners or link detection), so the same directory always gives the same sha256. Throws InputError naming the first symlink or special file,
 * or when the result exceeds `limits.maxBytes`. Skips .terraform/, .git/ and state files.
 */
export async function createArchiveFromDirectory(dir: string, limits: ArchiveLimits = { maxBytes: DEFAULT_MAX_ARCHIVE_BYTES }): Promise<Buffer> {
  const root = path.resolve(dir);
  let st: fs.Stats;
  try { st = fs.statSync(root); } catch { throw new InputError(`template directory ${dir} does not exist`); }
  if (!st.isDirectory()) throw new InputError(`${dir} is not a directory`);
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      if (SKIP.has(name)) continue;
      const r = rel ? `${rel}/${name}` : name;
      const s = fs.lstatSync(path.join(root, r));
      if (s.isSymbolicLink()) throw new InputError(`template directory contains a symlink: ${r} (only regular files and directories are allowed)`);
      if (s.isDirectory()) { files.push(r); walk(r); } else if (s.isFile()) files.push(r);
      else throw new InputError(`template directory contains ${r}, which is not a regular file or directory`);
    }
  };
  walk('');
  if (!files.some((f) => f.endsWith('.tf') || f.endsWith('.tf.json'))) throw new InputError(`template directory ${dir} has no .tf files`);
  const chunks: Buffer[] = [];
  let size = 0;
  // Hard-linked files are packed as regular files (a link entry would be refused on import):
  // a link cache that never remembers anything turns link detection off.
  const linkCache = { get: () => undefined, set() { return this; }, has: () => false, delete: () => false, clear() {} } as unknown as Map<`${number}:${number}`, string>;
  const stream = tar.c({ gzip: true, cwd: root, portable: true, noMtime: true, noDirRecurse: true, follow: false, linkCache }, files) as unknown as Readable;
  for await (const c of stream) {
    size += (c as Buffer).length;
    if (size > limits.maxBytes) throw new InputError(`template archive is larger than the limit of ${limits.maxBytes} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface ArchiveEntry { path: string; type: 'File' | 'Directory'; size: number }

/**
 * Reads every entry of a tar(.gz) archive and checks it. Returns the entries; throws InputError
 * (over a size limit, not a tar archive, bad entry type or path).
 */
export async function inspectArchive(archive: Buffer, limits: ArchiveLimits = { maxBytes: DEFAULT_MAX_ARCHIVE_BYTES }): Promise<ArchiveEntry[]> {
  if (!Buffer.isBuffer(archive) || archive.length === 0) throw new InputError('template archive is empty');
  if (archive.length > limits.maxBytes) throw new InputError(`template archive is ${archive.length} bytes, larger than the limit of ${limits.maxBytes} bytes`);
  const maxUnpacked = limits.maxUnpackedBytes ?? limits.maxBytes * 10;
  const maxEntries = limits.maxEntries ?? 10_000;
  const entries: ArchiveEntry[] = [];
  let unpacked = 0;
  let problem: string | null = null;
  await new Promise<void>((resolve, reject) => {
    const parser = new tar.Parser({
      strict: true,
      onReadEntry: (e) => {
        if (!problem) {
          const raw = String(e.header.path ?? e.path);
          const bad = checkEntryPath(raw) ?? (raw !== e.path ? checkEntryPath(e.path) : null);
          if (bad) problem = `archive entry "${raw}" ${bad}`;
          else if (e.type !== 'File' && e.type !== 'Directory' && e.type !== 'OldFile') problem = `archive entry "${raw}" is a ${e.type}; only regular files and directories are allowed`;
          else {
            unpacked += e.size ?? 0;
            entries.push({ path: raw, type: e.type === 'Directory' ? 'Directory' : 'File', size: e.size ?? 0 });
            if (unpacked > maxUnpacked) problem = `template archive unpacks to more than ${maxUnpacked} bytes`;
            if (entries.length > maxEntries) problem = `template archive has more than ${maxEntries} entries`;
          }
        }
        e.resume();
      },
    });
    parser.on('error', (err: Error) => reject(new InputError(`not a valid tar.gz archive: ${err.message}`)));
    parser.on('warn', (_code: string, message: string) => { if (!problem) problem = `not a valid tar.gz archive: ${message}`; });
    parser.on('end', () => resolve());
    parser.end(archive);
  });
  if (problem) throw new InputError(problem);
  // A path used both as a file and as a directory (or twice as a file) cannot be unpacked.
  const files = new Map<string, number>();
  const dirs = new Set<string>();
  for (const e of entries) {
    const p = e.path.replace(/^\.\//, '').replace(/\/+$/, '');
    if (!p) continue;
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    if (e.type === 'Directory') dirs.add(p);
    else files.set(p, (files.get(p) ?? 0) + 1);
  }
  for (const [p, n] of files) {
    if (dirs.has(p)) throw new InputError(`archive entry "${p}" is both a file and a directory`);
    if (n > 1) throw new InputError(`archive entry "${p}" appears ${n} times`);
  }
  if (!entries.some((e) => e.type === 'File' && (e.path.endsWith('.tf') || e.path.endsWith('.tf.json')))) throw new InputError('template archive has no .tf files');
  return entries;
}

/** Validates (see inspectArchive) then extracts into `dest` (created). Throws InputError before writing anything when invalid. */
export async function extractArchive(archive: Buffer, dest: string, limits?: ArchiveLimits): Promise<void> {
  await inspectArchive(archive, limits);
  fs.mkdirSync(dest, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const x = tar.x({ cwd: dest, strict: true, preservePaths: false, noChmod: false });
    x.on('error', reject);
    x.on('close', () => resolve());
    Readable.from([archive]).pipe(x as unknown as NodeJS.WritableStream);
  });
}

/**
 * The top-level files of an archive whose names end with one of `suffixes` (e.g. `.tf`,
 * `berth.yaml`), with their contents; validates the archive first (InputError).
 */
export async function readArchiveFiles(archive: Buffer, suffixes: string[], limits?: ArchiveLimits): Promise<Array<{ path: string; content: Buffer }>> {
  await inspectArchive(archive, limits);
  const out: Array<{ path: string; content: Buffer }> = [];
  await new Promise<void>((resolve, reject) => {
    const parser = new tar.Parser({
      strict: true,
      onReadEntry: (e) => {
        const p = String(e.path).replace(/^\.\//, '');
        if (e.type === 'File' && !p.includes('/') && suffixes.some((s) => p.endsWith(s))) {
          const chunks: Buffer[] = [];
          e.on('data', (c: Buffer) => chunks.push(c));
          e.on('end', () => out.push({ path: p, content: Buffer.concat(chunks) }));
        } else e.resume();
      },
    });
    parser.on('error', (err: Error) => reject(new InputError(`not a valid tar.gz archive: ${err.message}`)));
    parser.on('end', () => resolve());
    parser.end(archive);
  });
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
