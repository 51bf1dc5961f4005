import { AAPL, aaplInstrument as aapl, bar, d, DAY0, SECOND } from '../testing/fixtures';
import { createMigratedSchema } from '../testing/migrated-schema';
import type { TestSchema } from '../testing/test-schema';
import { readBars } from '../readers/bar-readers';
import { PgHistoryStore } from './history-store';
import { PgInstrumentCache } from './instrument-cache';
import { readTradingRuns, recordRunEnd, recordRunStart } from './trading-runs';

const MINUTE = 60n * SECOND;


describe('stores', () => {
  let schema: TestSchema;

  beforeAll(async () => {
    schema = await createMigratedSchema();
  });

  afterAll(async () => {
    await schema.drop();
  });

  describe('PgInstrumentCache', () => {
    it('keeps first-seen, moves last-seen and updates the definition', async () => {
      const cache = new PgInstrumentCache(schema.pool);
      expect(await cache.get(AAPL)).toBeUndefined();
      await cache.put(aapl, DAY0 + 5_000n, { conId: 265598, secType: 'STK' });
      const changed = { ...aapl, tickSize: d('0.005'), description: 'Apple Inc.' };
      await cache.put(changed, DAY0 + 3_600n * SECOND);
      // An older sighting arriving late moves nothing back.
      await cache.put(changed, DAY0 + 60n * SECOND);

      expect(await cache.get(AAPL)).toEqual({ instrument: changed, firstSeen: DAY0 + 5_000n, lastSeen: DAY0 + 3_600n * SECOND });
      const raw = await schema.pool.query('SELECT raw FROM instruments');
      expect(raw.rows[0].raw).toEqual({ conId: 265598, secType: 'STK' });
      await cache.put({ ...aapl, id: { venue: 'IB', symbol: 'MSFT' }, venueInstrumentId: '272093' }, DAY0);
      expect((await cache.list('IB')).map((c) => c.instrument.id.symbol)).toEqual(['AAPL', 'MSFT']);
      expect(await cache.list('BINANCE')).toEqual([]);
    });
  });

  describe('PgHistoryStore', () => {
    it('replaces bars with the same key and reports the covered runs', async () => {
      const store = new PgHistoryStore(schema.pool);
      const minute = (i: number, close = '10') => bar(DAY0 + BigInt(i) * MINUTE, 60, ['10', '11', '9', close, '100']);
      expect(await store.writeBars([0, 1, 2, 5, 6].map((i) => minute(i)))).toBe(5);
      expect(await store.writeBars([minute(2, '10.50')])).toBe(1);

      const stored = await readBars(schema.pool, { instrument: AAPL, intervalSeconds: 60, from: DAY0, to: DAY0 + 10n * MINUTE });
      expect(stored).toHaveLength(5);
      expect(stored[2]?.close.toString()).toBe('10.50');

      const range = { from: DAY0, to: DAY0 + 6n * MINUTE + 30n * SECOND };
      expect(await store.coverage(AAPL, 60, range)).toEqual([
        { from: DAY0, to: DAY0 + 3n * MINUTE },
        { from: DAY0 + 5n * MINUTE, to: range.to },
      ]);
      expect(await store.coverage(AAPL, 300, range)).toEqual([]);
    });
  });

  describe('trading runs', () => {
    it('records a run from start to end', async () => {
      const start = {
        runId: 'r20240301a',
        strategyId: 'mean-revert',
        mode: 'paper' as const,
        instance: 'se-1',
        accounts: ['DU123'],
        startedAt: DAY0 + 1_000n,
        config: { lookback: 20, threshold: '1.5' },
        codeVersion: 'abc1234',
      };
      await recordRunStart(schema.pool, start);
      await recordRunStart(schema.pool, { ...start, codeVersion: 'changed' });
      expect(await readTradingRuns(schema.pool, { strategyId: 'mean-revert' })).toEqual([{ ...start, status: 'running' }]);

      expect(await recordRunEnd(schema.pool, 'r20240301a', { status: 'stopped', stoppedAt: DAY0 + 7_200n * SECOND, summary: { pnl: '12.50' } })).toBe(true);
      expect(await recordRunEnd(schema.pool, 'nope', { status: 'failed', stoppedAt: DAY0 })).toBe(false);
      expect(await readTradingRuns(schema.pool)).toEqual([
        { ...start, status: 'stopped', stoppedAt: DAY0 + 7_200n * SECOND, summary: { pnl: '12.50' } },
      ]);
    });
  });
});
