import { TcpProxy, waitFor } from '@ttquant/testing';
import { Pool } from 'pg';
import { guardPool } from './pool-guard';

const SERVER = new URL(process.env['TTQ_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test');

describe('guardPool', () => {
  it('turns the reset of a checked-out connection into a logged error and a failed query, not a crash', async () => {
    const proxy = await TcpProxy.start({ host: SERVER.hostname, port: Number(SERVER.port || 5432) });
    const pool = new Pool({ connectionString: `postgres://${SERVER.username}@127.0.0.1:${proxy.port}${SERVER.pathname}`, max: 1 });
    const logged: string[] = [];
    guardPool(pool, (error) => logged.push(error.message));
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const client = await pool.connect();
      const sleeping = client.query('SELECT pg_sleep(5)').then(
        () => 'finished',
        (error: Error) => error.message,
      );
      await waitFor(() => proxy.stats.open === 1, 'the connection through the proxy', 2_000, 5);
      proxy.cut();
      expect(await sleeping).toMatch(/ECONNRESET|Connection terminated/);
      await waitFor(() => logged.length > 0, 'the client error to be logged', 2_000, 5);
      client.release(new Error('broken'));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await pool.end();
      await proxy.close();
    }
  });
});
