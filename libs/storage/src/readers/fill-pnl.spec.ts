import { Decimal, Position, type Fill, type Instrument, type OrderSide, type PositionInstrument } from '@ttquant/domain';
import { seededRandom } from '@ttquant/testing';
import { PgInstrumentCache } from '../stores/instrument-cache';
import { d, DAY0 } from '../testing/fixtures';
import { createMigratedSchema } from '../testing/migrated-schema';
import type { TestSchema } from '../testing/test-schema';
import { BatchWriter } from '../writers/batch-writer';
import { fillRow } from '../writers/row-mappers';
import { realizedPnlFromStoredFills, storedFillPositions } from './fill-pnl';

const AAPL: PositionInstrument = { id: { venue: 'SIM', symbol: 'AAPL' }, multiplier: Decimal.ONE, currency: 'USD' };
const ES: PositionInstrument = { id: { venue: 'CME', symbol: 'ESZ5' }, multiplier: d('50'), currency: 'USD' };
const BTC: PositionInstrument = { id: { venue: 'BINANCE', symbol: 'BTC/USDT' }, multiplier: Decimal.ONE, currency: 'USDT' };

function instrumentOf(position: PositionInstrument): Instrument {
  return {
    id: position.id,
    venueInstrumentId: '',
    assetClass: 'EQUITY',
    exchange: position.id.venue,
    currency: position.currency,
    baseCurrency: '',
    multiplier: position.multiplier,
    tickSize: d('0.01'),
    lotSize: d('1'),
    minQuantity: d('1'),
    description: position.id.symbol,
  };
}

describe('realised PnL recomputed in SQL from stored fills', () => {
  let schema: TestSchema;
  let execCounter = 0;

  beforeAll(async () => {
    schema = await createMigratedSchema();
  });

  afterAll(async () => {
    await schema.drop();
  });

  function fill(
    account: string,
    instrument: PositionInstrument,
    side: OrderSide,
    quantity: string,
    price: string,
    commission = '0',
    commissionCurrency = instrument.currency,
  ): Fill {
    execCounter++;
    return {
      account,
      clientOrderId: `S1o${execCounter}`,
      venueOrderId: `V${execCounter}`,
      execId: `E${String(execCounter).padStart(6, '0')}`,
      instrument: instrument.id,
      side,
      quantity: d(quantity),
      price: d(price),
      commission: d(commission),
      commissionCurrency,
      liquidity: 'TAKER',
      strategyId: 'S1',
      eventTime: DAY0 + BigInt(execCounter),
    };
  }

  /** Stores fills; with `withInstrument` each row carries its instrument's currency and multiplier. */
  async function store(fills: readonly Fill[], instruments: readonly PositionInstrument[], withInstrument: boolean): Promise<void> {
    const writer = new BatchWriter(schema.pool, 'fills');
    for (const f of fills) {
      const instrument = instruments.find((i) => i.id.venue === f.instrument.venue && i.id.symbol === f.instrument.symbol);
      await writer.write(fillRow(f, undefined, withInstrument ? instrument : undefined));
    }
    await writer.close();
  }

  it('accounts a long → short flip with commissions to exactly 71.00', async () => {
    const fills = [
      fill('FLIP1', AAPL, 'BUY', '100', '10.00', '1.00'),
      fill('FLIP1', AAPL, 'BUY', '50', '10.30', '0.50'),
      // Closes the 150 long at (10.50 − 10.10) × 150 = 60.00 and opens 50 short at 10.50.
      fill('FLIP1', AAPL, 'SELL', '200', '10.50', '2.00'),
      // Closes the short at (10.50 − 10.20) × 50 = 15.00. Total 60 + 15 − 4.00 fees = 71.00.
      fill('FLIP1', AAPL, 'BUY', '50', '10.20', '0.50'),
    ];
    await store(fills, [AAPL], true);

    const pnl = await realizedPnlFromStoredFills(schema.pool, { account: 'FLIP1' });
    expect([...pnl.keys()]).toEqual(['USD']);
    expect(d(pnl.get('USD') ?? 'x').eq(d('71.00'))).toBe(true);
    const [position] = await storedFillPositions(schema.pool, { account: 'FLIP1' });
    expect(position).toMatchObject({ account: 'FLIP1', venue: 'SIM', symbol: 'AAPL', currency: 'USD', fills: 4 });
    expect(d(position?.quantity ?? 'x').isZero()).toBe(true);
  });

  it('walks fills by execution time then exec id, whatever order they were stored in', async () => {
    const buy = fill('ORDER1', AAPL, 'BUY', '10', '5.00');
    const sell = fill('ORDER1', AAPL, 'SELL', '10', '6.00');
    // Same execution time: the exec id decides (E…1 before E…2), so the sell closes the buy.
    const sameTime = { ...sell, eventTime: buy.eventTime };
    await store([sameTime, buy], [AAPL], true);
    const pnl = await realizedPnlFromStoredFills(schema.pool, { account: 'ORDER1' });
    expect(d(pnl.get('USD') ?? 'x').eq(d('10'))).toBe(true);
  });

  it('takes currency and multiplier from the instruments table when the fills do not carry them', async () => {
    await new PgInstrumentCache(schema.pool).put(instrumentOf(ES), DAY0);
    await store(
      [
        fill('FUT1', ES, 'BUY', '2', '4500.25', '4.50'),
        fill('FUT1', ES, 'SELL', '1', '4510.50', '2.25'),
        // Closes 1 at (4490.00 − 4500.25) × 50 = −512.50 and opens 2 short. Total 512.50 − 512.50 − 13.50 fees.
        fill('FUT1', ES, 'SELL', '3', '4490.00', '6.75'),
      ],
      [ES],
      false,
    );
    const [position] = await storedFillPositions(schema.pool, { account: 'FUT1' });
    expect(position).toMatchObject({ currency: 'USD', fills: 3 });
    expect(d(position?.quantity ?? 'x').eq(d('-2'))).toBe(true);
    expect(d(position?.realizedPnl ?? 'x').eq(d('-13.50'))).toBe(true);
  });

  it('keeps commissions in another currency out, sums by currency and filters by account', async () => {
    await store(
      [
        fill('MULTI1', BTC, 'BUY', '0.5', '60000.00', '0.0012', 'BNB'),
        fill('MULTI1', BTC, 'SELL', '0.5', '61000.00', '0.75', 'USDT'),
        fill('MULTI1', AAPL, 'BUY', '10', '5', '0.10', ''),
        fill('MULTI1', AAPL, 'SELL', '10', '5', '-0.02'),
        fill('MULTI2', AAPL, 'SELL', '10', '5', '100'),
      ],
      [BTC, AAPL],
      true,
    );
    const pnl = await realizedPnlFromStoredFills(schema.pool, { account: 'MULTI1' });
    // (61000 − 60000) × 0.5 − 0.75 USDT; the BNB fee is not converted. AAPL: −0.10 fee, +0.02 rebate.
    expect(new Map([...pnl].map(([currency, value]) => [currency, d(value).toFixed(2)]))).toEqual(
      new Map([
        ['USD', '-0.08'],
        ['USDT', '499.25'],
      ]),
    );
  });

  it('keeps a round trip exact when partial closes cannot divide evenly', async () => {
    await store(
      [
        fill('THIRDS1', AAPL, 'BUY', '1', '10.00'),
        fill('THIRDS1', AAPL, 'BUY', '2', '10.01'),
        fill('THIRDS1', AAPL, 'SELL', '1', '10.02'),
        fill('THIRDS1', AAPL, 'SELL', '1', '10.02'),
        fill('THIRDS1', AAPL, 'SELL', '1', '10.02'),
      ],
      [AAPL],
      true,
    );
    const pnl = await realizedPnlFromStoredFills(schema.pool, { account: 'THIRDS1' });
    expect(d(pnl.get('USD') ?? 'x').eq(d('0.04'))).toBe(true);
  });

  it('agrees with the domain Position on a random sequence of flips, partial closes and odd sizes', async () => {
    const random = seededRandom(20240301);
    const instruments = [AAPL, ES, BTC];
    const positions = instruments.map((i) => new Position('RANDOM1', i));
    const fills: Fill[] = [];
    for (let i = 0; i < 400; i++) {
      const which = Math.floor(random() * instruments.length);
      const instrument = instruments[which] as PositionInstrument;
      const side: OrderSide = random() < 0.5 ? 'BUY' : 'SELL';
      const crypto = instrument === BTC;
      const quantity = crypto ? (1 + Math.floor(random() * 300_000)) / 1e8 : 1 + Math.floor(random() * 37);
      const price = crypto ? 60_000 + Math.floor(random() * 2_000_000) / 100 : 100 + Math.floor(random() * 10_000) / 100;
      const commission = (Math.floor(random() * 300) / 100).toFixed(2);
      const currency = crypto && random() < 0.3 ? 'BNB' : instrument.currency;
      const next = fill('RANDOM1', instrument, side, quantity.toFixed(crypto ? 8 : 0), price.toFixed(2), commission, currency);
      fills.push(next);
      (positions[which] as Position).applyFill(next);
    }
    await store(fills, instruments, true);

    const stored = await storedFillPositions(schema.pool, { account: 'RANDOM1' });
    expect(stored.map((p) => p.symbol)).toEqual(['BTC/USDT', 'ESZ5', 'AAPL']);
    for (const position of positions) {
      const row = stored.find((p) => p.symbol === position.instrument.symbol);
      expect(row?.currency).toBe(position.currency);
      expect(d(row?.quantity ?? 'x').eq(position.quantity)).toBe(true);
      expect(d(row?.realizedPnl ?? 'x').toFixed(8)).toBe(position.realizedPnl.toFixed(8));
      // The same half-even rounding of partial closes on both sides: equal to the last digit.
      expect(d(row?.realizedPnl ?? 'x').eq(position.realizedPnl)).toBe(true);
    }
    const pnl = await realizedPnlFromStoredFills(schema.pool, { account: 'RANDOM1' });
    const usd = (positions[0] as Position).realizedPnl.add((positions[1] as Position).realizedPnl);
    expect(d(pnl.get('USD') ?? 'x').eq(usd)).toBe(true);
    expect(d(pnl.get('USDT') ?? 'x').eq((positions[2] as Position).realizedPnl)).toBe(true);
  });

  it('is empty for an account without fills', async () => {
    expect(await realizedPnlFromStoredFills(schema.pool, { account: 'NOBODY' })).toEqual(new Map());
    expect(await storedFillPositions(schema.pool, { account: 'NOBODY' })).toEqual([]);
  });
});
