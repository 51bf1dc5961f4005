#!/usr/bin/env node
// `npm start -- [--duration <s>] [--summary <file>] …`: builds the six apps with nx
// (cached: only what changed is rebuilt; the protocol code is generated first as a
// dependency of every build) and runs the simulation launcher, `ttq sim`, with the
// arguments given after `--`. See apps/cli/README.md.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const apps = ['hub', 'market-data', 'gateway', 'strategy-engine', 'persistence', 'cli'];
const env = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ...process.env };

const started = Date.now();
process.stderr.write(`npm start: building ${apps.join(', ')} (nx, cached)\n`);
const nx = createRequire(join(root, 'package.json')).resolve('nx/bin/nx.js');
// nx's output goes to stderr: stdout carries only the launcher's summary (e.g. with --json).
const build = spawnSync(process.execPath, [nx, 'run-many', '-t', 'build', '-p', ...apps, '--outputStyle=static'], {
  cwd: root,
  env,
  stdio: ['ignore', 2, 2],
});
if (build.status !== 0) {
  process.stderr.write(`npm start: the build failed (${build.signal ?? `exit ${build.status}`}); nothing was started\n`);
  process.exit(build.status ?? 1);
}
process.stderr.write(`npm start: built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

const sim = spawn(process.execPath, [join(root, 'dist/apps/cli/main.cjs'), 'sim', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
// The launcher stops the services in order on Ctrl-C; this wrapper only passes signals on and waits.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (sim.exitCode === null && sim.signalCode === null) sim.kill(signal);
  });
}
sim.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
