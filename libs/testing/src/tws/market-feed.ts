import type { WireValue } from './framing';
import type { SimQuote } from './market-simulator';
import { roundToTick } from './market-simulator';
import * as out from './server-messages';

/** Tick types for live (1, 2) and delayed (3, 4) market data. */
const LIVE = { bid: 1, ask: 2, last: 4, bidSize: 0, askSize: 3, lastSize: 5, volume: 8, close: 9 };
const DELAYED = { bid: 66, ask: 67, last: 68, bidSize: 69, askSize: 70, lastSize: 71, volume: 74, close: 75 };
const LAST_TIMESTAMP = 45;

type Fields = WireValue[];

/** Whether a market data type streams updates (realtime, delayed) or only a snapshot (frozen ones). */
export function isFrozen(type: number): boolean {
  return type === 2 || type === 4;
}

/** Bid, ask and last with their sizes, as TICK_PRICE + TICK_SIZE pairs like TWS sends them. */
export function quoteTicks(reqId: number, type: number, q: SimQuote, epochSeconds: number, full: boolean): Fields[] {
  const t = type >= 3 ? DELAYED : LIVE;
  const messages: Fields[] = [
    out.tickPrice(reqId, t.bid, q.bid, q.bidSize),
    out.tickSize(reqId, t.bidSize, q.bidSize),
    out.tickPrice(reqId, t.ask, q.ask, q.askSize),
    out.tickSize(reqId, t.askSize, q.askSize),
    out.tickPrice(reqId, t.last, q.last, q.lastSize),
    out.tickSize(reqId, t.lastSize, q.lastSize),
    out.tickSize(reqId, t.volume, q.volume),
    out.tickString(reqId, LAST_TIMESTAMP, String(epochSeconds)),
  ];
  if (full) messages.push(out.tickPrice(reqId, t.close, q.close, 0));
  return messages;
}

/** The messages that open a market data subscription. */
export function openingTicks(reqId: number, type: number, minTick: number, bboExchange: string, q: SimQuote, epochSeconds: number): Fields[] {
  return [out.marketDataType(reqId, type), out.tickReqParams(reqId, minTick, bboExchange, 3), ...quoteTicks(reqId, type, q, epochSeconds, true)];
}

/** One tick-by-tick message of the requested kind. */
export function tickByTick(reqId: number, tickType: 'Last' | 'AllLast' | 'BidAsk' | 'MidPoint', q: SimQuote, epochSeconds: number, exchange: string, minTick: number): Fields {
  switch (tickType) {
    case 'Last':
      return out.tickByTickLast(reqId, 1, epochSeconds, q.last, q.lastSize, exchange);
    case 'AllLast':
      return out.tickByTickLast(reqId, 2, epochSeconds, q.last, q.lastSize, exchange);
    case 'BidAsk':
      return out.tickByTickBidAsk(reqId, epochSeconds, q.bid, q.ask, q.bidSize, q.askSize);
    case 'MidPoint':
      return out.tickByTickMidPoint(reqId, epochSeconds, roundToTick((q.bid + q.ask) / 2, minTick / 2));
  }
}

/** Book levels around the touch; operation 0 inserts the rows, 1 updates them. */
export function depthBook(reqId: number, rows: number, smartDepth: boolean, q: SimQuote, minTick: number, operation: 0 | 1): Fields[] {
  const messages: Fields[] = [];
  for (let level = 0; level < rows; level++) {
    const bid = roundToTick(q.bid - level * minTick, minTick);
    const ask = roundToTick(q.ask + level * minTick, minTick);
    const bidSize = q.bidSize + level * 100;
    const askSize = q.askSize + level * 100;
    if (smartDepth) {
      messages.push(out.marketDepthL2(reqId, level, level % 2 === 0 ? 'NSDQ' : 'ARCA', operation, 1, bid, bidSize, true));
      messages.push(out.marketDepthL2(reqId, level, level % 2 === 0 ? 'ARCA' : 'NSDQ', operation, 0, ask, askSize, true));
    } else {
      messages.push(out.marketDepth(reqId, level, operation, 1, bid, bidSize));
      messages.push(out.marketDepth(reqId, level, operation, 0, ask, askSize));
    }
  }
  return messages;
}
