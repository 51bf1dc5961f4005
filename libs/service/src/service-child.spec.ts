import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { describeExit, ServiceChild } from './service-child';

/** A port nobody listens on right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// Stand-ins for services: a ready HTTP server that exits 0 on SIGTERM, one that dies at once, one that ignores SIGTERM.
const SCRIPTS = {
  good: `
    const http = require('node:http');
    const server = http.createServer((req, res) => { res.statusCode = req.url === '/readyz' ? 200 : 404; res.end(); });
    server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
    process.on('SIGTERM', () => { console.log('stopping'); server.close(() => process.exit(0)); });`,
  dies: `console.error('bad config: bus.sendHwm'); process.exit(78);`,
  stubborn: `
    const http = require('node:http');
    http.createServer((req, res) => res.end()).listen(Number(process.env.PORT), '127.0.0.1');
    process.on('SIGTERM', () => console.log('ignoring SIGTERM'));`,
} as const;

describe('ServiceChild', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ttq-child-'));
    for (const [name, text] of Object.entries(SCRIPTS)) writeFileSync(join(dir, `${name}.cjs`), text);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function start(script: keyof typeof SCRIPTS, withLogFile = true) {
    const port = await freePort();
    return new ServiceChild({
      name: script,
      bundle: join(dir, `${script}.cjs`),
      cwd: dir,
      env: { ...process.env, PORT: String(port) },
      ...(withLogFile ? { logFile: join(dir, `${script}.log`) } : {}),
      httpPort: port,
    });
  }

  it('waits for /readyz, logs to its file and stops cleanly on SIGTERM', async () => {
    const child = await start('good');
    await child.waitReady(10_000, new AbortController().signal);
    const { exit, killed } = await child.stop(5_000);
    expect(killed).toBe(false);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(child.logTail()).toMatch(/listening\nstopping$/);
  });

  it('fails the wait with its exit code and last log lines when it dies before being ready', async () => {
    const child = await start('dies');
    await expect(child.waitReady(10_000, new AbortController().signal)).rejects.toThrow(
      /^dies exited with code 78 before it was ready\n--- last lines of .*dies\.log ---\nbad config: bus\.sendHwm$/,
    );
  });

  it('kills a process that outlives the stop deadline', async () => {
    const child = await start('stubborn');
    await child.waitReady(10_000, new AbortController().signal);
    const { exit, killed } = await child.stop(300);
    expect(killed).toBe(true);
    expect(describeExit(exit)).toBe('signal SIGKILL');
  });

  it('keeps the output in memory when it has no log file', async () => {
    const child = await start('dies', false);
    await expect(child.waitReady(10_000)).rejects.toThrow(/^dies exited with code 78 before it was ready\n--- last lines of dies's output ---\nbad config: bus\.sendHwm$/);
    expect(child.logs).toBe('bad config: bus.sendHwm\n');
  });

  it('passes node flags and arguments to the service', async () => {
    writeFileSync(join(dir, 'args.cjs'), `console.log(JSON.stringify({ argv: process.argv.slice(2), flags: process.execArgv })); process.exit(3);`);
    const child = new ServiceChild({ name: 'args', bundle: join(dir, 'args.cjs'), cwd: dir, env: process.env, httpPort: 1, args: ['--config', 'x.toml'], nodeArgs: ['--no-warnings'] });
    expect(await child.exited).toEqual({ code: 3, signal: null });
    expect(JSON.parse(child.logs)).toEqual({ argv: ['--config', 'x.toml'], flags: ['--no-warnings'] });
  });

  it('names the cause in its log when the process cannot be started at all', async () => {
    const logFile = join(dir, 'missing-cwd.log');
    const child = new ServiceChild({ name: 'nowhere', bundle: join(dir, 'good.cjs'), cwd: join(dir, 'no-such-folder'), env: process.env, httpPort: 1, logFile });
    expect(await child.exited).toEqual({ code: null, signal: null });
    await expect(child.waitReady(1_000)).rejects.toThrow(/^nowhere exited with code \? before it was ready\n--- last lines of .*missing-cwd\.log ---\ncannot start nowhere: spawn .* ENOENT$/);
  });
});
