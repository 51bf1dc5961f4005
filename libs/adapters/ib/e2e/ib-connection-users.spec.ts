import { systemClock } from '@ttquant/domain';
import { UnknownInstrumentError } from '@ttquant/gateway-api';
import { startFakeTws, type FakeTws } from '@ttquant/testing';
import { createIbAdapter, type IbAdapter } from '../src';
import { EventLog } from './event-log';
import { FAST_RECONNECT, expectCleanSession } from './fake-tws-venue';

// Every part of the adapter takes the shared connection as a user and gives it back: the socket closes when the
// last one is done, whichever part took it first and whether or not its work failed.

const AAPL = { symbol: 'AAPL', secType: 'STK', primaryExchange: 'NASDAQ' };

describe('IB connection users', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function setup(): Promise<{ fake: FakeTws; ib: IbAdapter }> {
    const fake = await startFakeTws();
    cleanup.push(() => fake.close());
    const ib = createIbAdapter({ port: fake.port, clientId: 4, reconnect: FAST_RECONNECT, instruments: [AAPL] }, { clock: systemClock }, { env: {} });
    cleanup.push(async () => {
      await ib.dispose();
      expectCleanSession({ adapter: ib, fake });
    });
    return { fake, ib };
  }

  /** Waits until the fake has no client left (polled: a closed socket emits nothing to wait on). */
  function noClientLeft(fake: FakeTws, timeoutMs = 5_000): Promise<void> {
    return new EventLog<never>().waitFor(() => fake.connectionCount() === 0, 'no client connected to the fake', timeoutMs);
  }

  it('closes the socket when both clients disconnect after loading instruments, and reuses the session in between', async () => {
    const { fake, ib } = await setup();
    await ib.instruments.load();
    await ib.data.connect();
    await ib.execution.connect();
    // Loading, then connecting both clients, took one session.
    expect(ib.connection.session).toBe(1);
    await ib.data.disconnect();
    expect(fake.connectionCount()).toBe(1);
    await ib.execution.disconnect();
    await noClientLeft(fake);
    expect(ib.connection.connectionState).toBe('DISCONNECTED');
  });

  it('gives the connection back when loading an instrument fails', async () => {
    const { fake, ib } = await setup();
    await expect(ib.instruments.load([{ venue: 'IB', symbol: 'ZZZZ' }])).rejects.toBeInstanceOf(UnknownInstrumentError);
    await noClientLeft(fake);
    expect(ib.connection.connectionState).toBe('DISCONNECTED');
  });

  it('gives the connection back after historical requests once idle, and at once when a client that used it disconnects', async () => {
    const { fake, ib } = await setup();
    await ib.instruments.load();
    await ib.execution.connect();
    const aapl = ib.instruments.get({ venue: 'IB', symbol: 'AAPL' });
    const contract = { conId: Number(aapl.venueInstrumentId), symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' };
    const bars = await ib.history.requestBars({ contract, endDateTime: '20261120-21:00:00', duration: '1 D', barSize: '1 hour', whatToShow: 'TRADES', useRth: true });
    expect(bars.length).toBeGreaterThan(0);
    await ib.execution.disconnect();
    // The history client gave its user back: the client's disconnect was the last one.
    await noClientLeft(fake, 1_000);
  });

  it('does not count a client whose connect failed as a user', async () => {
    const fake = await startFakeTws({ managedAccounts: ['U7654321'] });
    cleanup.push(() => fake.close());
    const ib = createIbAdapter({ port: fake.port, clientId: 5, reconnect: FAST_RECONNECT, instruments: [AAPL] }, { clock: systemClock }, { env: {} });
    cleanup.push(() => ib.dispose());
    // A paper adapter refuses a live account: connect fails for good.
    await expect(ib.execution.connect()).rejects.toThrow(/expected a paper account/);
    await noClientLeft(fake);
    // A later user that fails the same way leaves nothing open either.
    await expect(ib.instruments.load()).rejects.toThrow(/expected a paper account/);
    await noClientLeft(fake);
  });
});
