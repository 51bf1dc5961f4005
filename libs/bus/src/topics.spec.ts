import { TopicError } from './errors';
import { asTopic, decodeSymbol, encodeSymbol, isPrefix, parseTopic, topicFamily, topics } from './topics';

describe('topics', () => {
  it('builds every topic of the bus', () => {
    expect(topics.tick('binance', 'BTC/USDT')).toBe('md.tick.binance.BTC%2FUSDT');
    expect(topics.book('ib', 'AAPL')).toBe('md.book.ib.AAPL');
    expect(topics.bar('1m', 'binance', 'ETH/USDT')).toBe('md.bar.1m.binance.ETH%2FUSDT');
    expect(topics.funding('binanceusdm', 'BTC/USDT:USDT')).toBe('md.funding.binanceusdm.BTC%2FUSDT%3AUSDT');
    expect(topics.instrument('ib', 'BRK.B')).toBe('md.instrument.ib.BRK%2EB');
    expect(topics.order('DU123456')).toBe('ex.order.DU123456');
    expect(topics.fill('DU123456')).toBe('ex.fill.DU123456');
    expect(topics.position('DU123456')).toBe('ex.position.DU123456');
    expect(topics.account('DU123456')).toBe('ex.account.DU123456');
    expect(topics.riskDenial('DU123456')).toBe('ex.denial.DU123456');
    expect(topics.orderCommand('DU123456')).toBe('cmd.order.DU123456');
    expect(topics.status('market-data', 'md-1')).toBe('sys.status.market-data.md-1');
    expect(topics.venueStatus('ib')).toBe('sys.venue.ib');
    expect(topics.alert()).toBe('sys.alert');
  });

  it('builds subscription prefixes that end with a dot', () => {
    expect(topics.prefix.all()).toBe('');
    expect(topics.prefix.allTicks()).toBe('md.tick.');
    expect(topics.prefix.ticksOfVenue('binance')).toBe('md.tick.binance.');
    expect(topics.prefix.barsOfVenue('1m', 'binance')).toBe('md.bar.1m.binance.');
    expect(topics.prefix.statusOfService('gateway')).toBe('sys.status.gateway.');
    expect(topics.prefix.ordersOf('DU1')).toBe('ex.order.DU1');
    for (const p of [topics.prefix.all(), topics.prefix.execution(), topics.prefix.ticksOfVenue('x')]) expect(isPrefix(p)).toBe(true);
    expect(isPrefix(topics.prefix.ordersOf('DU1'))).toBe(false);
    expect(isPrefix(topics.alert())).toBe(false);
  });

  it.each([
    'BTC/USDT',
    'BTC/USDT:USDT',
    'BRK.B',
    'ES 202503',
    '100%',
    'BTC-PERP',
    'Ünïcödé/€',
    'a_b',
  ])('encodes the symbol %j reversibly into one ASCII segment', (symbol) => {
    const segment = encodeSymbol(symbol);
    expect(segment).toMatch(/^[A-Za-z0-9_%-]+$/);
    expect(decodeSymbol(segment)).toBe(symbol);
    expect(parseTopic(topics.tick('v', symbol))).toEqual({ kind: 'tick', venue: 'v', symbol });
  });

  it('parses every topic back into its parts', () => {
    expect(parseTopic(topics.bar('1h', 'okx', 'BTC/USDT'))).toEqual({ kind: 'bar', interval: '1h', venue: 'okx', symbol: 'BTC/USDT' });
    expect(parseTopic(topics.riskDenial('acc_1'))).toEqual({ kind: 'risk-denial', account: 'acc_1' });
    expect(parseTopic(topics.orderCommand('acc_1'))).toEqual({ kind: 'order-command', account: 'acc_1' });
    expect(parseTopic(topics.status('hub', 'h1'))).toEqual({ kind: 'status', service: 'hub', instance: 'h1' });
    expect(parseTopic(topics.venueStatus('ib'))).toEqual({ kind: 'venue-status', venue: 'ib' });
    expect(parseTopic(topics.alert())).toEqual({ kind: 'alert' });
    expect(asTopic('ex.fill.DU1')).toBe('ex.fill.DU1');
  });

  it.each([
    ['md.tick.binance', 'topic'],
    ['md.tick.binance.BTC.USDT', 'topic'],
    ['ex.orders.DU1', 'topic'],
    ['ex.constructor.DU1', 'topic'],
    ['sys.alert.extra', 'topic'],
    ['md.tick.bin ance.X', 'venue'],
    ['md.tick.binance.BTC%2', 'symbol'],
    ['md.tick.binance.%C3%28', 'symbol'],
    ['', 'topic'],
  ])('rejects %j naming the %s', (text, part) => {
    let error: unknown;
    try {
      parseTopic(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TopicError);
    expect((error as TopicError).part).toBe(part);
  });

  it('rejects invalid segments with what was expected and found', () => {
    expect(() => topics.order('DU 1')).toThrow('topic account: expected a non-empty identifier of letters, digits, "_" or "-", was "DU 1"');
    expect(() => topics.tick('binance.us', 'X')).toThrow(TopicError);
    expect(() => topics.tick('binance', '')).toThrow('topic symbol: expected a non-empty symbol, was ""');
    expect(() => topics.status('gw', '')).toThrow(TopicError);
    expect(() => topics.bar('1 m', 'binance', 'X')).toThrow(TopicError);
  });

  it('labels topics by family with bounded cardinality', () => {
    expect(topicFamily(topics.tick('binance', 'BTC/USDT'))).toBe('md.tick');
    expect(topicFamily(topics.bar('1m', 'binance', 'BTC/USDT'))).toBe('md.bar');
    expect(topicFamily(topics.order('DU1'))).toBe('ex.order');
    expect(topicFamily(topics.alert())).toBe('sys.alert');
    expect(topicFamily('garbage')).toBe('other');
    expect(topicFamily('md.whatever.x')).toBe('other');
  });
});
