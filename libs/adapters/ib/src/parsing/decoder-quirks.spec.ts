import { Decoder } from '@stoqey/ib/dist/core/io/decoder';
import type { ContractDetails } from '@stoqey/ib';
import fixtures from '../../test-data/decoder-quirks.json';
import { appleStock } from '../test-support/instrument-fixtures';
import { normalizeLastTradeDate } from './contracts';
import { L1Book, parseRawTickReqParams, toQuote } from './market-data';

interface Decoded {
  name: string;
  args: unknown[];
}

/** Runs the pinned decoder on raw message fields and returns what it emits (and its own errors). */
function decode(...messages: string[][]): { events: Decoded[]; errors: string[] } {
  const events: Decoded[] = [];
  const errors: string[] = [];
  const decoder = new Decoder({
    serverVersion: 193,
    emitEvent: (name: string, ...args: unknown[]) => events.push({ name, args }),
    emitError: (message: string) => errors.push(message),
    emitInfo: () => undefined,
  } as unknown as ConstructorParameters<typeof Decoder>[0]);
  for (const fields of messages) decoder.enqueueMessage([...fields]);
  decoder.process();
  return { events, errors };
}

const AAPL = appleStock();

/** Feeds decoded tick events into an L1 book the way the data client does. */
function bookFrom(events: Decoded[]): L1Book {
  const book = new L1Book();
  for (const { name, args } of events) {
    if (name === 'tickPrice') book.applyPrice(args[1] as number, args[2] as number);
    if (name === 'tickSize') book.applySize(args[1] as number | undefined, args[2] as number | undefined);
  }
  return book;
}

describe('pinned @stoqey/ib decoder quirks and their workarounds', () => {
  it('drops the bid size inside TICK_PRICE; the bid size comes from the TICK_SIZE message instead', () => {
    const priceOnly = decode(fixtures.tickPriceBidWithSize, fixtures.tickPriceAskWithSize);
    expect(priceOnly.errors).toEqual([]);
    // The quirk: the ask size travels with the ask price, the bid size does not (BID_SIZE is tick type 0, falsy).
    expect(priceOnly.events.filter((e) => e.name === 'tickSize').map((e) => e.args[1])).toEqual([3]);
    expect(bookFrom(priceOnly.events).complete).toBe(false);

    const withSize = decode(fixtures.tickPriceBidWithSize, fixtures.tickSizeBid, fixtures.tickPriceAskWithSize);
    const quote = toQuote(AAPL, bookFrom(withSize.events), 'REALTIME', 1n);
    expect(quote?.bidSize.toString()).toBe('300');
    expect(quote?.askSize.toString()).toBe('200');
    expect(quote?.bidPrice.toString()).toBe('189.51');
  });

  it('reads minTick of TICK_REQ_PARAMS as an integer; the raw frame gives 0.01', () => {
    const decoded = decode(fixtures.tickReqParams);
    expect(decoded.events[0]).toEqual({ name: 'tickReqParams', args: [1000000001, 0, '9c0001', 3] });
    expect(parseRawTickReqParams(fixtures.tickReqParams)).toEqual({
      reqId: 1000000001,
      minTick: 0.01,
      bboExchange: '9c0001',
      snapshotPermissions: 3,
    });
    expect(parseRawTickReqParams(fixtures.tickPricePreOpen)).toBeUndefined();
  });

  it('leaves "date time zone" whole in lastTradeDateOrContractMonth (it splits on the text "\\s+"); the adapter splits it', () => {
    const decoded = decode(fixtures.contractDataFutureWithTime);
    expect(decoded.errors).toEqual([]);
    const details = decoded.events.find((e) => e.name === 'contractDetails')?.args[1] as ContractDetails;
    expect(details.contract.lastTradeDateOrContractMonth).toBe('20250321 08:30 US/Central');
    expect(details.lastTradeTime).toBeUndefined();

    const fixed = normalizeLastTradeDate(details);
    expect(fixed.contract.lastTradeDateOrContractMonth).toBe('20250321');
    expect(fixed.lastTradeTime).toBe('08:30');
    expect(fixed.timeZoneId).toBe('US/Central');
    expect(fixed.contract.conId).toBe(495512563);
    // Already-split dates pass through untouched.
    expect(normalizeLastTradeDate({ ...details, contract: { ...details.contract, lastTradeDateOrContractMonth: '202503' } })).toMatchObject({
      contract: { lastTradeDateOrContractMonth: '202503' },
    });
  });
});
