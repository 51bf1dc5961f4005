import type { BusMessage } from '@ttquant/bus';
import { topics } from '@ttquant/bus';
import { shardOf, type StreamProgress } from '@ttquant/storage';
import type { MissingRange } from './replay-recovery';
import { ShardedStore } from './sharded-store';
import { StreamLedger } from './stream-ledger';

const source = { service: 'market-data', instance: 'md-1' };
const logger = { info: () => undefined, warn: () => undefined };
const SHARDS = 16;

/** Two topics of one publisher that land in different shards. */
function topicsInTwoShards(): [string, string] {
  const first = topics.tick('SIM', 'S0');
  const firstShard = shardOf({ ...source, topic: first }, SHARDS);
  for (let i = 1; ; i++) {
    const other = topics.tick('SIM', `S${i}`);
    if (shardOf({ ...source, topic: other }, SHARDS) !== firstShard) return [first, other];
  }
}

function message(topic: string, sequence: number, epoch = 7n, payload: object = { quote: {} }): BusMessage {
  return { topic, sequence, epoch, source, payload } as unknown as BusMessage;
}

function setup(held: Set<number>, recorded: StreamProgress[] = []) {
  const routed: string[] = [];
  const requests: MissingRange[] = [];
  const ledger = new StreamLedger();
  const store = new ShardedStore({
    shardCount: SHARDS,
    holds: (shard) => held.has(shard),
    route: (m) => void routed.push(`${m.topic}#${m.sequence}`),
    ledger,
    replay: { request: (range) => void requests.push(range) },
    progress: {
      load: async (s) => recorded.find((r) => r.topic === s.topic && r.epoch === s.epoch)?.seq ?? 0,
      latest: async () => recorded,
    },
    stored: (topic) => topic.startsWith('md.tick.'),
    replayable: (service) => service === 'market-data',
    logger,
  });
  return { routed, requests, ledger, store };
}

describe('ShardedStore', () => {
  const [mine, theirs] = topicsInTwoShards();
  const myShard = shardOf({ ...source, topic: mine }, SHARDS);
  const theirShard = shardOf({ ...source, topic: theirs }, SHARDS);

  it('stores only the streams of its shards and notes each stored sequence', async () => {
    const { routed, ledger, store } = setup(new Set([myShard]));
    await store.handle(message(mine, 1));
    await store.handle(message(theirs, 1));
    await store.handle(message(mine, 2));
    expect(routed).toEqual([`${mine}#1`, `${mine}#2`]);
    expect(store.counts.foreign).toBe(1);
    expect(ledger.contiguous({ ...source, topic: mine }, 7n)).toBe(2);
  });

  it('keeps two publishers of one topic apart', async () => {
    const held = new Set(Array.from({ length: SHARDS }, (_, shard) => shard));
    const { routed, ledger, store } = setup(held);
    const other = { service: 'market-data', instance: 'md-2' };
    await store.handle(message(mine, 1));
    await store.handle({ ...message(mine, 5), source: other } as BusMessage);
    await store.handle(message(mine, 2));
    expect(routed).toEqual([`${mine}#1`, `${mine}#5`, `${mine}#2`]);
    expect(ledger.contiguous({ ...source, topic: mine }, 7n)).toBe(2);
    expect(ledger.contiguous({ ...other, topic: mine }, 7n)).toBe(0); // 1..4 of md-2 not seen
    expect(ledger.highest({ ...other, topic: mine }, 7n)).toBe(5);
    expect(store.streamCount).toBe(2);
  });

  it('on a stream start, fetches from the stored progress instead of from 1', async () => {
    const { requests, store } = setup(new Set([myShard]), [{ ...source, topic: mine, epoch: 7n, seq: 40 }]);
    store.onStreamStart({ stream: 's', source, topic: mine, epoch: 7n, firstSequence: 50, restarted: false });
    store.onStreamStart({ stream: 's', source, topic: theirs, epoch: 7n, firstSequence: 50, restarted: false });
    await new Promise((resolve) => setImmediate(resolve));
    expect(requests).toEqual([{ ...source, topic: mine, epoch: 7n, from: 41, to: 49 }]);
  });

  it('asks nothing for a stream that starts at 1, and fetches every gap of its own shards', async () => {
    const { requests, store } = setup(new Set([myShard]));
    store.onStreamStart({ stream: 's', source, topic: mine, epoch: 7n, firstSequence: 1, restarted: false });
    await new Promise((resolve) => setImmediate(resolve));
    expect(requests).toEqual([]);
    store.onGap({ stream: 's', source, topic: mine, epoch: 7n, from: 20, to: 22 });
    store.onGap({ stream: 's', source, topic: theirs, epoch: 7n, from: 5, to: 6 }); // another worker's
    expect(requests).toEqual([{ ...source, topic: mine, epoch: 7n, from: 20, to: 22 }]);
  });

  it('on gaining a shard, fetches each of its streams from the stored progress to the journal end', async () => {
    const held = new Set([myShard]);
    const { routed, requests, store } = setup(held, [{ ...source, topic: theirs, epoch: 7n, seq: 12 }]);
    await store.handle(message(theirs, 30)); // seen while another worker held it
    held.add(theirShard);
    await store.onGained([theirShard]);
    expect(requests).toEqual([{ ...source, topic: theirs, epoch: 7n, from: 13, to: undefined }]);
    await store.handle(message(theirs, 31));
    expect(routed).toEqual([`${theirs}#31`]);
  });

  it("fetches the end of a publisher's previous run once a newer run appears", async () => {
    const { requests, store } = setup(new Set([myShard]));
    for (let seq = 1; seq <= 3; seq++) await store.handle(message(mine, seq, 7n));
    await store.handle(message(mine, 1, 8n)); // restarted: 4.. of run 7 may be journaled but never delivered
    expect(requests).toEqual([{ ...source, topic: mine, epoch: 7n, from: 4, to: undefined }]);
    await store.handle(message(mine, 5, 7n)); // that end arriving changes nothing for run 8
    await store.handle(message(mine, 2, 8n));
    expect(requests).toHaveLength(1);
    expect(store.counts.previousRuns).toBe(1);
  });

  it("lets the ledger drop a previous run once its fetch to the journal's end is over and checkpointed", async () => {
    const { requests, ledger, store } = setup(new Set([myShard]));
    for (let seq = 1; seq <= 3; seq++) await store.handle(message(mine, seq, 7n));
    await store.handle(message(mine, 1, 8n));
    const [previousRun] = requests;
    expect(previousRun).toEqual({ ...source, topic: mine, epoch: 7n, from: 4, to: undefined });
    await store.handle(message(mine, 4, 7n)); // its end, replayed
    store.onSettled({ ...source, topic: mine, epoch: 7n, from: 4, to: 9 }); // a bounded range says nothing of the end
    ledger.markSaved(ledger.unsaved());
    expect(ledger.replacedRuns).toBe(1);
    store.onSettled(previousRun as MissingRange);
    expect(ledger.replacedRuns).toBe(0);
  });

  it('lets the ledger drop a previous run of a publisher without a journal once it is checkpointed', async () => {
    const { requests, ledger, store } = setup(new Set(Array.from({ length: SHARDS }, (_, shard) => shard)));
    const gateway = { service: 'gateway', instance: 'gw-1' };
    const order = (sequence: number, epoch: bigint) => ({ ...message(topics.order('A1'), sequence, epoch), source: gateway }) as BusMessage;
    for (let seq = 1; seq <= 3; seq++) await store.handle(order(seq, 7n));
    await store.handle(order(1, 8n)); // restarted: nothing to fetch its previous run from
    expect(requests).toEqual([]);
    expect(ledger.replacedRuns).toBe(1);
    ledger.markSaved(ledger.unsaved());
    expect(ledger.replacedRuns).toBe(0);
  });

  it('on gaining a shard whose recorded run is older than the one on the bus, fetches both', async () => {
    const held = new Set([myShard]);
    const { requests, store } = setup(held, [{ ...source, topic: theirs, epoch: 7n, seq: 12 }]);
    await store.handle(message(theirs, 3, 9n)); // seen while another worker held it
    held.add(theirShard);
    await store.onGained([theirShard]);
    expect(requests).toEqual([
      { ...source, topic: theirs, epoch: 7n, from: 13, to: undefined },
      { ...source, topic: theirs, epoch: 9n, from: 1, to: undefined },
    ]);
  });

  it("fetches a stream's lost tail announced in the publisher's heartbeats", async () => {
    const { requests, store } = setup(new Set([myShard]));
    for (let seq = 1; seq <= 5; seq++) await store.handle(message(mine, seq));
    const beat = (head: number) =>
      message(topics.status('market-data', 'md-1'), head, 7n, { heartbeat: { info: { streamHeads: `${mine}=${head} ${theirs}=99` } } });
    await store.handle(beat(8)); // 6..8 may still be on their way
    expect(requests).toEqual([]);
    await store.handle(beat(8)); // one beat later they are not: lost
    expect(requests).toEqual([{ ...source, topic: mine, epoch: 7n, from: 6, to: 8 }]);
    await store.handle(beat(8));
    expect(requests).toHaveLength(1); // asked once
    expect(store.counts.tails).toBe(1);
  });

  it('asks again for a hole still open a whole sweep later, and leaves a filled or fresh one alone', async () => {
    const { requests, store } = setup(new Set([myShard]));
    for (const seq of [1, 2, 6, 7]) await store.handle(message(mine, seq)); // 3..5 missing
    for (const seq of [1, 4]) await store.handle(message(theirs, seq)); // another worker's: not asked for
    store.sweepHoles(); // first seen: its own request may still be under way
    expect(requests).toEqual([]);
    store.sweepHoles(); // still open: the request failed for good
    expect(requests).toEqual([{ ...source, topic: mine, epoch: 7n, from: 3, to: 5 }]);
    for (const seq of [3, 4, 5]) await store.handle(message(mine, seq));
    await store.handle(message(mine, 9)); // a new hole, 8
    store.sweepHoles();
    expect(requests).toHaveLength(1);
    expect(store.counts.staleHoles).toBe(1);
  });

  it('stops storing shards being handed over, and resumes them if the hand-over fails', async () => {
    const { routed, store } = setup(new Set([myShard]));
    store.suspend([myShard]);
    await store.handle(message(mine, 1));
    store.resume([myShard]);
    await store.handle(message(mine, 2));
    expect(routed).toEqual([`${mine}#2`]);
  });
});
