import { StorageError } from '../errors';
import { tableDef, type TableName } from '../schema/tables';
import { alert, bar, DAY0, d, fill, meta, orderEvent, orderSpec, quote, SECOND } from '../testing/fixtures';
import { decodeCopyRecords } from './binary-copy-decoder';
import { BinaryCopyEncoder, type CopyRow } from './binary-copy-encoder';
import { alertRow, barRow, fillRow, orderRow, quoteTickRow } from './row-mappers';

function columnsOf(table: TableName) {
  return tableDef(table).columns.filter((c) => !c.identity);
}

function encode(table: TableName, rows: readonly CopyRow[]): Buffer {
  const encoder = new BinaryCopyEncoder(columnsOf(table), 1024);
  for (const row of rows) encoder.addRow(row);
  return encoder.slice(0, rows.length);
}

/**
 * What parking keeps of a row, worked out from the row itself: decimals,
 * int8 and times as strings (times to the microsecond a timestamptz column
 * holds), nested values as JSON, NULL as null.
 */
function expectedRecord(table: TableName, row: CopyRow): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  columnsOf(table).forEach((column, i) => {
    const value = row[i];
    if (value === null || value === undefined) record[column.name] = null;
    else if (column.type === 'timestamptz') record[column.name] = (((value as bigint) / 1000n) * 1000n).toString();
    else if (column.type === 'int8' || column.type === 'numeric') record[column.name] = String(value);
    else record[column.name] = JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  });
  return record;
}

describe('decodeCopyRecords', () => {
  it('reads quote rows back as parking records, in order', () => {
    const rows = [1, 2, 3].map((i) => quoteTickRow(quote(i), meta(i)));
    const records = decodeCopyRecords(columnsOf('quote_ticks'), encode('quote_ticks', rows));
    expect(records).toEqual(rows.map((row) => expectedRecord('quote_ticks', row)));
    // Spot checks against the fixture itself, so the expectation above is not the only judge.
    expect(records[0]).toMatchObject({ symbol: 'BTCUSDT', bid_price: '60001.10', bid_size: '0.12345678', ask_size: '3', seq: '1' });
    expect(records[0]?.['ts_ns']).toBe(quote(1).eventTime.toString());
    expect(records[0]?.['ts']).toBe(((quote(1).eventTime / 1000n) * 1000n).toString());
  });

  it('reads every column type: int4, bool, jsonb, nullable columns, text with any characters', () => {
    const spec = orderSpec('o1', { reduceOnly: true });
    const cases: [TableName, CopyRow][] = [
      ['bars', barRow(bar(DAY0, 60, ['1', '2', '0.5', '1.50', '10']))],
      ['orders', orderRow(orderEvent(spec, 2, 'ACCEPTED', '0', { venueOrderId: 'v1' }))],
      ['orders', orderRow(orderEvent(orderSpec('o2'), 1, 'SUBMITTED'))],
      ['fills', fillRow(fill('e1', DAY0 + SECOND))],
      ['alerts', alertRow({ ...alert, message: 'nul \u0000, quote ", é, 😀' }, DAY0 + 5n)],
    ];
    for (const [table, row] of cases) {
      expect(decodeCopyRecords(columnsOf(table), encode(table, [row]))).toEqual([expectedRecord(table, row)]);
    }
  });

  it('keeps the exact digits and scale of decimals of any size and sign', () => {
    const texts = ['0', '0.00', '-0.005', '1200', '10000', '0.000000000000001', '-99999999.99990000', '123456789012345678901234.5678901'];
    const rows = texts.map((text, i) => quoteTickRow({ ...quote(i + 1), bidPrice: d(text) }, meta(i + 1)));
    const records = decodeCopyRecords(columnsOf('quote_ticks'), encode('quote_ticks', rows));
    expect(records.map((r) => r['bid_price'])).toEqual(texts);
  });

  it('refuses bytes that are not rows of the columns given', () => {
    const bytes = encode('quote_ticks', [quoteTickRow(quote(1), meta(1))]);
    expect(() => decodeCopyRecords(columnsOf('alerts'), bytes)).toThrow(StorageError);
    expect(() => decodeCopyRecords(columnsOf('quote_ticks'), bytes.subarray(0, bytes.length - 3))).toThrow(/expected \d+ bytes of column/);
  });
});
