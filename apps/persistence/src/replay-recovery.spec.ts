import { REPLAY_METHOD, Replier, replayHandler, topics, type BusMessage } from '@ttquant/bus';
import { Decimal } from '@ttquant/domain';
import { JournaledPublisher } from '@ttquant/service-bus';
import { waitFor } from '@ttquant/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplayRecovery } from './replay-recovery';

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
    const recovery = new ReplayRecovery({
      endpoints: { 'market-data': slowEndpoint },
      route: (m) => void routed.push(m.sequence),
      logger,
      timeoutMs: 100,
      retryDelayMs: 20,
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
});
