import { startFakeTws } from './fake-tws-server';
import type { FakeTws, FakeTwsOptions } from './fake-tws-types';
import { connectIbClient, type IbTestClient, type IbTestClientOptions } from './ib-test-client';

/** Starts fakes and pinned clients for a spec, and in cleanup fails on any 505 before closing them all. */
export interface FakeTwsHarness {
  start(options?: FakeTwsOptions): Promise<FakeTws>;
  client(clientId: number, options?: IbTestClientOptions): Promise<IbTestClient>;
  /** Call from afterEach: throws if any client reported a decode error (505), after closing everything. */
  cleanup(): Promise<void>;
}

/**
 * @example
 * const h = fakeTwsHarness();
 * afterEach(() => h.cleanup());
 * it('…', async () => { const tws = await h.start(); const c = await h.client(1); … });
 */
export function fakeTwsHarness(): FakeTwsHarness {
  const clients: IbTestClient[] = [];
  const fakes: FakeTws[] = [];
  return {
    async start(options) {
      const tws = await startFakeTws(options);
      fakes.push(tws);
      return tws;
    },
    async client(clientId, options) {
      const tws = fakes[fakes.length - 1];
      if (!tws) throw new Error('expected start() before client()');
      const client = await connectIbClient(tws, clientId, options);
      clients.push(client);
      return client;
    },
    async cleanup() {
      const failures: string[] = [];
      for (const client of clients) {
        try {
          client.assertNoDecodeErrors();
        } catch (error) {
          failures.push((error as Error).message);
        }
        client.disconnect();
      }
      clients.length = 0;
      await Promise.all(fakes.splice(0).map((f) => f.close()));
      if (failures.length > 0) throw new Error(failures.join('\n'));
    },
  };
}
