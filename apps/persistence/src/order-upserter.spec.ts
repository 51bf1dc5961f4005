import type { OrderEvent } from '@ttquant/domain';
import { classifyFailure } from '@ttquant/storage';
import { OrderUpserter } from './order-upserter';
import { orderEvent } from './testing/fixtures';

/** Records what is written, in call order with the events-stored barrier. */
function recorder() {
  const calls: string[] = [];
  const batches: OrderEvent[][] = [];
  let fail = false;
  return {
    calls,
    batches,
    failNext: () => (fail = true),
    eventsStored: async () => void calls.push('eventsStored'),
    upsert: async (events: readonly OrderEvent[]) => {
      calls.push('upsert');
      if (fail) {
        fail = false;
        throw new Error('connection refused');
      }
      batches.push([...events]);
      return events.length;
    },
  };
}

const summary = (events: readonly OrderEvent[] | undefined) =>
  (events ?? []).map((e) => `${e.order.spec.clientOrderId}#${e.eventSequence}`).sort();

describe('OrderUpserter', () => {
  it('writes each order once with its newest event, after the events are stored', async () => {
    const io = recorder();
    const upserter = new OrderUpserter({ ...io, intervalMs: 60_000 });
    upserter.add(orderEvent('a', 1, 'SUBMITTED'));
    upserter.add(orderEvent('a', 3, 'FILLED', '10'));
    upserter.add(orderEvent('a', 2, 'ACCEPTED'));
    upserter.add(orderEvent('b', 1, 'SUBMITTED'));
    await upserter.flush();
    expect(io.calls).toEqual(['eventsStored', 'upsert']);
    expect(summary(io.batches[0])).toEqual(['a#3', 'b#1']);
    expect(upserter.stats).toEqual({ upserted: 2, failures: 0, pending: 0, parked: 0 });
    // Nothing pending: no write at all.
    await upserter.flush();
    expect(io.calls).toHaveLength(2);
  });

  it('parks an event the database refuses for its data and goes on writing every other order', async () => {
    const written: string[] = [];
    const parked: string[] = [];
    const refused = Object.assign(new Error('numeric field overflow'), { code: '22003' });
    const upserter = new OrderUpserter({
      eventsStored: async () => undefined,
      upsert: async (events) => {
        if (events.some((e) => e.order.spec.clientOrderId === 'bad')) throw refused;
        written.push(...summary(events));
        return events.length;
      },
      intervalMs: 60_000,
      refusedForData: (error) => classifyFailure(error) === 'row',
      park: async (events, error) => void parked.push(...summary(events).map((e) => `${e}: ${(error as Error).message}`)),
    });
    for (const id of ['a', 'b', 'bad', 'c', 'd']) upserter.add(orderEvent(id, 1, 'SUBMITTED'));
    await upserter.flush();
    expect(parked).toEqual(['bad#1: numeric field overflow']);
    expect(written.sort()).toEqual(['a#1', 'b#1', 'c#1', 'd#1']);
    // Later updates are not held back by the refused one.
    upserter.add(orderEvent('a', 2, 'ACCEPTED'));
    expect(await upserter.close()).toBe(true);
    expect(written).toContain('a#2');
    expect(upserter.stats).toMatchObject({ parked: 1, pending: 0, failures: 0 });
  });

  it('retries, never parks, a batch that failed for any other reason', async () => {
    const io = recorder();
    const parked: OrderEvent[] = [];
    const upserter = new OrderUpserter({
      ...io,
      intervalMs: 60_000,
      refusedForData: (error) => classifyFailure(error) === 'row',
      park: async (events) => void parked.push(...events),
    });
    upserter.add(orderEvent('a', 1, 'SUBMITTED'));
    io.failNext();
    await upserter.flush();
    expect(parked).toEqual([]);
    expect(upserter.stats).toMatchObject({ pending: 1, failures: 1 });
    expect(await upserter.close()).toBe(true);
  });

  it('keeps a failed batch for the next write, where newer events of the same order win', async () => {
    const errors: number[] = [];
    const io = recorder();
    const upserter = new OrderUpserter({ ...io, intervalMs: 60_000, onError: (_error, count) => errors.push(count) });
    upserter.add(orderEvent('a', 1, 'SUBMITTED'));
    upserter.add(orderEvent('b', 1, 'SUBMITTED'));
    io.failNext();
    await upserter.flush();
    expect(errors).toEqual([2]);
    expect(upserter.stats).toMatchObject({ failures: 1, pending: 2 });
    upserter.add(orderEvent('a', 2, 'ACCEPTED'));
    expect(await upserter.close()).toBe(true);
    expect(summary(io.batches[0])).toEqual(['a#2', 'b#1']);
  });

  it('makes the caller wait once too many orders are pending', async () => {
    const io = recorder();
    const upserter = new OrderUpserter({ ...io, intervalMs: 60_000, maxPending: 2 });
    expect(upserter.add(orderEvent('a', 1, 'SUBMITTED'))).toBeUndefined();
    const wait = upserter.add(orderEvent('b', 1, 'SUBMITTED'));
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(summary(io.batches[0])).toEqual(['a#1', 'b#1']);
  });

  it('writes on its own every interval once started, and says on close when orders are left', async () => {
    const io = recorder();
    let written!: () => void;
    const done = new Promise<void>((resolve) => (written = resolve));
    const upserter = new OrderUpserter({
      eventsStored: io.eventsStored,
      upsert: async (events) => {
        const n = await io.upsert(events);
        written();
        return n;
      },
      intervalMs: 5,
    });
    upserter.start();
    upserter.add(orderEvent('a', 1, 'SUBMITTED'));
    await done;
    expect(summary(io.batches[0])).toEqual(['a#1']);
    upserter.add(orderEvent('b', 1, 'SUBMITTED'));
    io.failNext();
    expect(await upserter.close()).toBe(false);
    expect(upserter.stats.pending).toBe(1);
  });
});
