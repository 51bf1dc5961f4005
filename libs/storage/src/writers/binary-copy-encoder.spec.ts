import { Decimal } from '@ttquant/domain';
import { Client } from 'pg';
import { EncodeError } from '../errors';
import { TEST_DATABASE_URL } from '../testing/test-schema';
import { BinaryCopyEncoder, COPY_HEADER, COPY_TRAILER, numericParts, type CopyColumn, type CopyRow } from './binary-copy-encoder';
import { copyChunks } from './copy-stream';

const d = (text: string): Decimal => Decimal.parse(text);

describe('numericParts', () => {
  it.each([
    ['0', [], 0, 0x0000, 0],
    ['0.000', [], 0, 0x0000, 3],
    ['1', [1], 0, 0x0000, 0],
    ['12345.678', [1, 2345, 6780], 1, 0x0000, 3],
    ['-0.0001', [1], -1, 0x4000, 4],
    ['0.00000001', [1], -2, 0x0000, 8],
    ['0.000001', [100], -2, 0x0000, 6],
    ['100000', [10], 1, 0x0000, 0],
    ['1.50', [1, 5000], 0, 0x0000, 2],
    ['99999999.99999999', [9999, 9999, 9999, 9999], 1, 0x0000, 8],
  ])('%s is digits %j weight %i', (text, digits, weight, sign, dscale) => {
    expect(numericParts(d(text))).toEqual({ digits, weight, sign, dscale });
  });

  it('expands a positive exponent into whole digits', () => {
    expect(numericParts(Decimal.of(25n, 6))).toEqual({ digits: [2500], weight: 1, sign: 0, dscale: 0 });
  });
});

describe('BinaryCopyEncoder', () => {
  const columns: CopyColumn[] = [
    { name: 'n', type: 'numeric' },
    { name: 't', type: 'text' },
    { name: 'i4', type: 'int4' },
    { name: 'i8', type: 'int8' },
    { name: 'ts', type: 'timestamptz' },
    { name: 'b', type: 'bool' },
    { name: 'j', type: 'jsonb' },
  ];

  it('names the column, what it takes and what it got', () => {
    const encoder = new BinaryCopyEncoder(columns);
    const row = [d('1'), 'x', 1.5, 1n, 1n, true, {}];
    expect(() => encoder.addRow(row)).toThrow(new EncodeError('column i4: expected an integer within int32 (int4), was 1.5'));
    expect(() => encoder.addRow([d('1'), 'x', 1, 1n, 17, true, {}])).toThrow(
      'column ts: expected bigint Unix nanoseconds (timestamptz), was 17',
    );
    expect(() => encoder.addRow([d('1')])).toThrow('expected a row of 7 values, was 1');
    // A failed row leaves nothing behind.
    expect(encoder.rowCount).toBe(0);
    expect(encoder.byteLength).toBe(0);
  });

  it('grows its buffer and slices rows by index', () => {
    const encoder = new BinaryCopyEncoder([{ name: 't', type: 'text' }], 8);
    for (let i = 0; i < 100; i++) encoder.addRow([`row ${i}`]);
    expect(encoder.rowCount).toBe(100);
    // Row 10: int16 field count, int32 length, 6 bytes of text.
    expect(encoder.slice(10, 11)).toEqual(Buffer.concat([Buffer.from([0, 1, 0, 0, 0, 6]), Buffer.from('row 10')]));
    expect(encoder.sliceLength(0, 100)).toBe(encoder.byteLength);
  });

  describe('against PostgreSQL', () => {
    let client: Client;

    beforeAll(async () => {
      client = new Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(
        'CREATE TEMP TABLE copy_types (n numeric, t text, i4 int4, i8 int8, ts timestamptz, b bool, j jsonb)',
      );
    });

    afterAll(async () => {
      await client.end();
    });

    it('writes every column type so that the server reads back the same values', async () => {
      const rows: CopyRow[] = [
        [d('60000.10'), 'BTCUSDT', 2147483647, 9223372036854775807n, 1_709_251_200_123_456_789n, true, { a: [1, 'x', null] }],
        [d('-0.00000001'), 'Zürich €', -2147483648, -9223372036854775808n, 946_684_800_000_000_000n, false, [d('1.50')]],
        [d('0.000'), '', 0, 0, 0n, true, 'plain string'],
        [d('12345678901234567890.123456789012345678'), 'a\tb\nc', 1, 1n, 1_000n, false, { nested: { deep: true } }],
        [Decimal.of(25n, 6), null, null, null, null, null, null],
      ];
      const encoder = new BinaryCopyEncoder(columns);
      for (const row of rows) encoder.addRow(row);
      const count = await copyChunks(
        client,
        'COPY copy_types FROM STDIN (FORMAT binary)',
        [COPY_HEADER, encoder.slice(0, encoder.rowCount), COPY_TRAILER],
      );
      expect(count).toBe(rows.length);

      const result = await client.query<Record<string, unknown>>(
        `SELECT n::text, t, i4, i8::text, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS ts, b, j
           FROM copy_types`,
      );
      expect(result.rows).toEqual([
        { n: '60000.10', t: 'BTCUSDT', i4: 2147483647, i8: '9223372036854775807', ts: '2024-03-01T00:00:00.123456', b: true, j: { a: [1, 'x', null] } },
        { n: '-0.00000001', t: 'Zürich €', i4: -2147483648, i8: '-9223372036854775808', ts: '2000-01-01T00:00:00.000000', b: false, j: ['1.50'] },
        { n: '0.000', t: '', i4: 0, i8: '0', ts: '1970-01-01T00:00:00.000000', b: true, j: 'plain string' },
        { n: '12345678901234567890.123456789012345678', t: 'a\tb\nc', i4: 1, i8: '1', ts: '1970-01-01T00:00:00.000001', b: false, j: { nested: { deep: true } } },
        { n: '25000000', t: null, i4: null, i8: null, ts: null, b: null, j: null },
      ]);
    });
  });
});

describe('BinaryCopyEncoder numerics', () => {
  /** The bytes numericParts describes, as PostgreSQL's numeric_send writes them. */
  function expectedBytes(value: Decimal): Buffer {
    const { digits, weight, sign, dscale } = numericParts(value);
    const buf = Buffer.alloc(2 + 4 + 8 + digits.length * 2);
    buf.writeInt16BE(1, 0);
    buf.writeInt32BE(8 + digits.length * 2, 2);
    buf.writeInt16BE(digits.length, 6);
    buf.writeInt16BE(weight, 8);
    buf.writeUInt16BE(sign, 10);
    buf.writeInt16BE(dscale, 12);
    digits.forEach((digit, i) => buf.writeInt16BE(digit, 14 + i * 2));
    return buf;
  }

  it('encodes small values on the fast path exactly like the general one', () => {
    let seed = 42;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const values = ['0', '-0.00', '1', '-1', '9999', '10000', '0.0001', '123456789.123', '8796093022208', '-0.000000000001'];
    for (let i = 0; i < 2000; i++) {
      const mantissa = BigInt(Math.floor(random() * 2 ** 43)) * (random() < 0.3 ? -1n : 1n);
      values.push(Decimal.of(mantissa, -Math.floor(random() * 13)).toString());
    }
    for (const text of values) {
      const encoder = new BinaryCopyEncoder([{ name: 'n', type: 'numeric' }]);
      encoder.addRow([d(text)]);
      expect({ text, bytes: encoder.slice(0, 1) }).toEqual({ text, bytes: expectedBytes(d(text)) });
    }
  });
});
