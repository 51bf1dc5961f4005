import { topics, type BusMessage } from '@ttquant/bus';
import { encodePayload, wire } from '@ttquant/protocol';
import type { ParkDestination } from '@ttquant/storage';
import { MessageParker, PARKED_MESSAGES_TABLE, parkedMessageRecord } from './message-parking';
import { BusMessages, quote } from './testing/fixtures';

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
      parkRecords: (...args: unknown[]) => {
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
    expect(calls).toEqual([[PARKED_MESSAGES_TABLE, [parkedMessageRecord(message)], 'unstorable: expected a known venue, was SIM', undefined, 0]]);
  });

  it('parks a message once: the same one delivered again (a replay) is not parked or alerted twice', async () => {
    const parkedJson = new Set<string>();
    const parker = new MessageParker(
      {
        parkRecords: async (_table, records) => {
          for (const record of records) parkedJson.add(JSON.stringify(record));
          return 'table';
        },
      },
      async (prefix) => [...parkedJson].some((json) => json.startsWith(prefix)),
    );
    const message = bus.of(topics.tick('SIM', 'ACME'), { kind: 'quote', value: quote(3) });
    expect(await parker.park(message, 'payload', 'no prices')).toBe('table');
    // Delivered again with another event time: the same stream position, so the same message.
    // (Bus messages read their fields lazily: the copy keeps them and overrides only the event time.)
    const again = Object.defineProperty(Object.create(message) as BusMessage, 'eventTimeNs', { value: message.eventTimeNs + 1n });
    expect(parkedMessageRecord(again).eventTimeNs).not.toBe(parkedMessageRecord(message).eventTimeNs);
    expect(await parker.park(again, 'payload', 'no prices')).toBeUndefined();
    expect(await parker.park(bus.of(topics.tick('SIM', 'ACME'), { kind: 'quote', value: quote(4) }), 'payload', 'no prices')).toBe('table');
    expect(parkedJson.size).toBe(2);
  });
});
