import type { CommissionReport, Contract, Execution } from '@stoqey/ib';
import { Decimal, type Fill, type UnixNanos } from '@ttquant/domain';
import { IbFillMatcher } from './fill-matcher';

// Raw payloads as @stoqey/ib hands them over for an execDetails (reqId -1) and its commissionReport.
const CONTRACT: Contract = { conId: 495512563, symbol: 'ES', secType: 'FUT' as Contract['secType'], exchange: 'CME', currency: 'USD' };
const EXECUTION: Execution = {
  execId: '0000e0d5.6543a1b2.01.01',
  orderId: 12,
  clientId: 7,
  time: '20261121-14:30:05',
  acctNumber: 'DU1234567',
  side: 'BOT',
  shares: 2,
  price: 5000.25,
  orderRef: 'ord-1',
};
const COMMISSION: CommissionReport = { execId: EXECUTION.execId, commission: 1.7, currency: 'USD', realizedPNL: 1.7976931348623157e308 };

interface Harness {
  matcher: IbFillMatcher;
  emitted: { fill: Fill; commission: CommissionReport | undefined }[];
  requeries: UnixNanos[];
  ready: { value: boolean };
}

function harness(maxRequeries = 2): Harness {
  const emitted: Harness['emitted'] = [];
  const requeries: UnixNanos[] = [];
  const ready = { value: true };
  const matcher = new IbFillMatcher({
    commissionWaitMs: 1_000,
    maxRequeries,
    toFill: (execution, _contract, commission, receivedAt) => ({
      account: execution.acctNumber ?? '',
      clientOrderId: execution.orderRef ?? '',
      venueOrderId: String(execution.orderId),
      execId: execution.execId ?? '',
      instrument: { venue: 'IB', symbol: 'ESZ7' },
      side: 'BUY',
      quantity: Decimal.of(execution.shares ?? 0),
      price: Decimal.fromNumber(execution.price ?? 0),
      commission: commission?.commission === undefined ? Decimal.ZERO : Decimal.fromNumber(commission.commission),
      commissionCurrency: 'USD',
      liquidity: 'NONE',
      strategyId: '',
      eventTime: receivedAt,
    }),
    emit: (fill, commission) => emitted.push({ fill, commission }),
    requery: (since) => {
      if (!ready.value) return false;
      requeries.push(since);
      return true;
    },
  });
  return { matcher, emitted, requeries, ready };
}

describe('IbFillMatcher', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('hands a fill on with its commission when the report follows the execution', () => {
    const h = harness();
    h.matcher.offer(EXECUTION, CONTRACT, 5_000_000_000n);
    expect(h.emitted).toHaveLength(0);
    h.matcher.onCommission(COMMISSION);
    expect(h.emitted).toHaveLength(1);
    expect(h.emitted[0].fill.commission.toString()).toBe('1.7');
    expect(h.matcher.pendingCount).toBe(0);
  });

  it('hands a fill on at once when its commission came first, and only once per execId', () => {
    const h = harness();
    h.matcher.onCommission(COMMISSION);
    h.matcher.offer(EXECUTION, CONTRACT, 5_000_000_000n);
    h.matcher.offer(EXECUTION, CONTRACT, 6_000_000_000n);
    h.matcher.onCommission(COMMISSION);
    expect(h.emitted.map((e) => e.fill.execId)).toEqual([EXECUTION.execId]);
  });

  it('holds a fill whose commission is late and asks for the execution again instead of sending commission 0', () => {
    const h = harness();
    h.matcher.offer(EXECUTION, CONTRACT, 5_000_000_000n);
    jest.advanceTimersByTime(1_000);
    expect(h.emitted).toHaveLength(0);
    // Asked from the second before the execution (IB filters by whole seconds).
    expect(h.requeries).toEqual([4_000_000_000n]);
    jest.advanceTimersByTime(1_000);
    expect(h.requeries).toHaveLength(2);
    h.matcher.onCommission(COMMISSION);
    expect(h.emitted).toHaveLength(1);
    expect(h.emitted[0].commission).toBe(COMMISSION);
    expect(h.emitted[0].fill.commission.toString()).toBe('1.7');
  });

  it('goes on waiting without counting attempts while no session is ready, and gives up after the re-queries', () => {
    const h = harness(2);
    h.ready.value = false;
    h.matcher.offer(EXECUTION, CONTRACT, 5_000_000_000n);
    jest.advanceTimersByTime(10_000);
    expect(h.emitted).toHaveLength(0);
    expect(h.requeries).toHaveLength(0);
    expect(h.matcher.earliestPending()).toBe(5_000_000_000n);
    h.ready.value = true;
    jest.advanceTimersByTime(2_000);
    expect(h.requeries).toHaveLength(2);
    expect(h.emitted).toHaveLength(0);
    jest.advanceTimersByTime(1_000);
    expect(h.emitted).toHaveLength(1);
    expect(h.emitted[0].fill.commission.isZero()).toBe(true);
    expect(h.matcher.pendingCount).toBe(0);
  });

  it('takes an execution IB corrects (same id, last part raised) as no new fill, and counts it', () => {
    const h = harness();
    h.matcher.onCommission(COMMISSION);
    h.matcher.offer(EXECUTION, CONTRACT, 5_000_000_000n);
    const correction: Execution = { ...EXECUTION, execId: '0000e0d5.6543a1b2.01.02', price: 5000.5 };
    h.matcher.offer(correction, CONTRACT, 6_000_000_000n);
    h.matcher.onCommission({ ...COMMISSION, execId: correction.execId });
    expect(h.emitted.map((e) => e.fill.execId)).toEqual([EXECUTION.execId]);
    expect(h.matcher.corrections).toBe(1);
    // Another execution of the order is a fill of its own.
    h.matcher.onCommission({ ...COMMISSION, execId: '0000e0d5.6543a1b3.01.01' });
    h.matcher.offer({ ...EXECUTION, execId: '0000e0d5.6543a1b3.01.01' }, CONTRACT, 7_000_000_000n);
    expect(h.emitted).toHaveLength(2);
  });

  it('drops held fills on clear and names them', () => {
    const h = harness();
    h.matcher.offer(EXECUTION, CONTRACT, 5_000_000_000n);
    expect(h.matcher.clear()).toEqual([EXECUTION.execId]);
    jest.advanceTimersByTime(10_000);
    expect(h.emitted).toHaveLength(0);
  });
});
