/**
 * Postgres connection and migrations. The only place that builds a knex instance.
 */
import knexFactory, { type Knex } from 'knex';
import * as m0001 from './migrations/0001_init';
import * as m0002 from './migrations/0002_templates';
import * as m0003 from './migrations/0003_lifecycle';
import * as m0004 from './migrations/0004_api';
import * as m0005 from './migrations/0005_prebuilds';

export type Db = Knex;

/** Migrations in order. A static list keeps them working from ts-jest, tsc output and bundles alike. */
const MIGRATIONS: Array<[string, { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> }]> = [
  ['0001_init', m0001], ['0002_templates', m0002], ['0003_lifecycle', m0003], ['0004_api', m0004], ['0005_prebuilds', m0005],
];

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => MIGRATIONS.map(([name]) => name),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const found = MIGRATIONS.find(([n]) => n === name);
    if (!found) throw new Error(`unknown migration ${name}`);
    return found[1];
  },
};

/** Opens a pool to `connectionString` (postgres://…). `max` = pool size (default 10). */
export function connectDb(connectionString: string, opts: { max?: number } = {}): Db {
  return knexFactory({
    client: 'pg',
    connection: connectionString,
    pool: { min: 0, max: opts.max ?? 10 },
    migrations: { migrationSource, tableName: 'berth_migrations' },
  });
}

/** Applies every pending migration (to any knex instance on Postgres). Safe to call from several processes: knex takes a lock. */
export async function migrate(db: Db): Promise<void> {
  // Explicit config: `db` may come from elsewhere (Backstage's database service) without ours.
  await db.migrate.latest({ migrationSource, tableName: 'berth_migrations' });
}
