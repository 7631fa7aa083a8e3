/**
 * The dev app: a minimal Backstage app on the new frontend system with the catalog and the Berth
 * plugin, signed in as guest against the real dev backend (plugins/backstage-backend/dev). The
 * example components (berth-demo, berth-website) show the Workspaces card on their overview and
 * a Workspaces tab; "My workspaces" is at /berth.
 *
 * Run: `npm start` at the repository root (it starts this with the rest of the stack), or
 * `npx backstage-cli package start --config ../backstage-backend/app-config.yaml` here while
 * the dev backend runs.
 */
import ReactDOM from 'react-dom/client';
import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import '@backstage/ui/css/styles.css';
import berthPlugin from '../src';

const app = createApp({ features: [catalogPlugin, berthPlugin] });

ReactDOM.createRoot(document.getElementById('root')!).render(app.createRoot());
