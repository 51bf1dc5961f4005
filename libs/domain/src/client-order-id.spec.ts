import {
  CLIENT_ORDER_ID_PATTERN,
  ClientOrderIdGenerator,
  clientOrderIdStrategyTag,
  isValidClientOrderId,
  parseClientOrderId,
} from './client-order-id';

const RUN_EPOCH = 1_700_000_000_000; // base36 'loyw3v28'

describe('ClientOrderIdGenerator', () => {
  it('writes strategy tag, run epoch, counter and counter length', () => {
    const ids = new ClientOrderIdGenerator('momentum', RUN_EPOCH);
    expect(ids.next()).toBe('momentumloyw3v2811');
    expect(ids.next()).toBe('momentumloyw3v2821');
    const later = new ClientOrderIdGenerator('S1', 5, 36 * 36);
    // Epoch zero-padded to 8 digits; counter 1296 = '100' (3 digits).
    expect(later.next()).toBe('S100000005' + '100' + '3');
  });

  it('makes 100 000 distinct valid ids in one run', () => {
    const ids = new ClientOrderIdGenerator('mean-rev', RUN_EPOCH);
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const id = ids.next();
      if (!CLIENT_ORDER_ID_PATTERN.test(id)) throw new Error(`invalid id ${id}`);
      seen.add(id);
    }
    expect(seen.size).toBe(100_000);
  });

  it('never repeats across runs, strategies or look-alike splits', () => {
    const seen = new Set<string>();
    const runs: [string, number | bigint][] = [
      ['abc', 0],
      ['abc', 1],
      ['abc0', 10], // would collide with 'abc' + epoch 0 without the length digit
      ['abc0', 0],
      ['ab', 0],
      ['mean-rev', RUN_EPOCH],
      ['meanrev', RUN_EPOCH],
      ['mean_rev', RUN_EPOCH],
      ['a-very-long-strategy-name-one', RUN_EPOCH],
      ['a-very-long-strategy-name-two', RUN_EPOCH],
      ['momentum', RUN_EPOCH],
      ['momentum', RUN_EPOCH + 1],
      ['momentum', BigInt(RUN_EPOCH) + 2n],
    ];
    let total = 0;
    for (const [strategy, epoch] of runs) {
      const ids = new ClientOrderIdGenerator(strategy, epoch);
      for (let i = 0; i < 2000; i++) {
        seen.add(ids.next());
        total++;
      }
    }
    expect(seen.size).toBe(total);
  });

  it('stays within 32 alphanumeric characters for a 100-character strategy id and counters past 36^6', () => {
    const strategy = 'x'.repeat(40) + '-strategy_with.punctuation/' + 'y'.repeat(33);
    expect(strategy).toHaveLength(100);
    const ids = new ClientOrderIdGenerator(strategy, RUN_EPOCH, 36n ** 6n - 3n);
    const made: string[] = [];
    for (let i = 0; i < 6; i++) made.push(ids.next());
    for (const id of made) {
      expect(id.length).toBeLessThanOrEqual(32);
      expect(isValidClientOrderId(id)).toBe(true);
    }
    // The counter crossed from 6 to 7 base36 digits.
    expect(parseClientOrderId(made[2])?.counter).toBe(36n ** 6n - 1n);
    expect(parseClientOrderId(made[3])?.counter).toBe(36n ** 6n);
    expect(made[3].endsWith('10000007')).toBe(true);
  });

  it('shortens the strategy tag, never the epoch or counter, for huge counters', () => {
    const ids = new ClientOrderIdGenerator('x'.repeat(100), RUN_EPOCH, 36n ** 20n);
    const id = ids.next();
    expect(id).toHaveLength(32);
    // 21 counter digits + 1 length digit + 8 epoch digits leave 2 for the tag.
    expect(parseClientOrderId(id)).toEqual({
      strategyTag: ids.strategyTag.slice(0, 2),
      runEpoch: BigInt(RUN_EPOCH),
      counter: 36n ** 20n,
    });
    const last = new ClientOrderIdGenerator('S1', 0, 36n ** 22n - 1n);
    expect(last.next()).toHaveLength(32);
    expect(() => last.next()).toThrow(RangeError);
  });

  it('refuses empty strategies and out-of-range epochs and counters', () => {
    expect(() => new ClientOrderIdGenerator('', 1)).toThrow('expected a non-empty strategyId');
    expect(() => new ClientOrderIdGenerator('S1', -1)).toThrow(RangeError);
    // Nanoseconds are too big: epochs are milliseconds or run numbers.
    expect(() => new ClientOrderIdGenerator('S1', 1_700_000_000_000_000_000n)).toThrow(
      'expected runEpoch within 0..2821109907455',
    );
    expect(() => new ClientOrderIdGenerator('S1', 1.5)).toThrow('expected runEpoch to be a safe integer, was 1.5');
    expect(() => new ClientOrderIdGenerator('S1', 1, 0)).toThrow('expected firstCounter >= 1, was 0');
  });
});

describe('clientOrderIdStrategyTag', () => {
  it('keeps short alphanumeric ids and hashes the rest', () => {
    expect(clientOrderIdStrategyTag('momentum')).toBe('momentum');
    expect(clientOrderIdStrategyTag('ABCdef123456')).toBe('ABCdef123456');
    const hashed = clientOrderIdStrategyTag('mean-rev');
    expect(hashed).toMatch(/^meanre[0-9a-z]{6}$/);
    expect(hashed).not.toBe(clientOrderIdStrategyTag('mean_rev'));
    expect(clientOrderIdStrategyTag('---')).toMatch(/^[0-9a-z]{6}$/);
    expect(clientOrderIdStrategyTag('x'.repeat(100))).toHaveLength(12);
    // Stable across calls and processes: reconciliation relies on it.
    expect(clientOrderIdStrategyTag('mean-rev')).toBe(hashed);
  });
});

describe('isValidClientOrderId and parseClientOrderId', () => {
  it.each(['a', 'S1abc', 'A'.repeat(32), '0123456789'])('accepts %j', (id) => {
    expect(isValidClientOrderId(id)).toBe(true);
  });

  it.each(['', 'A'.repeat(33), 'abc-1', 'abc_1', 'abc 1', 'é1', 'abc\n'])('refuses %j', (id) => {
    expect(isValidClientOrderId(id)).toBe(false);
  });

  it('reads back what the generator wrote', () => {
    const id = new ClientOrderIdGenerator('momentum', RUN_EPOCH, 12345).next();
    expect(parseClientOrderId(id)).toEqual({ strategyTag: 'momentum', runEpoch: BigInt(RUN_EPOCH), counter: 12345n });
  });

  it.each(['short', 'abc-1', 'momentumLOYW3V2811', 'momentumloyw3v28110'])('returns undefined for foreign id %j', (id) => {
    expect(parseClientOrderId(id)).toBeUndefined();
  });
});
