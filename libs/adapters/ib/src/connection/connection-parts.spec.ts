import { Backoff } from './backoff';
import { IbIdError, OrderIdAllocator, RequestIdAllocator } from './id-allocators';

describe('Backoff', () => {
  it('doubles from the initial delay up to the maximum, reset starts over', () => {
    const backoff = new Backoff({ initialDelayMs: 500, maxDelayMs: 4000, jitter: 0 });
    expect([1, 2, 3, 4, 5].map(() => backoff.next())).toEqual([500, 1000, 2000, 4000, 4000]);
    backoff.reset();
    expect(backoff.next()).toBe(500);
  });

  it('moves each delay by at most the jitter share', () => {
    const low = new Backoff({ initialDelayMs: 1000, maxDelayMs: 1000, jitter: 0.2 }, () => 0);
    const high = new Backoff({ initialDelayMs: 1000, maxDelayMs: 1000, jitter: 0.2 }, () => 0.999999);
    expect(low.next()).toBe(800);
    expect(high.next()).toBe(1200);
  });

  it('keeps the default settings within a minute of recovery', () => {
    const backoff = new Backoff({ initialDelayMs: 500, maxDelayMs: 15_000, jitter: 0.2 }, () => 0.999999);
    const delays = Array.from({ length: 50 }, () => backoff.next());
    expect(Math.max(...delays)).toBeLessThanOrEqual(18_000);
  });
});

describe('id allocators', () => {
  it('hands out order ids from nextValidId, never twice, never below what was used', () => {
    const ids = new OrderIdAllocator(1_000_000_000);
    expect(() => ids.next()).toThrow(IbIdError);
    ids.seed(5);
    expect([ids.next(), ids.next()]).toEqual([5, 6]);
    // A reconnect reporting an older id does not rewind.
    ids.seed(3);
    expect(ids.next()).toBe(7);
    ids.seed(100);
    expect(ids.next()).toBe(100);
  });

  it('keeps order ids and request ids apart', () => {
    const requests = new RequestIdAllocator(1_000_000_000);
    const orders = new OrderIdAllocator(1_000_000_000);
    orders.seed(1);
    const requestIds = [requests.next(), requests.next()];
    expect(requestIds).toEqual([1_000_000_000, 1_000_000_001]);
    expect(requests.owns(orders.next())).toBe(false);
    expect(requestIds.every((id) => requests.owns(id))).toBe(true);
    expect(() => orders.seed(1_000_000_000)).toThrow(/below the request id range/);
  });
});
