import { Decimal } from '@ttquant/domain';
import type { TrackedOrder } from './order-tracker';
import { NEVER_REACHED_IB, NO_LONGER_WORKING, planReconnect, settle, type ReconnectRound } from './reconciler';
import { trackedEsOrder } from './tracked-order.fixture';

/** An own order of session 1, acknowledged by IB (Submitted) unless told otherwise. */
function order(orderId: number, overrides: Partial<TrackedOrder> = {}): TrackedOrder {
  return trackedEsOrder(orderId, { ibStatus: 'Submitted', ...overrides });
}

const ROUND: ReconnectRound = { working: new Set(['7/1']), seq: 10, session: 2, clientId: 7 };

function kinds(orders: TrackedOrder[], round = ROUND): string[] {
  return planReconnect(orders, round).map((a) =>
    a.kind === 'settle' ? `${a.order.orderId} ${a.ibStatus}: ${a.reason}` : `${a.order.orderId} working${a.resendCancel ? ' +cancel' : ''}${a.modifyLost ? ' -modify' : ''}`,
  );
}

describe('planReconnect', () => {
  it('leaves orders placed after the round went out alone, whatever the round showed (finding 1)', () => {
    expect(kinds([order(11), order(12, { ibStatus: '', session: 2 })])).toEqual([]);
  });

  it('cancels an own order of an earlier session with no trace at IB: it never reached IB (finding 2)', () => {
    expect(kinds([order(3, { ibStatus: '' })])).toEqual([`3 Cancelled: ${NEVER_REACHED_IB}`]);
    // The same order of the current session is not judged: it may still be on its way.
    expect(kinds([order(3, { ibStatus: '', session: 2 })])).toEqual([]);
  });

  it('settles an acknowledged order IB no longer works from its emitted fills', () => {
    const partly = order(4, { emittedFilled: Decimal.ONE, emittedFillValue: Decimal.parse('5000') });
    const whole = order(5, { emittedFilled: Decimal.of(2), emittedFillValue: Decimal.parse('10001'), reason: 'kept' });
    expect(kinds([partly, whole])).toEqual([`4 Cancelled: ${NO_LONGER_WORKING}`, '5 Filled: kept']);
    settle(whole, 'Filled', 'kept');
    expect([whole.ibStatus, whole.filled.toString(), whole.avgFillPrice?.normalize().toString()]).toEqual(['Filled', '2', '5000.5']);
  });

  it('resends a cancel and drops a modify of a working order lost in the drop (finding 3)', () => {
    expect(kinds([order(1, { pendingCancel: true, pendingModify: true })])).toEqual(['1 working +cancel -modify']);
    expect(kinds([order(1)])).toEqual(['1 working']);
  });

  it("leaves finished orders and other clients' orders alone", () => {
    expect(kinds([order(6, { ibStatus: 'Filled' }), order(7, { ibStatus: 'Cancelled' }), order(8, { clientId: 9, ibStatus: '' })])).toEqual([]);
  });
});
