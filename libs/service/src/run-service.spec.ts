import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_CODES, StartupError } from './exit-codes';
import { runService } from './run-service';

const schema = {
  greeting: { doc: 'A test value.', format: 'nonempty-string', default: 'hello' },
};

describe('runService', () => {
  let configDir: string;
  beforeEach(() => {
    configDir = mkdtempSync(join(tmpdir(), 'ttq-service-'));
  });
  afterEach(() => rmSync(configDir, { recursive: true, force: true }));

  const base = () => ({
    name: 'demo',
    schema,
    embedded: true,
    argv: [] as string[],
    env: { TTQ_SERVICE_LOG_LEVEL: 'silent' },
    configDir,
  });

  it('serves readiness as the service sets it, and stops in reverse order of start', async () => {
    const order: string[] = [];
    let markReady!: () => void;
    const service = await runService({
      ...base(),
      async start(ctx) {
        expect(ctx.config.get('greeting')).toBe('hello');
        ctx.onShutdown('first started', () => void order.push('first started'));
        ctx.onShutdown('second started', async () => {
          expect(ctx.stopping.aborted).toBe(true);
          order.push('second started');
        });
        markReady = () => ctx.setReady(true);
      },
    });
    const url = `http://127.0.0.1:${service.httpPort}`;
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    markReady();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('process_cpu');

    expect(await service.shutdown('test')).toBe(EXIT_CODES.ok);
    expect(order).toEqual(['second started', 'first started']);
    expect(await service.stopped).toBe(EXIT_CODES.ok);
  });

  it('fails with the config exit code and every problem listed', async () => {
    writeFileSync(join(configDir, 'demo.toml'), 'greeting = ""\nnope = 1\n');
    const attempt = runService({ ...base(), start: async () => undefined });
    await expect(attempt).rejects.toBeInstanceOf(StartupError);
    await expect(attempt).rejects.toMatchObject({ exitCode: EXIT_CODES.config });
    await expect(attempt).rejects.toThrow(/greeting: expected a non-empty string/);
    await expect(attempt).rejects.toThrow(/nope: unknown key/);
  });

  it('reports a start-up failure with its exit code after cleaning up', async () => {
    let cleaned = false;
    const attempt = runService({
      ...base(),
      async start(ctx) {
        ctx.onShutdown('cleanup', () => void (cleaned = true));
        throw new StartupError('database unreachable', EXIT_CODES.unavailable);
      },
    });
    await expect(attempt).rejects.toThrow('database unreachable');
    expect(cleaned).toBe(true);
  });

  it('exits with the timeout code when a step outlives the deadline, still running the steps after it', async () => {
    let flushed = false;
    const service = await runService({
      ...base(),
      env: { ...base().env, TTQ_SERVICE_SHUTDOWN_TIMEOUT: '50ms' },
      async start(ctx) {
        ctx.onShutdown('flush writers', () => void (flushed = true));
        ctx.onShutdown('stuck', () => new Promise<void>(() => undefined));
      },
    });
    expect(await service.shutdown('test')).toBe(EXIT_CODES.shutdownTimeout);
    expect(flushed).toBe(true);
  });
});
