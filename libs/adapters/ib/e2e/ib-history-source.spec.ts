import { systemClock } from '@ttquant/domain';
import { RateLimitError, UnknownInstrumentError } from '@ttquant/gateway-api';
import { startFakeTws } from '@ttquant/testing';
import { createIbAdapter } from '../src';
import { contractRef } from '../src/parsing/contracts';
import { expectCleanSession, startIbHarness, type IbHarness } from './fake-tws-venue';
import { disposeAfterEach } from './harness-lifecycle';

describe('IB history source (requestBars) against a fake TWS', () => {
  const track = disposeAfterEach((harness: IbHarness) => harness);


  function request(harness: IbHarness, endDateTime: string) {
    return {
      contract: contractRef(harness.adapter.instruments.contractOf({ venue: 'IB', symbol: 'AAPL' })),
      endDateTime,
      duration: '1 D',
      barSize: '1 min',
      whatToShow: 'TRADES' as const,
      useRth: true,
    };
  }

  it('returns the bars of one request in time order, times in UTC milliseconds', async () => {
    const h = track(await startIbHarness());
    const bars = await h.adapter.history.requestBars(request(h, '20250103-21:00:00'));
    expect(bars.length).toBe(390);
    expect(new Date(bars[0].timeMs).toISOString().slice(0, 10)).toBe('2025-01-03');
    expect(bars[0].timeMs % 60_000).toBe(0);
    expect(bars.at(-1)?.timeMs).toBeLessThan(Date.UTC(2025, 0, 3, 21, 0));
    for (let i = 1; i < bars.length; i++) expect(bars[i].timeMs - bars[i - 1].timeMs).toBe(60_000);
    for (const bar of bars) {
      expect(bar.low).toBeLessThanOrEqual(Math.min(bar.open, bar.close));
      expect(bar.high).toBeGreaterThanOrEqual(Math.max(bar.open, bar.close));
    }
    expect(h.fake.historicalRequests.at(-1)).toMatchObject({ conId: 265598, barSize: '1 min', duration: '1 D', endDateTime: '20250103-21:00:00' });
  });

  it('rejects a pacing violation (162) with RateLimitError and an unknown contract (200) with UnknownInstrumentError', async () => {
    const h = track(await startIbHarness());
    h.fake.failNextRequest('historical', 162);
    await expect(h.adapter.history.requestBars(request(h, '20250103-21:00:00'))).rejects.toBeInstanceOf(RateLimitError);
    const unknown = { ...request(h, '20250103-21:00:00'), contract: { conId: 0, symbol: 'ZZZZ', secType: 'STK', exchange: 'SMART', currency: 'USD' } };
    await expect(h.adapter.history.requestBars(unknown)).rejects.toBeInstanceOf(UnknownInstrumentError);
    // The source itself still works after the refusals.
    expect((await h.adapter.history.requestBars(request(h, '20250102-21:00:00'))).length).toBe(390);
  });
});

describe('IB history source on its own', () => {
  it('opens the connection itself when nothing else did', async () => {
    const fake = await startFakeTws();
    const ib = createIbAdapter({ port: fake.port, clientId: 12 }, { clock: systemClock }, { env: {} });
    try {
      const bars = await ib.history.requestBars({
        contract: { conId: 265598, symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' },
        endDateTime: '20250103-21:00:00',
        duration: '1 D',
        barSize: '1 hour',
        whatToShow: 'MIDPOINT',
        useRth: false,
      });
      expect(bars.length).toBeGreaterThan(0);
      expect(ib.connection.connectionState).toBe('CONNECTED');
      expectCleanSession({ adapter: ib, fake });
    } finally {
      await ib.dispose();
      await fake.close();
    }
  });
});
