#!/usr/bin/env node
// Runs one benchmark from source: `npm run bench -- <name> [args…]` or
// `node scripts/bench.mjs <name> [args…]`. A bench named <name> lives at
// libs/**/bench/<name>.bench.ts or apps/*/bench/<name>.bench.ts and runs
// under @swc-node/register with the path aliases of tsconfig.base.json.
// The bench's own output (last line: one JSON object) is passed through.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const suffix = '.bench.ts';

/** Every bench file under libs/ and apps/, found by walking (benches sit in a `bench` folder). */
function findBenches(dir = root, depth = 0, found = []) {
  if (depth > 4) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    if (depth === 0 && entry.name !== 'libs' && entry.name !== 'apps') continue;
    const path = join(dir, entry.name);
    if (entry.name === 'bench') {
      for (const file of readdirSync(path)) {
        if (file.endsWith(suffix) && statSync(join(path, file)).isFile()) found.push(join(path, file));
      }
    } else {
      findBenches(path, depth + 1, found);
    }
  }
  return found;
}

function benchName(file) {
  return file.slice(file.lastIndexOf('/') + 1, -suffix.length);
}

const [name, ...args] = process.argv.slice(2);
const benches = findBenches();
const list = benches.map((file) => `  ${benchName(file).padEnd(20)} ${relative(root, file)}`).join('\n');
if (!name || name === '--help' || name === '-h') {
  console.log(`usage: node scripts/bench.mjs <name> [args…]\n\nbenches:\n${list || '  (none)'}`);
  process.exit(name ? 0 : 2);
}
const matches = benches.filter((file) => benchName(file) === name);
if (matches.length !== 1) {
  const found = matches.length === 0 ? 'none' : matches.map((f) => relative(root, f)).join(', ');
  console.error(`bench "${name}": expected exactly one libs/**/bench/${name}${suffix} or apps/*/bench/${name}${suffix}, found ${found}\n\nbenches:\n${list || '  (none)'}`);
  process.exit(2);
}

// The protocol's generated code is git-ignored: build it on a fresh checkout.
if (!existsSync(join(root, 'libs/protocol/src/generated/ttquant.js'))) {
  const generated = spawnSync(process.execPath, [join(root, 'scripts/generate-proto.mjs')], { cwd: root, stdio: 'inherit' });
  if (generated.status !== 0) process.exit(generated.status ?? 1);
}

const child = spawn(process.execPath, ['-r', '@swc-node/register', matches[0], ...args], {
  cwd: root,
  stdio: 'inherit',
  // @swc-node/register reads compiler options (paths included) from this tsconfig.
  env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.base.json'), TZ: 'UTC' },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
