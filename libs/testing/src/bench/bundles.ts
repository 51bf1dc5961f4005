import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceApp } from '../service-process';

/** Newest modification time (ms) of the TypeScript sources under `dir`; specs, tests and benches excluded. */
function newestSource(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (['node_modules', 'e2e', 'bench'].includes(entry.name) || entry.name.startsWith('.')) continue;
      newest = Math.max(newest, newestSource(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/**
 * Builds the bundles (`dist/apps/<app>/main.cjs`) of `apps` when one is missing
 * or older than the sources of its app or of any library, so a bench never
 * measures stale code. Build output goes to stderr: a bench's stdout ends with
 * its JSON.
 */
export function ensureBundles(root: string, apps: readonly ServiceApp[]): void {
  const libs = newestSource(join(root, 'libs'));
  const stale = apps.filter((app) => {
    const bundle = join(root, 'dist', 'apps', app, 'main.cjs');
    return !existsSync(bundle) || statSync(bundle).mtimeMs < Math.max(libs, newestSource(join(root, 'apps', app, 'src')));
  });
  if (stale.length === 0) return;
  console.error(`building ${stale.join(', ')} (bundles missing or older than the sources)…`);
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', ...stale, '--outputStyle=static'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  if (build.status !== 0) throw new Error(`expected the build of ${stale.join(', ')} to succeed, it exited with ${build.status}`);
}
