import { DATA_QUALITIES, type MarketData, type QuoteTick, type VenueStatus } from '@ttquant/domain';
import type { DataClient, DataSubscription } from '../data-client';
import { NotSupportedError } from '../errors';
import { OrderKit, sameInstrument } from './conformance-helpers';
import type { ConformanceOptions, DataHarness } from './harness';

/** Collects what a data client emits and lets a test wait for a condition without sleeping. */
class DataRecorder {
  readonly data: MarketData[] = [];
  readonly statuses: VenueStatus[] = [];
  private waiters: { condition: () => boolean; resolve: () => void; timer: NodeJS.Timeout }[] = [];
  private readonly stops: (() => void)[];

  constructor(
    client: DataClient,
    private readonly timeoutMs: number,
  ) {
    this.stops = [
      client.onData((item) => {
        this.data.push(item);
        this.wake();
      }),
      client.onStatus((status) => {
        this.statuses.push(status);
        this.wake();
      }),
    ];
  }

  waitUntil(condition: () => boolean, description: string): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const states = this.statuses.map((s) => s.state).join(',') || '(none)';
        reject(
          new Error(
            `timed out after ${this.timeoutMs} ms waiting for ${description}; got ${this.data.length} items, statuses ${states}`,
          ),
        );
      }, this.timeoutMs);
      const waiter = {
        condition,
        timer,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  dispose(): void {
    for (const stop of this.stops) stop();
    for (const waiter of this.waiters) clearTimeout(waiter.timer);
    this.waiters = [];
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => w.condition());
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve();
  }
}

/**
 * Registers the data conformance tests (jest `describe`/`it`) every adapter's
 * data client must pass against its fake venue. The harness returns a
 * connected client; the suite moves the market through the venue controls.
 */
export function runDataConformanceSuite(
  name: string,
  createHarness: () => Promise<DataHarness>,
  options: ConformanceOptions = {},
): void {
  const waitTimeoutMs = options.waitTimeoutMs ?? 5_000;
  const testTimeoutMs = options.testTimeoutMs ?? 20_000;

  describe(`${name} data conformance`, () => {
    let harness: DataHarness | undefined;
    let recorder: DataRecorder | undefined;

    function setup(): { h: DataHarness; rec: DataRecorder; kit: OrderKit } {
      if (!harness || !recorder) throw new Error('expected the harness to be built by beforeEach, it was not');
      const kit = new OrderKit(harness.instrument, '', ['GTC'], harness.referencePrice);
      return { h: harness, rec: recorder, kit };
    }

    function quotesOf(rec: DataRecorder, h: DataHarness): QuoteTick[] {
      return rec.data.filter((d): d is QuoteTick => d.kind === 'quote' && sameInstrument(d.instrument, h.instrument.id));
    }

    beforeEach(async () => {
      harness = await createHarness();
      recorder = new DataRecorder(harness.data, waitTimeoutMs);
      expect(harness.data.connectionState).toBe('CONNECTED');
    }, testTimeoutMs);

    afterEach(async () => {
      recorder?.dispose();
      recorder = undefined;
      const h = harness;
      harness = undefined;
      await h?.dispose();
    }, testTimeoutMs);

    it(
      'delivers quotes of a subscribed instrument with a quality tag, on the tick grid, bid below ask',
      async () => {
        const { h, rec, kit } = setup();
        expect(h.data.capabilities.quotes).toBe(true);
        await h.data.subscribe({ kind: 'quotes', instrument: h.instrument.id });
        await h.venue.setMarket(h.instrument.id, kit.market());
        await rec.waitUntil(() => quotesOf(rec, h).length > 0, `a quote of ${h.instrument.id.symbol}`);

        for (const quote of quotesOf(rec, h)) {
          expect(DATA_QUALITIES).toContain(quote.quality);
          expect(quote.bidPrice.isMultipleOf(h.instrument.tickSize)).toBe(true);
          expect(quote.askPrice.isMultipleOf(h.instrument.tickSize)).toBe(true);
          expect(quote.bidPrice.lt(quote.askPrice)).toBe(true);
          expect(quote.bidSize.isNegative()).toBe(false);
          expect(quote.askSize.isNegative()).toBe(false);
          expect(quote.eventTime > 0n).toBe(true);
          expect(quote.initTime > 0n).toBe(true);
        }
      },
      testTimeoutMs,
    );

    it(
      'keeps its subscriptions: subscribing twice is one subscription, unsubscribing removes it',
      async () => {
        const { h } = setup();
        const subscription: DataSubscription = { kind: 'quotes', instrument: h.instrument.id };
        await h.data.subscribe(subscription);
        await h.data.subscribe(subscription);
        expect(h.data.subscriptions().filter((s) => s.kind === 'quotes' && sameInstrument(s.instrument, h.instrument.id))).toHaveLength(1);
        await h.data.unsubscribe(subscription);
        expect(h.data.subscriptions().some((s) => s.kind === 'quotes' && sameInstrument(s.instrument, h.instrument.id))).toBe(false);
      },
      testTimeoutMs,
    );

    it(
      'accepts the subscriptions its capabilities promise and refuses the others with NotSupportedError',
      async () => {
        const { h } = setup();
        const caps = h.data.capabilities;
        const instrument = h.instrument.id;
        const cases: [boolean, DataSubscription][] = [
          [caps.quotes, { kind: 'quotes', instrument }],
          [caps.trades, { kind: 'trades', instrument }],
          [caps.bookL2, { kind: 'book', instrument, depth: 10 }],
          [caps.bars && caps.barIntervals.length > 0, { kind: 'bars', instrument, intervalSeconds: caps.barIntervals[0] ?? 60 }],
        ];
        for (const [supported, subscription] of cases) {
          if (supported) await expect(h.data.subscribe(subscription)).resolves.toBeUndefined();
          else await expect(h.data.subscribe(subscription)).rejects.toBeInstanceOf(NotSupportedError);
        }
      },
      testTimeoutMs,
    );

    it(
      'reports a dropped connection and, once restored, reconnects and delivers quotes again',
      async () => {
        const { h, rec, kit } = setup();
        await h.data.subscribe({ kind: 'quotes', instrument: h.instrument.id });
        await h.venue.dropConnection();
        await rec.waitUntil(() => h.data.connectionState !== 'CONNECTED', 'the data connection to be reported down');
        expect(rec.statuses.some((s) => s.state !== 'CONNECTED' && s.channel === 'data')).toBe(true);

        await h.venue.restoreConnection();
        await rec.waitUntil(() => h.data.connectionState === 'CONNECTED', 'the data connection to be reported up');
        const before = quotesOf(rec, h).length;
        await h.venue.setMarket(h.instrument.id, kit.market({ bid: kit.price(2), ask: kit.price(3) }));
        await rec.waitUntil(() => quotesOf(rec, h).length > before, 'a quote after the reconnect');
        expect(quotesOf(rec, h).at(-1)?.askPrice.eq(kit.price(3))).toBe(true);
      },
      testTimeoutMs,
    );
  });
}
