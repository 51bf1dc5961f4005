import type {
  Bar,
  BookDelta,
  BookLevel,
  BookLevelChange,
  BookSnapshot,
  FundingRate,
  QuoteTick,
  TradeTick,
  UnixNanos,
} from '@ttquant/domain';
import { ProtocolError } from '../errors';
import type { wire } from '../wire';
import { aggressorSideCodec, bookSideCodec, dataQualityCodec } from './enums';
import { rebase } from './field-path';
import { encodeInstrumentId, readInstrumentId } from './instrument-codec';
import { readDecimal, readString, readTime, readUint32, writeDecimal, writeTime, writeUint32 } from './scalars';

// Market data is the hot path: every path below is a literal, so a valid tick
// costs no string building, and no closure is created per call.

/** Decodes `quote`; prices and sizes must be >= 0. */
export function decodeQuote(w: wire.IQuoteTick, eventTime: UnixNanos, initTime: UnixNanos): QuoteTick {
  return {
    kind: 'quote',
    instrument: readInstrumentId(w.instrument, 'quote', 'instrument'),
    quality: dataQualityCodec.decode(w.quality, 'quote', 'quality'),
    eventTime,
    initTime,
    bidPrice: readDecimal(w.bidPrice, 'quote', 'bidPrice', 'non-negative'),
    bidSize: readDecimal(w.bidSize, 'quote', 'bidSize', 'non-negative'),
    askPrice: readDecimal(w.askPrice, 'quote', 'askPrice', 'non-negative'),
    askSize: readDecimal(w.askSize, 'quote', 'askSize', 'non-negative'),
  };
}

/** Encodes a QuoteTick; its times travel in the envelope. */
export function encodeQuote(x: QuoteTick): wire.IQuoteTick {
  return {
    instrument: encodeInstrumentId(x.instrument),
    bidPrice: writeDecimal(x.bidPrice, 'quote', 'bidPrice'),
    bidSize: writeDecimal(x.bidSize, 'quote', 'bidSize'),
    askPrice: writeDecimal(x.askPrice, 'quote', 'askPrice'),
    askSize: writeDecimal(x.askSize, 'quote', 'askSize'),
    quality: dataQualityCodec.encode(x.quality, 'quote', 'quality'),
  };
}

/** Decodes `trade`; price and size must be >= 0 (some venues print zero-size trades). */
export function decodeTrade(w: wire.ITradeTick, eventTime: UnixNanos, initTime: UnixNanos): TradeTick {
  return {
    kind: 'trade',
    instrument: readInstrumentId(w.instrument, 'trade', 'instrument'),
    quality: dataQualityCodec.decode(w.quality, 'trade', 'quality'),
    eventTime,
    initTime,
    price: readDecimal(w.price, 'trade', 'price', 'non-negative'),
    size: readDecimal(w.size, 'trade', 'size', 'non-negative'),
    aggressor: aggressorSideCodec.decode(w.aggressor, 'trade', 'aggressor'),
    tradeId: readString(w.tradeId, 'trade', 'tradeId'),
  };
}

/** Encodes a TradeTick; its times travel in the envelope. */
export function encodeTrade(x: TradeTick): wire.ITradeTick {
  return {
    instrument: encodeInstrumentId(x.instrument),
    price: writeDecimal(x.price, 'trade', 'price'),
    size: writeDecimal(x.size, 'trade', 'size'),
    aggressor: aggressorSideCodec.encode(x.aggressor, 'trade', 'aggressor'),
    tradeId: x.tradeId,
    quality: dataQualityCodec.encode(x.quality, 'trade', 'quality'),
  };
}

function readLevels(levels: wire.IBookLevel[] | null | undefined, path: string): BookLevel[] {
  const n = levels ? levels.length : 0;
  const out: BookLevel[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const level = (levels as wire.IBookLevel[])[i];
    try {
      if (level === null || level === undefined) throw new ProtocolError('', 'a book level', 'none');
      out[i] = {
        price: readDecimal(level.price, '', 'price', 'non-negative'),
        size: readDecimal(level.size, '', 'size', 'non-negative'),
      };
    } catch (err) {
      throw rebase(err, `${path}[${i}]`);
    }
  }
  return out;
}

function writeLevels(levels: readonly BookLevel[], path: string): wire.IBookLevel[] {
  const out: wire.IBookLevel[] = new Array(levels.length);
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as BookLevel;
    try {
      out[i] = { price: writeDecimal(level.price, '', 'price'), size: writeDecimal(level.size, '', 'size') };
    } catch (err) {
      throw rebase(err, `${path}[${i}]`);
    }
  }
  return out;
}

/** Decodes `bookSnapshot`; every level's price and size must be >= 0. */
export function decodeBookSnapshot(w: wire.IBookSnapshot, eventTime: UnixNanos, initTime: UnixNanos): BookSnapshot {
  return {
    kind: 'book-snapshot',
    instrument: readInstrumentId(w.instrument, 'bookSnapshot', 'instrument'),
    quality: dataQualityCodec.decode(w.quality, 'bookSnapshot', 'quality'),
    eventTime,
    initTime,
    bids: readLevels(w.bids, 'bookSnapshot.bids'),
    asks: readLevels(w.asks, 'bookSnapshot.asks'),
  };
}

/** Encodes a BookSnapshot; its times travel in the envelope. */
export function encodeBookSnapshot(x: BookSnapshot): wire.IBookSnapshot {
  return {
    instrument: encodeInstrumentId(x.instrument),
    bids: writeLevels(x.bids, 'bookSnapshot.bids'),
    asks: writeLevels(x.asks, 'bookSnapshot.asks'),
    quality: dataQualityCodec.encode(x.quality, 'bookSnapshot', 'quality'),
  };
}

/** Decodes `bookDelta`; at least one change, each with a side and price and size >= 0. */
export function decodeBookDelta(w: wire.IBookDelta, eventTime: UnixNanos, initTime: UnixNanos): BookDelta {
  const instrument = readInstrumentId(w.instrument, 'bookDelta', 'instrument');
  const quality = dataQualityCodec.decode(w.quality, 'bookDelta', 'quality');
  const raw = w.changes;
  const n = raw ? raw.length : 0;
  if (n === 0) throw new ProtocolError('bookDelta.changes', 'at least one change', 'none');
  const changes: BookLevelChange[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const change = (raw as wire.IBookLevelChange[])[i];
    try {
      if (change === null || change === undefined) throw new ProtocolError('', 'a level change', 'none');
      changes[i] = {
        side: bookSideCodec.decode(change.side, '', 'side'),
        price: readDecimal(change.price, '', 'price', 'non-negative'),
        size: readDecimal(change.size, '', 'size', 'non-negative'),
      };
    } catch (err) {
      throw rebase(err, `bookDelta.changes[${i}]`);
    }
  }
  return { kind: 'book-delta', instrument, quality, eventTime, initTime, changes };
}

/** Encodes a BookDelta; its times travel in the envelope. */
export function encodeBookDelta(x: BookDelta): wire.IBookDelta {
  const changes: wire.IBookLevelChange[] = new Array(x.changes.length);
  for (let i = 0; i < x.changes.length; i++) {
    const change = x.changes[i] as BookLevelChange;
    try {
      changes[i] = {
        side: bookSideCodec.encode(change.side, '', 'side'),
        price: writeDecimal(change.price, '', 'price'),
        size: writeDecimal(change.size, '', 'size'),
      };
    } catch (err) {
      throw rebase(err, `bookDelta.changes[${i}]`);
    }
  }
  return {
    instrument: encodeInstrumentId(x.instrument),
    changes,
    quality: dataQualityCodec.encode(x.quality, 'bookDelta', 'quality'),
  };
}

/** Decodes `bar`: interval >= 1 s, prices and volume >= 0, low <= open, close <= high. */
export function decodeBar(w: wire.IBar, eventTime: UnixNanos, initTime: UnixNanos): Bar {
  const open = readDecimal(w.open, 'bar', 'open', 'non-negative');
  const high = readDecimal(w.high, 'bar', 'high', 'non-negative');
  const low = readDecimal(w.low, 'bar', 'low', 'non-negative');
  const close = readDecimal(w.close, 'bar', 'close', 'non-negative');
  if (high.lt(low)) throw new ProtocolError('bar.high', `>= low (${low.toString()})`, high.toString());
  if (open.lt(low) || open.gt(high)) {
    throw new ProtocolError('bar.open', `within low..high (${low.toString()}..${high.toString()})`, open.toString());
  }
  if (close.lt(low) || close.gt(high)) {
    throw new ProtocolError('bar.close', `within low..high (${low.toString()}..${high.toString()})`, close.toString());
  }
  return {
    kind: 'bar',
    instrument: readInstrumentId(w.instrument, 'bar', 'instrument'),
    quality: dataQualityCodec.decode(w.quality, 'bar', 'quality'),
    eventTime,
    initTime,
    intervalSeconds: readUint32(w.intervalSeconds, 'bar', 'intervalSeconds', 1),
    startTime: readTime(w.startTimeNs, 'bar', 'startTimeNs'),
    open,
    high,
    low,
    close,
    volume: readDecimal(w.volume, 'bar', 'volume', 'non-negative'),
    tradeCount: readUint32(w.tradeCount, 'bar', 'tradeCount', 0),
  };
}

/** Encodes a Bar; its event and init times travel in the envelope, its start time in the message. */
export function encodeBar(x: Bar): wire.IBar {
  return {
    instrument: encodeInstrumentId(x.instrument),
    intervalSeconds: writeUint32(x.intervalSeconds, 'bar', 'intervalSeconds'),
    startTimeNs: writeTime(x.startTime, 'bar', 'startTimeNs'),
    open: writeDecimal(x.open, 'bar', 'open'),
    high: writeDecimal(x.high, 'bar', 'high'),
    low: writeDecimal(x.low, 'bar', 'low'),
    close: writeDecimal(x.close, 'bar', 'close'),
    volume: writeDecimal(x.volume, 'bar', 'volume'),
    tradeCount: writeUint32(x.tradeCount, 'bar', 'tradeCount'),
    quality: dataQualityCodec.encode(x.quality, 'bar', 'quality'),
  };
}

/** Decodes `fundingRate`; the rate may be negative. */
export function decodeFundingRate(w: wire.IFundingRate, eventTime: UnixNanos, initTime: UnixNanos): FundingRate {
  return {
    kind: 'funding-rate',
    instrument: readInstrumentId(w.instrument, 'fundingRate', 'instrument'),
    quality: dataQualityCodec.decode(w.quality, 'fundingRate', 'quality'),
    eventTime,
    initTime,
    rate: readDecimal(w.rate, 'fundingRate', 'rate', 'any'),
    nextFundingTime: readTime(w.nextFundingTimeNs, 'fundingRate', 'nextFundingTimeNs'),
  };
}

/** Encodes a FundingRate; its times travel in the envelope. */
export function encodeFundingRate(x: FundingRate): wire.IFundingRate {
  return {
    instrument: encodeInstrumentId(x.instrument),
    rate: writeDecimal(x.rate, 'fundingRate', 'rate'),
    nextFundingTimeNs: writeTime(x.nextFundingTime, 'fundingRate', 'nextFundingTimeNs'),
    quality: dataQualityCodec.encode(x.quality, 'fundingRate', 'quality'),
  };
}
