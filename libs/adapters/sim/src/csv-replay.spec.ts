import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal, type Instrument } from '@ttquant/domain';
import { parseReplayCsv, parseReplayTime, replayRowToMarketData, ReplayFormatError } from './csv-replay';

const testData = join(__dirname, '..', 'test-data');
const acme: Instrument = {
  id: { venue: 'SIM', symbol: 'ACME' },
  venueInstrumentId: 'ACME',
  assetClass: 'EQUITY',
  exchange: 'SIM',
  currency: 'USD',
  baseCurrency: '',
  multiplier: Decimal.ONE,
  tickSize: Decimal.parse('0.01'),
  lotSize: Decimal.ONE,
  minQuantity: Decimal.ONE,
  description: '',
};

describe('parseReplayCsv', () => {
  it('reads the quote sample exactly: ISO times to the nanosecond, epoch nanoseconds, decimal prices', () => {
    const rows = parseReplayCsv(readFileSync(join(testData, 'acme-quotes.csv'), 'utf8'), acme);
    expect(rows).toHaveLength(5);
    expect(rows.map((r) => r.kind)).toEqual(['quote', 'quote', 'quote', 'quote', 'quote']);
    expect(rows.map((r) => r.time)).toEqual([
      1709303400000000000n,
      1709303400250000000n,
      1709303400500000000n,
      1709303401000000000n,
      1709303401500000000n,
    ]);
    const first = rows[0];
    if (first.kind !== 'quote') throw new Error('expected a quote row');
    expect([first.bidPrice.toString(), first.bidSize.toString(), first.askPrice.toString(), first.askSize.toString()]).toEqual([
      '100.01',
      '300',
      '100.03',
      '200',
    ]);
  });

  it('reads the trade sample, with and without aggressor', () => {
    const rows = parseReplayCsv(readFileSync(join(testData, 'acme-trades.csv'), 'utf8'), acme);
    expect(rows.map((r) => (r.kind === 'trade' ? `${r.size.toString()}@${r.price.toString()} ${r.aggressor}` : r.kind))).toEqual([
      '100@100.03 BUYER',
      '50@100.02 SELLER',
      '25@100.00 NONE',
    ]);
  });

  it.each([
    ['a missing header', '100.01,1,100.02,1\n', 'line 1: expected header'],
    ['a short row', 'time,bid,bid_size,ask,ask_size\n1,100.01,1,100.02\n', 'line 2: expected 5 fields'],
    [
      'a price off the tick',
      'time,bid,bid_size,ask,ask_size\n1,100.015,1,100.02,1\n',
      'line 2: bid price 100.015 is not a multiple of tick size 0.01',
    ],
    ['a crossed quote', 'time,bid,bid_size,ask,ask_size\n1,100.02,1,100.02,1\n', 'line 2: expected bid < ask'],
    ['text for a number', 'time,bid,bid_size,ask,ask_size\n1,abc,1,100.02,1\n', 'line 2: expected bid as a decimal number, was "abc"'],
    ['a negative size', 'time,bid,bid_size,ask,ask_size\n1,100.01,-1,100.02,1\n', 'line 2: expected bid_size >= 0'],
    ['a size off the lot', 'time,price,size\n1,100.01,1.5\n', 'line 2: expected size a multiple of lot size 1'],
    ['rows out of order', 'time,price,size\n5,100.01,1\n4,100.01,1\n', 'line 3: expected time >= 5'],
    ['an unknown aggressor', 'time,price,size,aggressor\n1,100.01,1,MAYBE\n', 'line 2: expected aggressor one of BUYER, SELLER, NONE'],
    ['a bad time', 'time,price,size\n2024-03-01 14:30:00,100.01,1\n', 'line 2: expected time as ISO-8601 UTC'],
    ['an empty file', '# nothing\n\n', 'expected a header line'],
  ])('refuses %s, naming the line', (_case, text, message) => {
    expect(() => parseReplayCsv(text, acme)).toThrow(ReplayFormatError);
    expect(() => parseReplayCsv(text, acme)).toThrow(message);
  });
});

describe('parseReplayTime', () => {
  it('keeps nanoseconds and accepts integers as epoch nanoseconds', () => {
    expect(parseReplayTime('1970-01-01T00:00:00.000000001Z')).toBe(1n);
    expect(parseReplayTime('2024-03-01T14:30:00.123456789Z')).toBe(1709303400123456789n);
    expect(parseReplayTime('42')).toBe(42n);
  });
});

describe('replayRowToMarketData', () => {
  it('stamps rows with the emission time and tags them SIMULATED', () => {
    const [row] = parseReplayCsv('time,price,size,aggressor\n1,100.01,3,SELLER\n', acme);
    const item = replayRowToMarketData(row, acme, 777n);
    expect(item).toMatchObject({ kind: 'trade', quality: 'SIMULATED', eventTime: 777n, initTime: 777n, aggressor: 'SELLER' });
    expect(item.instrument).toBe(acme.id);
  });
});
