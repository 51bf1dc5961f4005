import { REPLAY_METHOD, Replier, replayHandler, topics, type BusMessage } from '@ttquant/bus';
import { Decimal } from '@ttquant/domain';
import { JournaledPublisher } from '@ttquant/service-bus';
import { waitFor } from '@ttquant/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplayRecovery, type MissingRange } from './replay-recovery';
import { ShardedStore } from './sharded-store';
import { StreamLedger } from './stream-ledger';

const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const topic = topics.tick('SIM', 'ACME');

describe('ReplayRecovery', () => {
  let dir: string;
  let journal: JournaledPublisher;
  let replier: Replier;
  let endpoint: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ttq-replay-'));
    journal = new JournaledPublisher({ source: { service: 'market-data', instance: 'md1' }, journal: { dir } });
    for (let i = 1; i <= 25; i++) {
      journal.publish(topic, {
        kind: 'trade',
        value: {
          kind: 'trade',
          instrument: { venue: 'SIM', symbol: 'ACME' },
          price: Decimal.of(100 + i),
          size: Decimal.ONE,
          aggressor: 'BUYER',
          tradeId: `t${i}`,
          quality: 'SIMULATED',
          eventTime: BigInt(i),
          initTime: BigInt(i),
        },
      }, { eventTimeNs: BigInt(i), initTimeNs: BigInt(i) });
    }
    journal.journal.flush();
    replier = new Replier();
    endpoint = await replier.bind('tcp://127.0.0.1:*');
    void replier.serve({ [REPLAY_METHOD]: replayHandler((request) => journal.replay(request)) });
  });

  afterEach(async () => {
    replier.close();
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const source = { service: 'market-data', instance: 'md1' };

  it('fetches a range, in order, as live messages', async () => {
    const routed: BusMessage[] = [];
    const recovery = new ReplayRecovery({ endpoints: { 'market-data': endpoint }, route: (m) => void routed.push(m), logger });
    recovery.request({ ...source, topic, epoch: journal.epoch, from: 1, to: 10 });
    await recovery.close();
    expect(routed.map((m) => m.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(routed[0]).toMatchObject({ topic, epoch: journal.epoch, source, eventTimeNs: 1n });
    expect(routed[0]?.payload.trade?.tradeId).toBe('t1');
    expect(recovery.stats).toMatchObject({ recovered: 10, unrecoverable: 0, failures: 0 });
  });

  it('fills a gap, and counts what no journal can give', async () => {
    const routed: number[] = [];
    const recovery = new ReplayRecovery({ endpoints: { 'market-data': endpoint }, route: (m) => void routed.push(m.sequence), logger });
    recovery.request({ ...source, topic, epoch: journal.epoch, from: 20, to: 22 });
    recovery.request({ ...source, topic, epoch: journal.epoch + 1n, from: 1, to: 3 });
    recovery.request({ service: 'gateway', instance: 'g1', topic, epoch: 1n, from: 5, to: 6 });
    await recovery.close();
    expect(routed).toEqual([20, 21, 22]);
    expect(recovery.stats.recovered).toBe(3);
    expect(recovery.stats.unrecoverable).toBe(3 + 2); // unknown epoch; no endpoint for the gateway
  });

  it('fetches up to the journal end when asked open-ended (a tail nobody saw)', async () => {
    const routed: number[] = [];
    const recovery = new ReplayRecovery({ endpoints: { 'market-data': endpoint }, route: (m) => void routed.push(m.sequence), logger });
    recovery.request({ ...source, topic, epoch: journal.epoch, from: 21, to: undefined });
    recovery.request({ ...source, topic, epoch: journal.epoch, from: 26, to: undefined }); // nothing beyond the end
    expect(await recovery.close()).toBe(true);
    expect(routed).toEqual([21, 22, 23, 24, 25]);
    expect(recovery.stats).toMatchObject({ recovered: 5, unrecoverable: 0, failures: 0 });
  });

  it('reports what no journal can serve as given up, so completeness tracking moves past it', async () => {
    const givenUp: string[] = [];
    const recovery = new ReplayRecovery({
      endpoints: { 'market-data': endpoint },
      route: () => undefined,
      logger,
      onGivenUp: (_range, from, to) => void givenUp.push(`${from}-${to}`),
    });
    recovery.request({ ...source, topic, epoch: journal.epoch + 1n, from: 3, to: 9 }); // a run the journal never had
    await recovery.close();
    expect(givenUp).toEqual(['3-9']);
  });

  /** A replier on a free port answering replay requests with `answer`. */
  async function journalAnswering(answer: Parameters<Replier['serve']>[0]): Promise<{ endpoint: string; close(): void }> {
    const other = new Replier();
    const otherEndpoint = await other.bind('tcp://127.0.0.1:*');
    void other.serve(answer);
    return { endpoint: otherEndpoint, close: () => other.close() };
  }

  /** A recovery that records what it gives up, as `from-to`. */
  function recording(endpoints: Record<string, string>, routed: number[] = []) {
    const givenUp: string[] = [];
    const recovery = new ReplayRecovery({
      endpoints,
      route: (m) => void routed.push(m.sequence),
      logger,
      retryDelayMs: 10,
      onGivenUp: (_range, from, to) => void givenUp.push(`${from}-${to}`),
    });
    return { recovery, givenUp };
  }

  it('gives up, once, what a service without a replay endpoint missed: nothing could ever fill it', async () => {
    const { recovery, givenUp } = recording({ 'market-data': endpoint });
    recovery.request({ service: 'gateway', instance: 'g1', topic: topics.order('A1'), epoch: 1n, from: 5, to: 6 });
    recovery.request({ service: 'gateway', instance: 'g1', topic: topics.order('A1'), epoch: 1n, from: 9, to: undefined }); // no end to give up
    await recovery.close();
    expect(givenUp).toEqual(['5-6']);
    expect(recovery.stats).toMatchObject({ unrecoverable: 2, requests: 0 });
  });

  it('gives up a range whose answer cannot be read, instead of leaving it to be asked for forever', async () => {
    const garbled = await journalAnswering({ [REPLAY_METHOD]: () => Buffer.from([0xff, 0xff, 0xff, 0xff]) });
    const { recovery, givenUp } = recording({ 'market-data': garbled.endpoint });
    try {
      recovery.request({ ...source, topic, epoch: journal.epoch, from: 4, to: 8 });
      await recovery.drain();
      expect(givenUp).toEqual(['4-8']);
      expect(recovery.stats).toMatchObject({ requests: 1, failures: 1, retries: 0, unrecoverable: 5 });
    } finally {
      await recovery.close();
      garbled.close();
    }
  });

  it('keeps what came before a journal record that cannot be read, and gives up what follows it', async () => {
    const corrupt = await journalAnswering({
      [REPLAY_METHOD]: replayHandler((request) => {
        const response = journal.replay(request);
        const envelopes = [...(response.envelopes ?? [])];
        envelopes[2] = Buffer.from([0xff, 0xff, 0xff, 0xff]); // the third record (sequence 12) is damaged
        return { ...response, envelopes };
      }),
    });
    const routed: number[] = [];
    const { recovery, givenUp } = recording({ 'market-data': corrupt.endpoint }, routed);
    try {
      recovery.request({ ...source, topic, epoch: journal.epoch, from: 10, to: 15 });
      await recovery.drain();
      expect(routed).toEqual([10, 11]);
      expect(givenUp).toEqual(['12-15']);
      expect(recovery.stats).toMatchObject({ recovered: 2, unrecoverable: 4, retries: 0 });
    } finally {
      await recovery.close();
      corrupt.close();
    }
  });

  it('tells when a request is over for good: served or given up, not while it waits for a retry or when cut short', async () => {
    const settled: string[] = [];
    const silent = await journalAnswering({ [REPLAY_METHOD]: () => new Promise<Uint8Array>(() => undefined) });
    const recovery = new ReplayRecovery({
      endpoints: { 'market-data': endpoint, gateway: silent.endpoint },
      route: () => undefined,
      logger,
      timeoutMs: 50,
      retryDelayMs: 10,
      onSettled: (range) => void settled.push(`${range.service} ${range.epoch === journal.epoch ? 'run' : 'other run'} ${range.from}-${range.to ?? 'end'}`),
    });
    try {
      recovery.request({ ...source, topic, epoch: journal.epoch, from: 20, to: undefined }); // served to the journal's end
      recovery.request({ ...source, topic, epoch: journal.epoch + 1n, from: 1, to: undefined }); // a run the journal does not have
      recovery.request({ service: 'strategy-engine', instance: 's1', topic, epoch: journal.epoch, from: 1, to: 2 }); // nothing to ask
      recovery.request({ service: 'gateway', instance: 'g1', topic: topics.order('A1'), epoch: 1n, from: 1, to: 5 }); // never answered
      await waitFor(() => recovery.stats.retries >= 2, 'the unanswered request to be retried', 5_000, 5);
      expect(settled.sort()).toEqual(['market-data other run 1-end', 'market-data run 20-end', 'strategy-engine run 1-2']);
      await recovery.close(0);
      await recovery.drain();
      expect(settled).toHaveLength(3); // the unanswered one was cut short, not settled
    } finally {
      await recovery.close(0);
      silent.close();
    }
  });

  it('asks again with backoff when a request fails (timeout), and recovers the range', async () => {
    // A journal that answers its first request too late (a publisher busy restarting).
    let calls = 0;
    const slow = new Replier();
    const slowEndpoint = await slow.bind('tcp://127.0.0.1:*');
    void slow.serve({
      [REPLAY_METHOD]: replayHandler(async (request) => {
        if (calls++ === 0) await new Promise((resolve) => setTimeout(resolve, 400));
        return journal.replay(request);
      }),
    });
    const routed: number[] = [];
    const givenUp: number[] = [];
    const recovery = new ReplayRecovery({
      endpoints: { 'market-data': slowEndpoint },
      route: (m) => void routed.push(m.sequence),
      logger,
      timeoutMs: 100,
      retryDelayMs: 20,
      onGivenUp: (_range, from) => void givenUp.push(from),
    });
    try {
      recovery.request({ ...source, topic, epoch: journal.epoch, from: 4, to: 8 });
      recovery.request({ ...source, topic, epoch: journal.epoch, from: 4, to: 8 }); // asked again (a sweep) while outstanding: nothing added
      await waitFor(() => routed.length === 5, 'the retried request to bring the range', 5_000, 5);
      expect(routed).toEqual([4, 5, 6, 7, 8]);
      await recovery.drain();
      // Asked again once served: fetched again (what a sweep does for a hole still open).
      recovery.request({ ...source, topic, epoch: journal.epoch, from: 4, to: 8 });
      await waitFor(() => routed.length === 10, 'the range asked again after being served', 5_000, 5);
      // The replier answers one request at a time: retries made while it sleeps time out too.
      expect(recovery.stats.failures).toBeGreaterThanOrEqual(1);
      expect(recovery.stats).toMatchObject({ retries: recovery.stats.failures, recovered: 10 });
      expect(givenUp).toEqual([]); // a timeout is transient: never given up
    } finally {
      await recovery.close();
      slow.close();
    }
  });

  it('gives up waiting at close after its budget, instead of holding the shutdown', async () => {
    // A replier that never answers.
    const silent = new Replier();
    const silentEndpoint = await silent.bind('tcp://127.0.0.1:*');
    const recovery = new ReplayRecovery({ endpoints: { gateway: silentEndpoint }, route: () => undefined, logger, timeoutMs: 30_000 });
    recovery.request({ service: 'gateway', instance: 'g1', topic: topics.order('A1'), epoch: 1n, from: 1, to: 5 });
    const started = Date.now();
    expect(await recovery.close(200)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    silent.close();
  });

  describe('with the hole sweep', () => {
    /** Persistence's wiring: what is given up is noted in the ledger, so its hole closes. */
    function sweptStore(endpoints: Record<string, string>) {
      const ledger = new StreamLedger();
      const asked: MissingRange[] = [];
      const recovery = new ReplayRecovery({
        endpoints,
        route: () => undefined,
        logger,
        timeoutMs: 100,
        retryDelayMs: 10,
        onGivenUp: (range, from, to) => ledger.note(range, range.epoch, from, to),
      });
      const store = new ShardedStore({
        shardCount: 1,
        holds: () => true,
        route: () => undefined,
        ledger,
        replay: {
          request: (range) => {
            asked.push(range);
            recovery.request(range);
          },
        },
        progress: { load: async () => 0, latest: async () => [] },
        stored: () => true,
        replayable: (service) => endpoints[service] !== undefined,
        logger,
      });
      return { ledger, recovery, store, asked };
    }

    const at = (sequence: number, epoch: bigint, from = source) => ({ topic, sequence, epoch, source: from, payload: { trade: {} } }) as unknown as BusMessage;

    it('stops asking for a hole of a service without a replay endpoint once it was given up', async () => {
      const gateway = { service: 'gateway', instance: 'g1' };
      const { ledger, recovery, store, asked } = sweptStore({});
      for (const seq of [1, 2, 6]) await store.handle(at(seq, 3n, gateway));
      for (let sweep = 0; sweep < 5; sweep++) {
        store.sweepHoles();
        await recovery.drain();
      }
      expect(asked).toEqual([{ ...gateway, topic, epoch: 3n, from: 3, to: 5 }]);
      expect(ledger.holes()).toEqual([]);
      expect(ledger.contiguous({ ...gateway, topic }, 3n)).toBe(6);
      expect(recovery.stats.unrecoverable).toBe(3);
      await recovery.close();
    });

    it('stops asking for a hole whose journal answer cannot be read once it was given up', async () => {
      const garbled = await journalAnswering({ [REPLAY_METHOD]: () => Buffer.from([0xff, 0xff, 0xff, 0xff]) });
      const { ledger, recovery, store, asked } = sweptStore({ 'market-data': garbled.endpoint });
      try {
        for (const seq of [1, 2, 6]) await store.handle(at(seq, journal.epoch));
        for (let sweep = 0; sweep < 5; sweep++) {
          store.sweepHoles();
          await recovery.drain();
        }
        expect(asked).toEqual([{ ...source, topic, epoch: journal.epoch, from: 3, to: 5 }]);
        expect(ledger.holes()).toEqual([]);
        expect(store.counts.staleHoles).toBe(1);
        expect(recovery.stats.unrecoverable).toBe(3);
      } finally {
        await recovery.close();
        garbled.close();
      }
    });

    it('keeps asking, sweep after sweep, for a hole whose journal does not answer (a publisher down)', async () => {
      const silent = await journalAnswering({ [REPLAY_METHOD]: () => new Promise<Uint8Array>(() => undefined) });
      const { ledger, recovery, store, asked } = sweptStore({ 'market-data': silent.endpoint });
      try {
        for (const seq of [1, 2, 6]) await store.handle(at(seq, journal.epoch));
        store.sweepHoles();
        store.sweepHoles();
        await waitFor(() => recovery.stats.retries >= 2, 'the unanswered request to be made again', 5_000, 5);
        store.sweepHoles();
        expect(asked).toHaveLength(2);
        expect(ledger.holes()).toEqual([{ ...source, topic, epoch: journal.epoch, from: 3, to: 5 }]);
        expect(recovery.stats.unrecoverable).toBe(0);
      } finally {
        await recovery.close(0);
        silent.close();
      }
    });
  });
});
