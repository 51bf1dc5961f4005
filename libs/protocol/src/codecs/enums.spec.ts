import { ProtocolError } from '../errors';
import { wire } from '../wire';
import { EnumCodec, orderStatusCodec } from './enums';

describe('EnumCodec', () => {
  it('maps every wire value except UNSPECIFIED both ways', () => {
    for (const [name, n] of Object.entries(wire.OrderStatus)) {
      if (typeof n !== 'number' || n === 0) continue;
      const value = orderStatusCodec.decode(n, 'o', 'status');
      expect(`ORDER_STATUS_${value}`).toBe(name);
      expect(orderStatusCodec.encode(value, 'o', 'status')).toBe(n);
    }
  });

  it.each([0, 12, -1, 1.5, Number.NaN])('refuses %p', (n) => {
    expect(() => orderStatusCodec.decode(n, 'orderEvent.order', 'status')).toThrow(ProtocolError);
    expect(() => orderStatusCodec.decode(n, 'orderEvent.order', 'status')).toThrow(/^orderEvent\.order\.status: expected one of INITIALIZED/);
  });

  it('refuses an unknown domain value when encoding', () => {
    expect(() => orderStatusCodec.encode('LOST' as never, 'orderEvent.order', 'status')).toThrow(ProtocolError);
  });

  it('fails at load when the proto and the domain drift apart', () => {
    expect(() => new EnumCodec(wire.OrderSide, 'ORDER_SIDE_', ['BUY'])).toThrow(/ORDER_SIDE_SELL has no domain value/);
    expect(() => new EnumCodec(wire.OrderSide, 'ORDER_SIDE_', ['BUY', 'SELL', 'SHORT'])).toThrow(/SHORT has no wire enum/);
  });
});
