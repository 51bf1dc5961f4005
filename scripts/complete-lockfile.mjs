#!/usr/bin/env node
// Adds the other platforms' optional native packages to package-lock.json.
//
// Why: the registry these machines reach serves only the Linux builds of
// packages such as @swc/core-* and @unrs/resolver-binding-*. `npm install`
// then leaves the macOS/Windows/… variants out of the lock, and `npm ci`
// refuses the lock as out of sync ("Missing: @swc/core-darwin-arm64 from lock
// file"). A lock written on a machine with the full registry lists them as
// optional entries restricted by `os`/`cpu`, which npm skips on other
// platforms; this script writes those entries. Run it after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const lockPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

const OS_NAMES = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix', 'openharmony'];
const CPU_NAMES = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'];

/** The os and cpu a platform package is for, read from its name (`core-darwin-arm64`, `binding-linux-arm-gnueabihf`). */
function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS_NAMES.includes(p));
  const cpu = parts.find((p) => CPU_NAMES.includes(p));
  return { os, cpu };
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path === '' ? '' : `${path}/`;
    const nested = `${base}node_modules/${dep}`;
    const hoisted = `node_modules/${dep}`;
    if (packages[nested] || packages[hoisted]) continue;
    const { os, cpu } = platformOf(dep);
    // Only platform-specific builds are completed; any other missing optional dependency is a real problem.
    if (!os && !cpu) {
      console.error(`skipped ${dep}: not a platform build, run npm install online to resolve it`);
      continue;
    }
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(range)) {
      console.error(`skipped ${dep}@${range}: expected an exact version`);
      continue;
    }
    packages[hoisted] = {
      version: range,
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(os ? { os: [os] } : {}),
      optional: true,
      ...(entry.dev ? { dev: true } : {}),
    };
    added++;
  }
}

const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: added ${added} optional platform entries`);
