#!/usr/bin/env node
// berth-worker: see workflows/src/cli/worker.ts (compiled to dist/ by `npm run build`).
require('../dist/cli/worker.js').main(process.argv.slice(2)).then((code) => process.exit(code), (e) => { console.error(e); process.exit(1); });
