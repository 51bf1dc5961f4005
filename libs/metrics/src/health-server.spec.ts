import { createLogger, type DestinationStream } from '@ttquant/logging';
import { createServer } from 'node:net';
import { Registry } from 'prom-client';
import { counter } from './metric-helpers';
import { startHealthServer, type HealthServer, type HealthServerOptions } from './health-server';
import { MetricsError } from './metrics-error';

const servers: HealthServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Partial<HealthServerOptions> = {}): Promise<HealthServer> {
  const server = await startHealthServer({ port: 0, registry: new Registry(), readiness: () => true, ...options });
  servers.push(server);
  return server;
}

describe('startHealthServer', () => {
  it('binds a free port on loopback when asked for port 0 and reports it', async () => {
    const server = await start();
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('serves the registry in Prometheus text format at /metrics', async () => {
    const registry = new Registry();
    counter(registry, 'ttq_ticks_total', 'Ticks received.', ['venue']).inc({ venue: 'sim' }, 5);
    const server = await start({ registry });
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(registry.contentType);
    const text = await res.text();
    expect(text).toContain('# TYPE ttq_ticks_total counter');
    expect(text).toContain('ttq_ticks_total{venue="sim"} 5');
  });

  it('answers /healthz with 200 while alive and 503 when the liveness check fails', async () => {
    let alive = true;
    const server = await start({ liveness: () => alive });
    const up = await fetch(`${server.url}/healthz`);
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'alive' });
    alive = false;
    const down = await fetch(`${server.url}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'not alive', reason: 'liveness check returned false' });
  });

  it('answers /readyz with 503 and a reason until ready, then 200', async () => {
    let ready: boolean | { ok: boolean; reason: string } = { ok: false, reason: 'reconciling open orders with IB' };
    const server = await start({ readiness: () => Promise.resolve(ready) });
    const waiting = await fetch(`${server.url}/readyz`);
    expect(waiting.status).toBe(503);
    expect(await waiting.json()).toEqual({ status: 'not ready', reason: 'reconciling open orders with IB' });
    ready = true;
    const done = await fetch(`${server.url}/readyz?verbose=1`);
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ status: 'ready' });
  });

  it('treats a check that throws or hangs as failed, with the reason', async () => {
    const throwing = await start({
      readiness: () => {
        throw new Error('bus not connected');
      },
    });
    const res = await fetch(`${throwing.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not ready', reason: 'readiness check threw: bus not connected' });

    const hanging = await start({ readiness: () => new Promise<boolean>(() => undefined), checkTimeoutMs: 20 });
    const slow = await fetch(`${hanging.url}/readyz`);
    expect(slow.status).toBe(503);
    expect(await slow.json()).toEqual({ status: 'not ready', reason: 'readiness check took longer than 20 ms' });
  });

  it('returns 404 for other paths and 405 for other methods', async () => {
    const server = await start();
    const missing = await fetch(`${server.url}/status`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not found' });
    const post = await fetch(`${server.url}/readyz`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('logs start-up and changes of readiness, not every probe', async () => {
    const lines: Record<string, unknown>[] = [];
    const destination: DestinationStream = {
      write: (chunk: string) => void lines.push(JSON.parse(chunk) as Record<string, unknown>),
    };
    const logger = createLogger({ service: 'test', instance: 't' }, destination);
    let ready = false;
    const server = await start({ readiness: () => ready, logger });
    await fetch(`${server.url}/readyz`);
    await fetch(`${server.url}/readyz`);
    ready = true;
    await fetch(`${server.url}/readyz`);
    expect(lines.map((l) => [l['level'], l['msg']])).toEqual([
      ['info', 'metrics and health server listening'],
      ['warn', 'readiness check fails'],
      ['info', 'readiness check passes'],
    ]);
    expect(lines[0]).toMatchObject({ url: server.url });
  });

  it('fails with a MetricsError naming the port when it is taken', async () => {
    const server = await start();
    const attempt = startHealthServer({ port: server.port, registry: new Registry(), readiness: () => true });
    await expect(attempt).rejects.toThrow(MetricsError);
    await expect(
      startHealthServer({ port: server.port, registry: new Registry(), readiness: () => true }),
    ).rejects.toThrow(`cannot listen on 127.0.0.1:${server.port}: EADDRINUSE`);
  });

  it('closes even with keep-alive connections open, and frees the port', async () => {
    const server = await start();
    await (await fetch(`${server.url}/healthz`)).text();
    await server.close();
    await server.close();
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(server.port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });
});
