/**
 * A runnable Backstage backend for developing and demonstrating the berth plugin:
 *
 *   - the berth plugin (this package's src), mounted at /api/berth;
 *   - auth with the guest provider (`POST /api/auth/guest/refresh` signs in as
 *     user:development/guest, a member of group:default/berth-admins in the example catalog);
 *   - the permission backend with Berth's policy module (berthPermissionPolicyModule);
 *   - the catalog with the example entities in dev/examples/entities.yaml.
 *
 * Run: `npx tsc -p tsconfig.dev.json && node dist-dev/dev/index.js` in plugins/backstage-backend
 * (`npm run build` there emits dist-dev too; the repository's `npm start` runs it for you).
 * Config: ../app-config.yaml (plus app-config.local.yaml beside it, if present), unless
 * `--config <path>` arguments are given. Relative paths in the config (the catalog's file
 * location) are relative to the package directory: this process changes into it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createBackend } from '@backstage/backend-defaults';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProviderModule from '@backstage/plugin-auth-backend-module-guest-provider';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import berthPlugin, { berthPermissionPolicyModule } from '../src';

/** plugins/backstage-backend, from dev/ (ts) or dist-dev/dev/ (tsc output) alike. */
function packageDir(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === '@berth/backstage-plugin-backend') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`package directory of @berth/backstage-plugin-backend not found above ${__dirname}`);
    dir = up;
  }
}

const PKG = packageDir();
process.chdir(PKG);

// Backstage reads `--config` arguments (else the monorepo root's app-config.yaml): default to ours.
if (!process.argv.slice(2).some((a) => a === '--config' || a.startsWith('--config='))) {
  for (const f of ['app-config.yaml', 'app-config.local.yaml']) {
    if (fs.existsSync(path.join(PKG, f))) process.argv.push('--config', path.join(PKG, f));
  }
}

if (!process.env.DATABASE_URL) {
  console.error('[berth-dev-backend] DATABASE_URL is not set: point it at the Berth database the worker uses '
    + '(e.g. postgresql://postgres:password@127.0.0.1:54329/berth; `npm start` at the repository root sets it)');
  process.exit(2);
}

const backend = createBackend();
backend.add(authPlugin);
backend.add(guestProviderModule);
backend.add(permissionPlugin);
backend.add(berthPermissionPolicyModule);
backend.add(catalogPlugin);
backend.add(berthPlugin);
backend.start().catch((err: unknown) => {
  console.error('[berth-dev-backend] start failed:', err);
  process.exit(1);
});
