import { Decimal, type OrderEvent, type PositionSnapshot, type QuoteTick } from '@ttquant/domain';
import { formatOpenPositions, formatPnl, progressLine, realizedByCurrency, SimMonitor } from './sim-monitor';

const quote = { instrument: { venue: 'SIM', symbol: 'ACME' } } as unknown as QuoteTick;
const orderEvent = (clientOrderId: string) => ({ order: { spec: { clientOrderId } } }) as unknown as OrderEvent;
const position = (symbol: string, quantity: string, realized: string): PositionSnapshot => ({
  account: 'SIM001',
  instrument: { venue: 'SIM', symbol },
  quantity: Decimal.parse(quantity),
  avgPrice: Decimal.parse('100'),
  realizedPnl: Decimal.parse(realized),
  unrealizedPnl: Decimal.ZERO,
  currency: 'USD',
});

describe('SimMonitor', () => {
  it('counts ticks, distinct orders and executions, and keeps the last position per instrument', () => {
    const monitor = new SimMonitor('SIM001');
    monitor.handle({ kind: 'quote', value: quote });
    monitor.handle({ kind: 'quote', value: quote });
    monitor.handle({ kind: 'orderEvent', value: orderEvent('a1') });
    monitor.handle({ kind: 'orderEvent', value: orderEvent('a1') });
    monitor.handle({ kind: 'orderEvent', value: orderEvent('b2') });
    const fill = { instrument: { venue: 'SIM', symbol: 'ACME' }, execId: 'E1' } as never;
    monitor.handle({ kind: 'fill', value: fill });
    monitor.handle({ kind: 'fill', value: fill });
    monitor.handle({ kind: 'position', value: position('ACME', '10', '0') });
    monitor.handle({ kind: 'position', value: position('ACME', '0', '2.5') });
    const snapshot = monitor.snapshot();
    expect(snapshot).toMatchObject({ ticks: 2, orders: 2, fills: 1 });
    expect(snapshot.positions).toHaveLength(1);
    expect(snapshot.positions[0]?.realizedPnl.toString()).toBe('2.5');
  });

  it('waits for a final heartbeat, and gives up after the timeout', async () => {
    const monitor = new SimMonitor('SIM001');
    const waiting = monitor.waitForFinalHeartbeat('gateway', 5_000);
    monitor.handle({ kind: 'heartbeat', value: { service: 'gateway', instance: 'g1', state: 'READY', uptimeMs: 1, info: {} } });
    monitor.handle({ kind: 'heartbeat', value: { service: 'gateway', instance: 'g1', state: 'STOPPED', uptimeMs: 2, info: { fills: '3' } } });
    await expect(waiting).resolves.toBe(true);
    expect(monitor.lastHeartbeat('gateway')?.info['fills']).toBe('3');
    await expect(monitor.waitForFinalHeartbeat('persistence', 20)).resolves.toBe(false);
  });
});

describe('progress figures', () => {
  const positions = [position('ACME', '10', '3.5'), position('BTC-USD', '-0.5', '-1')];

  it('sums realised PnL per currency and shows open positions with their sign', () => {
    expect(formatPnl(realizedByCurrency(positions))).toBe('2.5000 USD');
    expect(formatOpenPositions(positions)).toBe('ACME +10, BTC-USD -0.5');
    expect(formatOpenPositions([position('ACME', '0', '1')])).toBe('flat');
  });

  it('fits everything on one line', () => {
    const line = progressLine({
      elapsedMs: 12_400,
      durationMs: 20_000,
      ticksPerSecond: 101.4,
      snapshot: { ticks: 1000, orders: 14, fills: 15, positions },
    });
    expect(line).toBe('12s/20s  ticks 101/s  orders 14  fills 15  position ACME +10, BTC-USD -0.5  realised PnL 2.5000 USD');
  });
});
