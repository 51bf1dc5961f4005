import { topics } from '@ttquant/bus';
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
});
