import { AAPL, bar, BTC, DAY0, meta, SECOND, trade } from '../testing/fixtures';
import { createMigratedSchema } from '../testing/migrated-schema';
import type { TestSchema } from '../testing/test-schema';
import { BatchWriter } from '../writers/batch-writer';
import { barRow, tradeTickRow } from '../writers/row-mappers';
import { barsFromTrades, rollUpBars } from './bar-readers';

const MINUTE = 60n * SECOND;

describe('bar roll-ups in SQL', () => {
  let schema: TestSchema;

  beforeAll(async () => {
    schema = await createMigratedSchema();
    const trades = new BatchWriter(schema.pool, 'trade_ticks');
    // Minute 0: 3 trades, two in the same microsecond (ordered by ns, then sequence); minute 2: 1 trade; minute 1 empty.
    const ticks = [
      trade(DAY0 + 10n * SECOND + 1n, '100.00', '1'),
      trade(DAY0 + 10n * SECOND + 2n, '101.50', '2'),
      trade(DAY0 + 59n * SECOND, '99.75', '0.5'),
      trade(DAY0 + 2n * MINUTE + 1n, '102', '4'),
    ];
    let sequence = 0;
    for (const tick of ticks) await trades.write(tradeTickRow(tick, meta(++sequence)));
    await trades.close();

    const bars = new BatchWriter(schema.pool, 'bars');
    const ohlcv: [string, string, string, string, string][] = [
      ['10', '12', '9', '11', '100'],
      ['11', '15', '10', '14', '50'],
      ['14', '14', '8', '9', '25'],
      ['9', '10', '9', '10', '5'],
      ['10', '11', '10', '11', '1'],
    ];
    for (let i = 0; i < ohlcv.length; i++) {
      await bars.write(barRow(bar(DAY0 + BigInt(i) * MINUTE, 60, ohlcv[i] as [string, string, string, string, string], i + 1)));
    }
    await bars.close();
  });

  afterAll(async () => {
    await schema.drop();
  });

  it('builds bars of any interval from trades', async () => {
    const bars = await barsFromTrades(schema.pool, { instrument: BTC, intervalSeconds: 60, from: DAY0, to: DAY0 + 10n * MINUTE });
    expect(bars.map((b) => [b.startTime, b.open.toString(), b.high.toString(), b.low.toString(), b.close.toString(), b.volume.toString(), b.tradeCount])).toEqual([
      [DAY0, '100.00', '101.50', '99.75', '99.75', '3.5', 3],
      [DAY0 + 2n * MINUTE, '102', '102', '102', '102', '4', 1],
    ]);
    expect(bars[0]).toMatchObject({ kind: 'bar', instrument: BTC, intervalSeconds: 60, quality: 'REALTIME', eventTime: DAY0 + 59n * SECOND, initTime: DAY0 + 59n * SECOND + 1000n });

    const fiveMinutes = await barsFromTrades(schema.pool, { instrument: BTC, intervalSeconds: 300, from: DAY0, to: DAY0 + 10n * MINUTE });
    expect(fiveMinutes.map((b) => [b.startTime, b.open.toString(), b.close.toString(), b.volume.toString(), b.tradeCount])).toEqual([
      [DAY0, '100.00', '102', '7.5', 4],
    ]);
  });

  it('leaves out a bucket cut by an unaligned start', async () => {
    const bars = await barsFromTrades(schema.pool, { instrument: BTC, intervalSeconds: 60, from: DAY0 + 30n * SECOND, to: DAY0 + 10n * MINUTE });
    expect(bars.map((b) => b.startTime)).toEqual([DAY0 + 2n * MINUTE]);
  });

  it('rolls stored bars up to a multiple of their interval', async () => {
    const bars = await rollUpBars(schema.pool, {
      instrument: AAPL,
      sourceIntervalSeconds: 60,
      intervalSeconds: 180,
      from: DAY0,
      to: DAY0 + 10n * MINUTE,
    });
    expect(bars.map((b) => [b.startTime, b.intervalSeconds, b.open.toString(), b.high.toString(), b.low.toString(), b.close.toString(), b.volume.toString(), b.tradeCount])).toEqual([
      [DAY0, 180, '10', '15', '8', '9', '175', 6],
      [DAY0 + 3n * MINUTE, 180, '9', '11', '9', '11', '6', 9],
    ]);
    expect(bars[1]?.eventTime).toBe(DAY0 + 5n * MINUTE);
  });

  it('refuses an interval that the source interval does not divide', async () => {
    await expect(
      rollUpBars(schema.pool, { instrument: AAPL, sourceIntervalSeconds: 60, intervalSeconds: 90, from: DAY0, to: DAY0 + MINUTE }),
    ).rejects.toThrow('expected intervalSeconds to be a multiple of sourceIntervalSeconds (60), was 90');
  });
});
