import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { appNames, DEFAULT_HTTP_PORTS, ONE_SHOT_APPS, parseCompose, readRepoFile, ROOT, tcpEndpoint } from './deploy-files';

const dockerfile = readRepoFile('deploy/Dockerfile');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const apps = appNames();
const ENTRYPOINT = path.join(ROOT, 'deploy/entrypoint.sh');
const HEALTHCHECK = path.join(ROOT, 'deploy/healthcheck.cjs');

function argDefault(name: string): string | undefined {
  const line = instructions.find((l) => l.startsWith(`ARG ${name}=`));
  return line?.slice(`ARG ${name}=`.length);
}

/** The base images, with `${ARG}` references resolved to their defaults. */
function baseImages(): string[] {
  return instructions
    .filter((l) => l.startsWith('FROM '))
    .map((l) => (l.split(/\s+/)[1] ?? '').replace(/^\$\{?(\w+)\}?$/, (_, arg: string) => argDefault(arg) ?? `unset ${arg}`));
}

/** Instructions of the last stage: what the image ships. */
function runtimeStage(): string[] {
  const lastFrom = instructions.map((l) => l.startsWith('FROM ')).lastIndexOf(true);
  return instructions.slice(lastFrom);
}

describe('deploy/Dockerfile', () => {
  it('builds in stages from a node 20 bookworm-slim image pinned to a release', () => {
    const images = baseImages();
    expect(images.length).toBeGreaterThanOrEqual(2);
    for (const image of images) expect(image).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
  });

  it('generates the protocol code and bundles every app in apps/', () => {
    const build = instructions.find((l) => l.includes('nx run-many')) ?? '';
    expect(build).toContain('node scripts/generate-proto.mjs');
    expect(build).toMatch(/-t build\b/);
    const projects = /-p ((?:[a-z][a-z-]* ?)+)/.exec(build)?.[1]?.trim().split(/\s+/) ?? [];
    expect(projects.sort()).toEqual(apps);
  });

  it('ships production dependencies, the bundles and config, and runs unprivileged', () => {
    const runtime = runtimeStage();
    expect(runtime.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
    expect(runtime.some((l) => /^COPY --from=build \S*dist\/apps \.\/dist\/apps$/.test(l))).toBe(true);
    expect(runtime).toContain('COPY config ./config');
    expect(runtime).toContain('WORKDIR /app');
    const user = runtime.filter((l) => l.startsWith('USER ')).pop();
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)\b/);
    expect(runtime.some((l) => l.startsWith('ENTRYPOINT ["/app/deploy/entrypoint.sh"]'))).toBe(true);
    expect(runtime.some((l) => l.startsWith('HEALTHCHECK ') && l.includes('/app/deploy/healthcheck.cjs'))).toBe(true);
  });

  it('exposes every port compose binds and every health port', () => {
    const exposed = new Set(
      instructions
        .filter((l) => l.startsWith('EXPOSE '))
        .flatMap((l) => l.slice('EXPOSE '.length).split(/\s+/))
        .map(Number),
    );
    const compose = parseCompose(readRepoFile('deploy/docker-compose.yml'));
    const bound = Object.values(compose.services)
      .flatMap((s) => Object.values(s.environment))
      .filter((value) => /^tcp:\/\/(\*|0\.0\.0\.0):/.test(value))
      .map((value) => tcpEndpoint(value).port);
    expect(bound.length).toBeGreaterThan(0);
    for (const port of [...bound, ...Object.values(DEFAULT_HTTP_PORTS)]) expect({ port, exposed: exposed.has(port) }).toEqual({ port, exposed: true });
  });
});

describe('deploy/entrypoint.sh', () => {
  let appDir: string;

  beforeAll(() => {
    // Empty stand-in bundles, and a stand-in `node` on PATH that prints the command line
    // it was given: the test sees exactly what the entrypoint would run, without starting
    // a real process.
    appDir = mkdtempSync(path.join(tmpdir(), 'ttq-entrypoint-'));
    for (const app of apps) {
      mkdirSync(path.join(appDir, 'dist/apps', app), { recursive: true });
      writeFileSync(path.join(appDir, 'dist/apps', app, 'main.cjs'), '');
    }
    mkdirSync(path.join(appDir, 'bin'));
    writeFileSync(path.join(appDir, 'bin/node'), '#!/bin/sh\nprintf \'%s\\n\' "$@"\n', { mode: 0o755 });
  });

  afterAll(() => rmSync(appDir, { recursive: true, force: true }));

  function run(args: readonly string[], serviceFile = path.join(appDir, 'service')) {
    rmSync(serviceFile, { force: true });
    const result = spawnSync('sh', [ENTRYPOINT, ...args], {
      encoding: 'utf8',
      env: { PATH: `${path.join(appDir, 'bin')}:${process.env['PATH'] ?? ''}`, TTQUANT_APP_DIR: appDir, TTQUANT_SERVICE_FILE: serviceFile },
    });
    let recorded: string | undefined;
    try {
      recorded = readFileSync(serviceFile, 'utf8').trim();
    } catch {
      recorded = undefined;
    }
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, recorded };
  }

  /** The command line the stand-in node received, one argument per line. */
  const nodeArgs = (stdout: string) => stdout.split('\n').filter((line) => line !== '');

  it.each(apps)('starts the %s bundle with the remaining arguments', (app) => {
    const result = run([app, '--service.logLevel=debug', 'status']);
    expect(result.status).toBe(0);
    expect(nodeArgs(result.stdout)).toEqual([
      '--enable-source-maps',
      path.join(appDir, 'dist/apps', app, 'main.cjs'),
      '--service.logLevel=debug',
      'status',
    ]);
    // The health check learns the service from this file; a one-shot command has none.
    expect(result.recorded).toBe(ONE_SHOT_APPS.includes(app) ? undefined : app);
  });

  it('accepts ttq as the name of the cli', () => {
    const result = run(['ttq', 'orders']);
    expect(nodeArgs(result.stdout)).toEqual(['--enable-source-maps', path.join(appDir, 'dist/apps/cli/main.cjs'), 'orders']);
  });

  it('refuses an unknown service with exit code 64, naming every valid one', () => {
    const result = run(['gatway']);
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('unknown service "gatway"');
    for (const app of apps) expect(result.stderr).toContain(app);
    expect(result.stdout).toBe('');
  });

  it('prints its usage with exit code 64 when no service is named, and 0 for --help', () => {
    const bare = run([]);
    expect(bare.status).toBe(64);
    const help = run(['--help']);
    expect(help.status).toBe(0);
    for (const app of apps) {
      expect(bare.stderr).toContain(app);
      expect(help.stdout).toContain(app);
    }
  });
});

describe('deploy/healthcheck.cjs', () => {
  let server: Server;
  let port: number;
  let serviceFile: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const ok = req.url === '/healthz';
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(ok ? '{"status":"alive"}' : '{"status":"not ready","reason":"starting"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    serviceFile = path.join(mkdtempSync(path.join(tmpdir(), 'ttq-health-')), 'service');
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(path.dirname(serviceFile), { recursive: true, force: true });
  });

  // Asynchronous: the server answering the probe runs in this process.
  function probe(args: readonly string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [HEALTHCHECK, ...args], { env: { TTQUANT_SERVICE_FILE: serviceFile, ...env } });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.on('close', (status) => resolve({ status, stdout }));
    });
  }

  it('passes when the endpoint answers 200 and fails on 503', async () => {
    expect((await probe([`http://127.0.0.1:${port}/healthz`])).status).toBe(0);
    const notReady = await probe([`http://127.0.0.1:${port}/readyz`]);
    expect(notReady.status).toBe(1);
    expect(notReady.stdout).toContain('503');
  });

  it('probes the configured port of the running service with the path given', async () => {
    writeFileSync(serviceFile, 'gateway\n');
    expect((await probe(['/healthz'], { TTQ_SERVICE_HTTP_PORT: String(port) })).status).toBe(0);
    expect((await probe(['/readyz'], { TTQ_SERVICE_HTTP_PORT: String(port) })).status).toBe(1);
  });

  it('fails when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect((await probe([`http://127.0.0.1:${freePort}/healthz`])).status).toBe(1);
  });

  it('passes in a container running a one-shot command, which has no endpoint', async () => {
    rmSync(serviceFile, { force: true });
    const result = await probe([]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('no long-running service');
  });

  it("knows each long-running service's default port", () => {
    const source = readFileSync(HEALTHCHECK, 'utf8');
    for (const [service, defaultPort] of Object.entries(DEFAULT_HTTP_PORTS)) {
      expect(source).toMatch(new RegExp(`'?${service}'?: ${defaultPort}\\b`));
    }
  });
});
