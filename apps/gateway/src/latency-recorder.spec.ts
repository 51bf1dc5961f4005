import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal, type OrderEvent } from '@ttquant/domain';
import { LATENCY_SAMPLES_HEADER, LatencyRecorder, parseLatencySamples } from './latency-recorder';

function submitted(clientOrderId: string, tags: Record<string, string>, createdTime: bigint): OrderEvent {
  return {
    order: {
      spec: {
        clientOrderId,
        account: 'SIM001',
        instrument: { venue: 'SIM', symbol: 'ACME' },
        side: 'BUY',
        type: 'MARKET',
        quantity: Decimal.ONE,
        timeInForce: 'DAY',
        reduceOnly: false,
        postOnly: false,
        outsideRth: false,
        strategyId: 'probe',
        tags,
      },
      status: 'SUBMITTED',
      filledQuantity: Decimal.ZERO,
      createdTime,
      updatedTime: createdTime,
    },
    reason: '',
    eventSequence: 1,
  };
}

describe('LatencyRecorder', () => {
  const events = new Map<string, OrderEvent>([
    ['p1', submitted('p1', { tickInitNs: '1000', decidedNs: '1500' }, 2_000n)],
    ['p2', submitted('p2', { tickInitNs: '3000' }, 4_000n)],
    ['plain', submitted('plain', {}, 5_000n)],
    ['bad', submitted('bad', { tickInitNs: '12abc' }, 6_000n)],
  ]);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'latency-recorder-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records tagged orders with every stage time, ignoring untagged and unknown orders', () => {
    const recorder = new LatencyRecorder((id) => events.get(id));
    recorder.record('p1', 2_500n);
    recorder.record('p2', 4_200n);
    recorder.record('plain', 5_100n);
    recorder.record('bad', 6_100n);
    recorder.record('unknown', 7_000n);

    expect(recorder.count).toBe(2);
    expect(recorder.all()).toEqual([
      { clientOrderId: 'p1', tickInitNs: 1_000n, decidedNs: 1_500n, acceptedNs: 2_000n, receivedNs: 2_500n },
      { clientOrderId: 'p2', tickInitNs: 3_000n, decidedNs: undefined, acceptedNs: 4_000n, receivedNs: 4_200n },
    ]);
  });

  it('writes a CSV file that parses back to the same samples', () => {
    const recorder = new LatencyRecorder((id) => events.get(id));
    recorder.record('p1', 2_500n);
    recorder.record('p2', 4_200n);
    const file = join(dir, 'samples.csv');
    recorder.write(file);

    const text = readFileSync(file, 'utf8');
    expect(text).toBe(`${LATENCY_SAMPLES_HEADER}\np1,1000,1500,2000,2500\np2,3000,,4000,4200\n`);
    expect(parseLatencySamples(text)).toEqual(recorder.all());
  });

  it('refuses a file of another shape, naming the line', () => {
    expect(() => parseLatencySamples('id,latency\n')).toThrow(`expected the header ${LATENCY_SAMPLES_HEADER}, was "id,latency"`);
    expect(() => parseLatencySamples(`${LATENCY_SAMPLES_HEADER}\np1,1000,,2000\n`)).toThrow('latency samples line 2');
  });
});
