import { Decimal } from '@ttquant/domain';
import { Client } from 'pg';
import { EncodeError } from '../errors';
import { nanosToPgMicros } from '../pg-time';
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

  /** One field as PostgreSQL's int8send writes it: length 8, then the value big-endian. */
  function int8Field(value: bigint): Buffer {
    const field = Buffer.alloc(12);
    field.writeInt32BE(8, 0);
    field.writeBigInt64BE(value, 4);
    return field;
  }

  /** The bytes of a one-column row holding `value`. */
  function rowBytes(type: CopyColumn['type'], value: CopyRow[number]): Buffer {
    const encoder = new BinaryCopyEncoder([{ name: 'v', type }], 16);
    encoder.addRow([value]);
    return Buffer.from(encoder.slice(0, 1));
  }

  const FIELD_COUNT_1 = Buffer.from([0, 1]);

  it.each([
    0n,
    -1n,
    1n,
    4_294_967_295n,
    4_294_967_296n,
    -4_294_967_296n,
    -4_294_967_297n,
    1_709_251_200_123_456_789n,
    9_223_372_036_854_775_807n,
    -9_223_372_036_854_775_808n,
  ])('int8 %p as a bigint and (when safe) a number is its big-endian bytes', (value) => {
    const expected = Buffer.concat([FIELD_COUNT_1, int8Field(value)]);
    expect(rowBytes('int8', value)).toEqual(expected);
    if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) {
      expect(rowBytes('int8', Number(value))).toEqual(expected);
    }
  });

  it('int8 edges: the safe-integer limits as numbers; beyond int64 or unsafe numbers are refused', () => {
    for (const value of [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, -1, -(2 ** 32) - 5]) {
      expect(rowBytes('int8', value)).toEqual(Buffer.concat([FIELD_COUNT_1, int8Field(BigInt(value))]));
    }
    const encoder = new BinaryCopyEncoder([{ name: 'v', type: 'int8' }]);
    expect(() => encoder.addRow([2n ** 63n])).toThrow('column v: expected a bigint within int64 (int8), was 9223372036854775808n');
    expect(() => encoder.addRow([2 ** 53])).toThrow('column v: expected a bigint or safe integer (int8), was 9007199254740992');
    expect(encoder.rowCount).toBe(0);
  });

  it.each([
    0n,
    -1n,
    -999n,
    -1_000n,
    -1_001n,
    999n,
    946_684_800_000_000_000n,
    1_709_251_200_123_456_789n,
    -62_135_596_800_000_000_001n,
    9_000_000_000_000_000_000_000n,
  ])('timestamptz %p ns is microseconds since 2000 rounded down', (nanos) => {
    expect(rowBytes('timestamptz', nanos)).toEqual(Buffer.concat([FIELD_COUNT_1, int8Field(nanosToPgMicros(nanos))]));
  });

  it('refuses a timestamptz whose microseconds do not fit int64', () => {
    const encoder = new BinaryCopyEncoder([{ name: 'ts', type: 'timestamptz' }]);
    expect(() => encoder.addRow([10n ** 25n])).toThrow(
      'column ts: expected nanoseconds within int64 microseconds (timestamptz), was 10000000000000000000000000n',
    );
    expect(encoder.byteLength).toBe(0);
  });

  it.each([
    '',
    'BTC/USDT',
    'md.tick.binance.BTC/USDT',
    'Zürich',
    'abc€',
    'rocket 🚀',
    '\u007f\u0080',
    'a'.repeat(64),
    `${'a'.repeat(63)}é`,
    `${'b'.repeat(200)}ü`,
    'x'.repeat(5000),
  ])('text %p is its UTF-8 bytes, also as jsonb after the version byte', (text) => {
    const utf8 = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(4);
    length.writeInt32BE(utf8.length, 0);
    expect(rowBytes('text', text)).toEqual(Buffer.concat([FIELD_COUNT_1, length, utf8]));
    const json = Buffer.from(JSON.stringify(text), 'utf8');
    const jsonLength = Buffer.alloc(4);
    jsonLength.writeInt32BE(json.length + 1, 0);
    expect(rowBytes('jsonb', text)).toEqual(Buffer.concat([FIELD_COUNT_1, jsonLength, Buffer.from([1]), json]));
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

    it('stores int8 numbers and times before 1970 and far ahead exactly', async () => {
      await client.query('CREATE TEMP TABLE copy_edges (i8 int8, ts timestamptz)');
      const rows: CopyRow[] = [
        [-(2 ** 32) - 5, -1n],
        [Number.MAX_SAFE_INTEGER, -1_001n],
        [Number.MIN_SAFE_INTEGER, 9_000_000_000_000_000_000_000n],
        [0, 1_709_251_200_123_456_789n],
      ];
      const encoder = new BinaryCopyEncoder([
        { name: 'i8', type: 'int8' },
        { name: 'ts', type: 'timestamptz' },
      ]);
      for (const row of rows) encoder.addRow(row);
      await copyChunks(client, 'COPY copy_edges FROM STDIN (FORMAT binary)', [COPY_HEADER, encoder.slice(0, encoder.rowCount), COPY_TRAILER]);
      const result = await client.query<{ i8: string; micros: string }>(
        'SELECT i8::text AS i8, (extract(epoch FROM ts) * 1000000)::bigint::text AS micros FROM copy_edges',
      );
      expect(result.rows).toEqual([
        { i8: '-4294967301', micros: '-1' },
        { i8: '9007199254740991', micros: '-2' },
        { i8: '-9007199254740991', micros: '9000000000000000000' },
        { i8: '0', micros: '1709251200123456' },
      ]);
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
