import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The services the end-to-end part runs from their built bundles. */
export const E2E_APPS = ['hub', 'persistence'] as const;

/** Newest modification time (ms) of the non-spec TypeScript sources under `dir`. */
function newestSource(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (['node_modules', 'e2e', 'bench', 'testing'].includes(entry.name) || entry.name.startsWith('.')) continue;
      newest = Math.max(newest, newestSource(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/**
 * Builds `dist/apps/<app>/main.cjs` for the hub and persistence when one is
 * missing or older than its app's or any library's sources, so the bench
 * never measures stale code. Build output goes to stderr: stdout ends with
 * the bench's JSON.
 */
export function ensureBundles(root: string): void {
  const libs = newestSource(join(root, 'libs'));
  const stale = E2E_APPS.filter((app) => {
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
