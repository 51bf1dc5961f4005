import { topics } from '@ttquant/bus';
import { Decimal, type InstrumentId, type QuoteTick } from '@ttquant/domain';
import type { StreamMeta } from '@ttquant/storage';

/** The instruments the bench quotes, round-robin: several keys, like a real feed's index inserts. */
export const BENCH_INSTRUMENTS: readonly InstrumentId[] = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT', 'BNB/USDT', 'ADA/USDT', 'DOGE/USDT', 'AVAX/USDT'].map(
  (symbol) => ({ venue: 'binance', symbol }),
);

/** Quotes as persistence receives them: the domain tick and where it sat in its bus stream. */
export interface QuoteBatch {
  readonly ticks: readonly QuoteTick[];
  readonly metas: readonly StreamMeta[];
}

/**
 * `count` distinct quotes a microsecond apart from `startNs`, cycling through
 * {@link BENCH_INSTRUMENTS}: prices with 2 decimals and sizes with 4, as a
 * crypto venue sends them, sequence numbers from 1 per topic.
 */
export function makeQuotes(count: number, startNs: bigint, source: string, epoch: bigint): QuoteBatch {
  const ticks: QuoteTick[] = new Array<QuoteTick>(count);
  const metas: StreamMeta[] = new Array<StreamMeta>(count);
  const tickTopics = BENCH_INSTRUMENTS.map((i) => topics.tick(i.venue, i.symbol));
  const sequences = BENCH_INSTRUMENTS.map(() => 0);
  for (let i = 0; i < count; i++) {
    const k = i % BENCH_INSTRUMENTS.length;
    const eventTime = startNs + BigInt(i) * 1_000n;
    const bid = 6_432_150 + ((i * 7919) % 2000) - 1000 * k;
    ticks[i] = {
      kind: 'quote',
      instrument: BENCH_INSTRUMENTS[k] as InstrumentId,
      quality: 'REALTIME',
      eventTime,
      initTime: eventTime + 35_000n,
      bidPrice: Decimal.of(bid, -2),
      bidSize: Decimal.of(12_345 + (i % 997), -4),
      askPrice: Decimal.of(bid + 1 + (i % 3), -2),
      askSize: Decimal.of(98_765 - (i % 991), -4),
    };
    sequences[k] = (sequences[k] as number) + 1;
    metas[i] = { sourceInstance: source, epoch, topic: tickTopics[k] as string, sequence: sequences[k] as number };
  }
  return { ticks, metas };
}
