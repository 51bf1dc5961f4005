#!/usr/bin/env node
// `npx ttq …` from the repository: runs the bundled CLI (dist/apps/cli/main.cjs),
// building it first when it is missing. Linked by the root package.json's "bin".
'use strict';
const { existsSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '../../..');
const bundle = path.join(root, 'dist/apps/cli/main.cjs');
if (!existsSync(bundle)) {
  process.stderr.write('ttq: dist/apps/cli/main.cjs is missing; building it (npx nx build cli)\n');
  const nx = require.resolve('nx/bin/nx.js', { paths: [root] });
  const build = spawnSync(process.execPath, [nx, 'run', 'cli:build', '--outputStyle=static'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ...process.env },
  });
  if (build.status !== 0 || !existsSync(bundle)) {
    process.stderr.write('ttq: building the CLI failed; run npx nx build cli to see why\n');
    process.exit(1);
  }
}
require(bundle);
