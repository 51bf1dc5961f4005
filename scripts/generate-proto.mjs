#!/usr/bin/env node
// Generates the protobufjs static module and its typings from proto/ into
// libs/protocol/src/generated. The output is not committed: this runs as the
// protocol project's `generate` target, on which build, lint and test depend.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = join(root, 'proto');
const outDir = join(root, 'libs/protocol/src/generated');
const bin = (name) => join(root, 'node_modules/.bin', name);

const protoFiles = readdirSync(join(protoDir, 'ttquant/v1'))
  .filter((f) => f.endsWith('.proto'))
  .sort()
  .map((f) => join(protoDir, 'ttquant/v1', f));

mkdirSync(outDir, { recursive: true });
const js = join(outDir, 'ttquant.js');
execFileSync(
  bin('pbjs'),
  ['-t', 'static-module', '-w', 'commonjs', '--force-long', '--no-verify', '--no-delimited',
    '-p', protoDir, '-o', js, ...protoFiles],
  { stdio: 'inherit' },
);
execFileSync(bin('pbts'), ['-o', join(outDir, 'ttquant.d.ts'), js], { stdio: 'inherit' });
console.log(`generated ${js} from ${protoFiles.length} proto files`);
