import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  appNames,
  DEFAULT_HTTP_PORTS,
  interpolatedVariables,
  ONE_SHOT_APPS,
  parseCompose,
  readRepoFile,
  ROOT,
  tcpEndpoint,
  type ComposeService,
} from './deploy-files';

const COMPOSE_PATH = 'deploy/docker-compose.yml';
const composeText = readRepoFile(COMPOSE_PATH);
const compose = parseCompose(composeText);
const services = compose.services;
const composeDir = path.join(ROOT, 'deploy');
const TIMESCALE_IMAGE = 'timescale/timescaledb:2.17.2-pg17';

/** The app a service runs: the first argument the image's entrypoint receives. */
function appOf(service: ComposeService): string | undefined {
  const [script, fromEntrypoint] = service.entrypoint ?? [];
  const selected = script?.endsWith('entrypoint.sh') && fromEntrypoint !== undefined ? fromEntrypoint : service.command?.[0];
  return selected === 'ttq' ? 'cli' : selected;
}

function serviceRunning(app: string): [string, ComposeService] {
  const found = Object.entries(services).filter(([, service]) => appOf(service) === app);
  if (found.length !== 1) throw new Error(`expected one compose service running ${app}, found ${found.map(([name]) => name).join(', ') || 'none'}`);
  return found[0] as [string, ComposeService];
}

function service(name: string): ComposeService {
  const found = services[name];
  if (!found) throw new Error(`expected a compose service named ${name}, found ${Object.keys(services).join(', ')}`);
  return found;
}

const apps = appNames();
const longRunning = apps.filter((app) => !ONE_SHOT_APPS.includes(app));
const appServices = apps.map((app) => serviceRunning(app));

/** Every service `name` waits for, directly or through others. */
function dependenciesOf(name: string, seen: Set<string> = new Set()): Set<string> {
  for (const next of Object.keys(service(name).depends_on)) {
    if (seen.has(next)) continue;
    seen.add(next);
    dependenciesOf(next, seen);
  }
  return seen;
}

function bindPort(endpoint: string | undefined): number {
  const { host, port } = tcpEndpoint(endpoint);
  expect(['*', '0.0.0.0']).toContain(host);
  return port;
}

describe('deploy/docker-compose.yml', () => {
  it('runs every app in apps/ from the one image built from the repository', () => {
    expect(apps).toEqual(expect.arrayContaining(['hub', 'market-data', 'gateway', 'strategy-engine', 'persistence', 'cli']));
    const images = new Set(appServices.map(([, s]) => s.image));
    expect(images.size).toBe(1);
    expect([...images][0]).toMatch(/^ttquant:/);
    for (const [name, s] of appServices) {
      expect({ name, context: path.resolve(composeDir, s.build?.context ?? '') }).toEqual({ name, context: ROOT });
      expect(existsSync(path.join(ROOT, s.build?.dockerfile ?? 'missing'))).toBe(true);
    }
  });

  it('names each long-running service after its app and keeps the cli in the tools profile', () => {
    for (const app of longRunning) {
      expect(service(app).command).toEqual([app]);
      expect(service(app).profiles).toEqual([]);
    }
    const [, ttq] = serviceRunning('cli');
    expect(ttq.profiles).toEqual(['tools']);
    expect(ttq.entrypoint).toEqual(['/app/deploy/entrypoint.sh', 'cli']);
  });

  it('runs the pinned TimescaleDB image, its password from deploy/.env', () => {
    const db = service('timescaledb');
    expect(db.image).toBe(TIMESCALE_IMAGE);
    expect(db.environment['POSTGRES_PASSWORD']).toMatch(/^\$\{POSTGRES_PASSWORD:\?[^}]+\}$/);
    expect(db.healthcheck?.test?.join(' ')).toMatch(/pg_isready .*-U ttquant -d ttquant/);
    expect(db.volumes).toContain('timescaledb-data:/var/lib/postgresql/data');
  });

  it('binds the hub on all interfaces and points every other service at it by name', () => {
    const hub = service('hub').environment;
    const frontend = bindPort(hub['TTQ_HUB_FRONTEND']);
    const backend = bindPort(hub['TTQ_HUB_BACKEND']);
    for (const [name, s] of appServices.filter(([n]) => n !== 'hub')) {
      expect({ name, xsub: s.environment['TTQ_BUS_XSUB_ENDPOINT'], xpub: s.environment['TTQ_BUS_XPUB_ENDPOINT'] }).toEqual({
        name,
        xsub: `tcp://hub:${frontend}`,
        xpub: `tcp://hub:${backend}`,
      });
    }
  });

  it('points the strategy engine and ttq at the gateway, which binds its sockets on all interfaces', () => {
    const gateway = service('gateway').environment;
    const orders = bindPort(gateway['TTQ_GATEWAY_ORDERS_ENDPOINT']);
    const control = bindPort(gateway['TTQ_GATEWAY_CONTROL_ENDPOINT']);
    expect(service('strategy-engine').environment['TTQ_STRATEGY_ENGINE_GATEWAY_ENDPOINT']).toBe(`tcp://gateway:${orders}`);
    const [, ttq] = serviceRunning('cli');
    expect(ttq.environment['TTQ_CLI_GATEWAY_ORDERS']).toBe(`tcp://gateway:${orders}`);
    expect(ttq.environment['TTQ_CLI_GATEWAY_CONTROL']).toBe(`tcp://gateway:${control}`);
    bindPort(service('market-data').environment['TTQ_MARKET_DATA_REPLAY_ENDPOINT']);
  });

  it('points persistence at the timescaledb service with the password interpolated, never written', () => {
    const db = service('timescaledb').environment;
    for (const name of ['persistence', serviceRunning('cli')[0]]) {
      const url = service(name).environment['DATABASE_URL'] ?? '';
      const match = /^postgres(?:ql)?:\/\/([^:@]+):(\$\{([A-Z_]+)[^}]*\})@([^:/]+):(\d+)\/([A-Za-z0-9_]+)$/.exec(url);
      expect({ name, url, matched: match !== null }).toEqual({ name, url, matched: true });
      const [, user, , passwordVariable, host, port, database] = match ?? [];
      expect({ user, passwordVariable, host, port, database }).toEqual({
        user: db['POSTGRES_USER'],
        passwordVariable: 'POSTGRES_PASSWORD',
        host: 'timescaledb',
        port: '5432',
        database: db['POSTGRES_DB'],
      });
    }
  });

  it("checks /readyz on each long-running service's own port, served on all interfaces", () => {
    for (const app of longRunning) {
      const s = service(app);
      expect({ app, host: s.environment['TTQ_SERVICE_HTTP_HOST'] }).toEqual({ app, host: '0.0.0.0' });
      expect({ app, test: s.healthcheck?.test }).toEqual({
        app,
        test: ['CMD', 'node', '/app/deploy/healthcheck.cjs', `http://127.0.0.1:${DEFAULT_HTTP_PORTS[app]}/readyz`],
      });
    }
  });

  it('restarts long-running services unless stopped, and never the one-shot cli', () => {
    for (const [name, s] of Object.entries(services)) {
      const expected = s.profiles.includes('tools') ? 'no' : 'unless-stopped';
      expect({ name, restart: s.restart }).toEqual({ name, restart: expected });
    }
  });

  it('starts the database and hub first, then consumers before producers, each once its dependencies are healthy', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [target, spec] of Object.entries(s.depends_on)) {
        expect({ name, target, condition: spec.condition }).toEqual({ name, target, condition: 'service_healthy' });
        expect({ target, healthcheck: service(target).healthcheck !== undefined && service(target).healthcheck?.disable !== true }).toEqual({
          target,
          healthcheck: true,
        });
      }
      expect({ name, cycle: dependenciesOf(name).has(name) }).toEqual({ name, cycle: false });
    }
    for (const app of longRunning.filter((a) => a !== 'hub')) expect({ app, hub: dependenciesOf(app).has('hub') }).toEqual({ app, hub: true });
    expect(Object.keys(service('persistence').depends_on)).toEqual(expect.arrayContaining(['hub', 'timescaledb']));
    // Stopping runs this in reverse: producers first, persistence after them, hub and database last.
    const order = ['persistence', 'strategy-engine', 'gateway', 'market-data'];
    for (let i = 1; i < order.length; i++) {
      const later = order[i] ?? '';
      expect({ later, waitsFor: [...dependenciesOf(later)] }).toEqual({ later, waitsFor: expect.arrayContaining(order.slice(0, i)) });
    }
  });

  it('gives long-running services time for a graceful shutdown', () => {
    for (const app of longRunning) expect({ app, grace: service(app).stop_grace_period }).toEqual({ app, grace: '30s' });
  });

  it('mounts config read-only and keeps journals and the database on declared named volumes', () => {
    for (const [name, s] of appServices) expect({ name, volumes: s.volumes }).toEqual({ name, volumes: expect.arrayContaining(['../config:/app/config:ro']) });
    expect(path.resolve(composeDir, '../config')).toBe(path.join(ROOT, 'config'));
    const named = Object.values(services)
      .flatMap((s) => s.volumes)
      .map((v) => v.split(':')[0] ?? '')
      .filter((source) => !source.startsWith('.') && !source.startsWith('/'));
    expect(named.length).toBeGreaterThan(0);
    for (const volume of named) expect(Object.keys(compose.volumes)).toContain(volume);
    for (const app of ['gateway', 'market-data']) {
      expect({ app, journal: service(app).volumes.some((v) => /^[a-z][a-z0-9-]*:\/app\/\.data$/.test(v)) }).toEqual({ app, journal: true });
    }
  });

  it('lets services scale: no fixed container names, nothing published beyond loopback, no host ports for persistence', () => {
    for (const [name, s] of Object.entries(services)) {
      expect({ name, containerName: s.container_name }).toEqual({ name, containerName: undefined });
      for (const port of s.ports) expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:/) });
    }
    for (const scalable of ['persistence', 'strategy-engine', 'market-data']) expect({ scalable, ports: service(scalable).ports }).toEqual({ scalable, ports: [] });
  });

  it('never inlines a secret: passwords, keys and tokens come from ${VAR} references', () => {
    const secretName = /PASSWORD|SECRET|TOKEN|API_?KEY|PRIVATE|CREDENTIAL/i;
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(s.environment)) {
        if (secretName.test(key)) expect({ name, key, value }).toEqual({ name, key, value: expect.stringMatching(/^\$\{[A-Z_]+[^}]*\}$/) });
        const credentials = /:\/\/[^:/@\s]+:([^@\s]+)@/.exec(value);
        if (credentials) expect({ name, key, password: credentials[1] }).toEqual({ name, key, password: expect.stringMatching(/^\$\{[A-Z_]+[^}]*\}$/) });
      }
    }
  });

  it('hands the IB account from deploy/.env to the two services that log in to IB, and to no other', () => {
    for (const [name, s] of appServices) {
      const expected = name === 'gateway' || name === 'market-data' ? '${IB_ACCOUNT:-}' : undefined;
      expect({ name, ib: s.environment['IB_ACCOUNT'] }).toEqual({ name, ib: expected });
    }
  });

  it('lists in deploy/.env.example every variable compose requires, and nothing stale', () => {
    const example = readRepoFile('deploy/.env.example');
    const defined = [...example.matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    const used = interpolatedVariables(composeText);
    for (const { name } of used.filter((v) => !v.hasDefault)) expect(defined).toContain(name);
    for (const name of defined) expect(used.map((v) => v.name)).toContain(name);
  });

  it('keeps deploy/.env out of git and out of the image build context', () => {
    const lines = (file: string) => readRepoFile(file).split('\n').map((l) => l.trim());
    expect(lines('.gitignore')).toContain('deploy/.env');
    expect(lines('.dockerignore')).toEqual(expect.arrayContaining(['deploy/.env', 'node_modules', 'dist', '.data', '.nx', 'coverage']));
  });

  it('is accepted by `docker compose config`', () => {
    const version = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (version.error) {
      console.info(`docker compose config not run: the docker binary is absent here (${version.error.message})`);
      return;
    }
    if (version.status !== 0) {
      console.info(`docker compose config not run: docker has no compose plugin here (${version.stderr.trim()})`);
      return;
    }
    const result = spawnSync(
      'docker',
      ['compose', '-f', COMPOSE_PATH, '--env-file', 'deploy/.env.example', '--profile', 'tools', 'config', '--quiet'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
