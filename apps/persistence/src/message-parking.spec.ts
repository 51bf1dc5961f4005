import { topics, type BusMessage } from '@ttquant/bus';
import { encodePayload, wire } from '@ttquant/protocol';
import { migrate, MIGRATIONS, RowParker, silentLogger, type Migration, type ParkDestination, type ParkedRows } from '@ttquant/storage';
import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { MessageParker, PARKED_MESSAGES_TABLE, parkedMessageKey, parkedMessageRecord } from './message-parking';
import { BusMessages, quote } from './testing/fixtures';

const DATABASE_URL = process.env['TTQ_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('MessageParker', () => {
  const bus = new BusMessages({ service: 'market-data', instance: 'md-1' }, 42n);

  it('keeps a message whole: stream position and a payload that decodes to what arrived', () => {
    const message = bus.of(topics.tick('SIM', 'ACME'), { kind: 'quote', value: quote(1) });
    const record = parkedMessageRecord(message);
    expect(record).toMatchObject({ topic: topics.tick('SIM', 'ACME'), sourceService: 'market-data', sourceInstance: 'md-1', epoch: '42', sequence: 1 });
    const decoded = wire.Payload.decode(Buffer.from(record.payloadBase64, 'base64'));
    expect(wire.Payload.toObject(decoded)).toEqual(wire.Payload.toObject(wire.Payload.decode(wire.Payload.encode(encodePayload({ kind: 'quote', value: quote(1) })).finish())));
  });

  it('parks it with the reason, and waits for parks under way on idle()', async () => {
    const calls: unknown[][] = [];
    let finish: (() => void) | undefined;
    const parker = new MessageParker({
      parkKeyed: (...args: unknown[]) => {
        calls.push(args);
        return new Promise<ParkDestination>((resolve) => (finish = () => resolve('table')));
      },
    });
    const message = bus.of(topics.tick('SIM', 'ACME'), { kind: 'quote', value: quote(2) });
    const parked = parker.park(message, 'unstorable', 'expected a known venue, was SIM');
    let idle = false;
    const waiting = parker.idle().then(() => (idle = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(false);
    finish?.();
    await waiting;
    expect(await parked).toBe('table');
    const record = parkedMessageRecord(message);
    expect(calls).toEqual([[PARKED_MESSAGES_TABLE, [{ key: parkedMessageKey(record), record }], 'unstorable: expected a known venue, was SIM', undefined, 0]]);
    expect(JSON.parse(parkedMessageKey(record))).toEqual({ topic: record.topic, sourceService: 'market-data', sourceInstance: 'md-1', epoch: '42', sequence: 2 });
  });
});

describe('MessageParker against PostgreSQL', () => {
  const bus = new BusMessages({ service: 'market-data', instance: 'md-1' }, 42n);
  const schemas: { name: string; pool: Pool }[] = [];

  /** A private schema migrated with `migrations`; dropped after the spec. */
  async function migratedSchema(migrations: readonly Migration[] = MIGRATIONS): Promise<Pool> {
    const name = `ttq_test_${randomBytes(6).toString('hex')}`;
    await admin((client) => client.query(`CREATE SCHEMA ${name}`));
    const pool = new Pool({ connectionString: DATABASE_URL, max: 4, options: `-c search_path=${name}` });
    schemas.push({ name, pool });
    await migrate(pool, { partitionDaysAhead: 0, migrations });
    return pool;
  }

  async function admin(run: (client: Client) => Promise<unknown>): Promise<void> {
    const client = new Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      await run(client);
    } finally {
      await client.end();
    }
  }

  afterAll(async () => {
    for (const { name, pool } of schemas) {
      await pool.end();
      await admin((client) => client.query(`DROP SCHEMA ${name} CASCADE`));
    }
  });

  async function parkedRows(pool: Pool): Promise<{ park_key: string | null; row_json: string }[]> {
    return (await pool.query<{ park_key: string | null; row_json: string }>('SELECT park_key, row_json FROM ttq_parked_rows ORDER BY id')).rows;
  }

  /** The same message delivered again with another event time: the same stream position, so the same message. */
  function againOf(message: BusMessage): BusMessage {
    // Bus messages read their fields lazily: the copy keeps them and overrides only the event time.
    return Object.defineProperty(Object.create(message) as BusMessage, 'eventTimeNs', { value: message.eventTimeNs + 1n });
  }

  it('parks a message once, keyed by its stream position, however often and however concurrently it is delivered', async () => {
    const pool = await migratedSchema();
    const alerts: ParkedRows[] = [];
    const parker = new MessageParker(new RowParker(pool, silentLogger, undefined, (parked) => void alerts.push(parked)));
    const message = bus.of(topics.tick('SIM', 'ACME'), { kind: 'quote', value: quote(3) });
    const again = againOf(message);
    expect(parkedMessageRecord(again).eventTimeNs).not.toBe(parkedMessageRecord(message).eventTimeNs);
    // Live and replayed copies racing: one is parked, the other recognised.
    const racing = await Promise.all([parker.park(message, 'payload', 'no prices'), parker.park(again, 'payload', 'no prices')]);
    expect(racing.sort()).toEqual(['table', undefined]);
    expect(await parker.park(again, 'payload', 'no prices')).toBeUndefined();
    const other = bus.of(topics.tick('SIM', 'ACME'), { kind: 'quote', value: quote(4) });
    expect(await parker.park(other, 'payload', 'no prices')).toBe('table');
    await parker.idle();
    const rows = await parkedRows(pool);
    expect(rows.map((row) => row.park_key)).toEqual([parkedMessageKey(parkedMessageRecord(message)), parkedMessageKey(parkedMessageRecord(other))]);
    expect(alerts.map((alert) => alert.rows.length)).toEqual([1, 1]);
    // The lookup is the unique key on (table_name, park_key), not a scan of the table.
    const index = await pool.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexname = 'ttq_parked_rows_key'`);
    expect(index.rows.map((row) => row.indexdef)).toEqual([expect.stringMatching(/CREATE UNIQUE INDEX .* \(table_name, park_key\)$/)]);
  });

  it('recognises a message parked before the key existed: the migration gave it its stream position', async () => {
    const before = MIGRATIONS.filter((migration) => migration.version < 3);
    const pool = await migratedSchema(before);
    const oldParker = new RowParker(pool, silentLogger, undefined, undefined);
    const message = bus.of(topics.tick('SIM', 'AC"ME\\'), { kind: 'quote', value: quote(5) }); // quotes and backslashes escaped in JSON
    // Parked twice, as the check-then-insert parker could when a live and a replayed copy raced.
    for (let i = 0; i < 2; i++) await oldParker.parkRecords(PARKED_MESSAGES_TABLE, [{ ...parkedMessageRecord(message) }], 'payload: no prices', undefined, 0);
    await migrate(pool, { partitionDaysAhead: 0 });
    const parker = new MessageParker(new RowParker(pool, silentLogger, undefined, undefined));
    expect(await parker.park(againOf(message), 'payload', 'no prices')).toBeUndefined();
    expect((await parkedRows(pool)).map((row) => row.park_key)).toEqual([parkedMessageKey(parkedMessageRecord(message)), null]);
  });
});
