import { TopicError } from './errors';

/*
 * The one place where bus topic names are spelled. Everything else builds
 * them with `topics.*` and reads them with `parseTopic`.
 *
 * Layout (segments separated by "."):
 *
 *   md.tick.<venue>.<symbol>               quotes AND trades of one instrument
 *   md.book.<venue>.<symbol>               book snapshots and deltas
 *   md.bar.<interval>.<venue>.<symbol>
 *   md.funding.<venue>.<symbol>
 *   md.instrument.<venue>.<symbol>         instrument definitions
 *   ex.order.<account>                     order events
 *   ex.fill.<account>
 *   ex.position.<account>
 *   ex.account.<account>
 *   ex.denial.<account>                    pre-trade risk denials
 *   cmd.order.<account>                    order commands (PUSH/PULL)
 *   sys.status.<service>.<instance>        heartbeats
 *   sys.venue.<venue>                      venue connection status
 *   sys.alert
 *
 * Quotes and trades share `md.tick`: one stream per instrument keeps the
 * venue's order between them, and the payload's kind tells them apart.
 *
 * Identifier segments (venue, account, service, instance, interval) must be
 * letters, digits, "_" or "-". Symbols are free text at the venue
 * (`BTC/USDT:USDT`, `BRK.B`, `ES 202503`), so they are percent-encoded: every
 * byte of their UTF-8 form outside [A-Za-z0-9_-] becomes %XX (`BTC%2FUSDT`).
 * That is reversible, keeps topics ASCII, and never produces a ".".
 *
 * Subscriptions: a prefix ends with "." (or is empty: everything); anything
 * else is a full topic and is matched exactly by the subscriber, because a
 * ZeroMQ prefix `md.tick.binance.BTC%2FUSDT` would also match the
 * perpetual `md.tick.binance.BTC%2FUSDT%3AUSDT`.
 */

declare const topicBrand: unique symbol;
declare const prefixBrand: unique symbol;

/** A full topic, built by {@link topics} or checked by {@link asTopic}. */
export type Topic = string & { readonly [topicBrand]: true };

/** A subscription prefix: ends with "." or is empty. Built by {@link topics.prefix}. */
export type TopicPrefix = string & { readonly [prefixBrand]: true };

/** What a subscriber can subscribe to: a prefix, or one exact topic. */
export type Subscription = Topic | TopicPrefix;

/** Top-level topic families. */
export type TopicFamily = 'md' | 'ex' | 'cmd' | 'sys';

/** A topic split into its meaning; see {@link parseTopic}. */
export type ParsedTopic =
  | { readonly kind: 'tick' | 'book' | 'funding' | 'instrument'; readonly venue: string; readonly symbol: string }
  | { readonly kind: 'bar'; readonly interval: string; readonly venue: string; readonly symbol: string }
  | {
      readonly kind: 'order' | 'fill' | 'position' | 'account' | 'risk-denial' | 'order-command';
      readonly account: string;
    }
  | { readonly kind: 'status'; readonly service: string; readonly instance: string }
  | { readonly kind: 'venue-status'; readonly venue: string }
  | { readonly kind: 'alert' };

const IDENTIFIER = /^[A-Za-z0-9_-]+$/;
const IDENTIFIER_TEXT = 'letters, digits, "_" or "-"';
const SAFE_SYMBOL = /^[A-Za-z0-9_-]+$/;
const SYMBOL_CACHE_LIMIT = 4096;
const symbolCache = new Map<string, string>();
const utf8 = new TextEncoder();

function identifier(part: string, value: string): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    throw new TopicError(part, `a non-empty identifier of ${IDENTIFIER_TEXT}`, JSON.stringify(value));
  }
  return value;
}

/** Percent-encodes a venue symbol into one topic segment; see the module comment. */
export function encodeSymbol(symbol: string): string {
  if (typeof symbol !== 'string' || symbol.length === 0) {
    throw new TopicError('symbol', 'a non-empty symbol', JSON.stringify(symbol));
  }
  if (SAFE_SYMBOL.test(symbol)) return symbol;
  // Publishers build the same few hundred topics millions of times: remember them.
  const cached = symbolCache.get(symbol);
  if (cached !== undefined) return cached;
  let out = '';
  for (const byte of utf8.encode(symbol)) {
    const safe =
      (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x5f || byte === 0x2d;
    out += safe ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (symbolCache.size >= SYMBOL_CACHE_LIMIT) symbolCache.clear();
  symbolCache.set(symbol, out);
  return out;
}

/** Reverses {@link encodeSymbol}. */
export function decodeSymbol(segment: string): string {
  if (segment.length === 0 || !/^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})+$/.test(segment)) {
    throw new TopicError('symbol', 'a percent-encoded symbol of [A-Za-z0-9_-] and %XX', JSON.stringify(segment));
  }
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new TopicError('symbol', 'percent-escapes that form valid UTF-8', JSON.stringify(segment));
  }
}

function instrumentTopic(kind: string, venue: string, symbol: string): Topic {
  return `md.${kind}.${identifier('venue', venue)}.${encodeSymbol(symbol)}` as Topic;
}

function prefix(text: string): TopicPrefix {
  return text as TopicPrefix;
}

/**
 * Builds every topic of the bus. Throws {@link TopicError} for invalid segments.
 *
 * @example
 * topics.tick('binance', 'BTC/USDT')            // 'md.tick.binance.BTC%2FUSDT'
 * topics.order('DU123456')                      // 'ex.order.DU123456'
 * subscriber.subscribe(topics.prefix.ticksOfVenue('binance'))   // 'md.tick.binance.'
 */
export const topics = {
  /** Quotes and trades of one instrument. */
  tick: (venue: string, symbol: string): Topic => instrumentTopic('tick', venue, symbol),
  /** Book snapshots and deltas of one instrument. */
  book: (venue: string, symbol: string): Topic => instrumentTopic('book', venue, symbol),
  /** Bars of one interval (e.g. `1m`, `1h`) of one instrument. */
  bar: (interval: string, venue: string, symbol: string): Topic =>
    `md.bar.${identifier('interval', interval)}.${identifier('venue', venue)}.${encodeSymbol(symbol)}` as Topic,
  /** Funding rates of one perpetual. */
  funding: (venue: string, symbol: string): Topic => instrumentTopic('funding', venue, symbol),
  /** Instrument definitions. */
  instrument: (venue: string, symbol: string): Topic => instrumentTopic('instrument', venue, symbol),
  /** Order events of one account. */
  order: (account: string): Topic => `ex.order.${identifier('account', account)}` as Topic,
  /** Fills of one account. */
  fill: (account: string): Topic => `ex.fill.${identifier('account', account)}` as Topic,
  /** Position snapshots of one account. */
  position: (account: string): Topic => `ex.position.${identifier('account', account)}` as Topic,
  /** Account state (balances, margin) of one account. */
  account: (account: string): Topic => `ex.account.${identifier('account', account)}` as Topic,
  /** Pre-trade risk denials of one account. */
  riskDenial: (account: string): Topic => `ex.denial.${identifier('account', account)}` as Topic,
  /** Order commands (submit, cancel, modify) for the gateway owning one account; PUSH/PULL. */
  orderCommand: (account: string): Topic => `cmd.order.${identifier('account', account)}` as Topic,
  /** Heartbeats of one service instance. */
  status: (service: string, instance: string): Topic =>
    `sys.status.${identifier('service', service)}.${identifier('instance', instance)}` as Topic,
  /** Connection status of one venue (data and execution channels). */
  venueStatus: (venue: string): Topic => `sys.venue.${identifier('venue', venue)}` as Topic,
  /** Alerts of every service. */
  alert: (): Topic => 'sys.alert' as Topic,

  /** Subscription prefixes. Each ends with "." so that `binance.` never matches `binance-us.`. */
  prefix: {
    /** Every message on the bus. */
    all: (): TopicPrefix => prefix(''),
    marketData: (): TopicPrefix => prefix('md.'),
    allTicks: (): TopicPrefix => prefix('md.tick.'),
    ticksOfVenue: (venue: string): TopicPrefix => prefix(`md.tick.${identifier('venue', venue)}.`),
    allBooks: (): TopicPrefix => prefix('md.book.'),
    booksOfVenue: (venue: string): TopicPrefix => prefix(`md.book.${identifier('venue', venue)}.`),
    allBars: (): TopicPrefix => prefix('md.bar.'),
    barsOfInterval: (interval: string): TopicPrefix => prefix(`md.bar.${identifier('interval', interval)}.`),
    barsOfVenue: (interval: string, venue: string): TopicPrefix =>
      prefix(`md.bar.${identifier('interval', interval)}.${identifier('venue', venue)}.`),
    allFunding: (): TopicPrefix => prefix('md.funding.'),
    allInstruments: (): TopicPrefix => prefix('md.instrument.'),
    instrumentsOfVenue: (venue: string): TopicPrefix => prefix(`md.instrument.${identifier('venue', venue)}.`),
    execution: (): TopicPrefix => prefix('ex.'),
    allOrders: (): TopicPrefix => prefix('ex.order.'),
    allFills: (): TopicPrefix => prefix('ex.fill.'),
    allPositions: (): TopicPrefix => prefix('ex.position.'),
    allAccounts: (): TopicPrefix => prefix('ex.account.'),
    allRiskDenials: (): TopicPrefix => prefix('ex.denial.'),
    /** The order events of one account: an exact topic, since the account is the last segment. */
    ordersOf: (account: string): Topic => topics.order(account),
    /** The fills of one account: an exact topic. */
    fillsOf: (account: string): Topic => topics.fill(account),
    system: (): TopicPrefix => prefix('sys.'),
    allStatus: (): TopicPrefix => prefix('sys.status.'),
    statusOfService: (service: string): TopicPrefix => prefix(`sys.status.${identifier('service', service)}.`),
    allVenueStatus: (): TopicPrefix => prefix('sys.venue.'),
  },
} as const;

const ACCOUNT_KINDS: Readonly<Record<string, 'order' | 'fill' | 'position' | 'account' | 'risk-denial'>> = {
  order: 'order',
  fill: 'fill',
  position: 'position',
  account: 'account',
  denial: 'risk-denial',
};

function invalid(topic: string): TopicError {
  return new TopicError('topic', 'one of the layouts of the topics module (e.g. md.tick.<venue>.<symbol>)', JSON.stringify(topic));
}

/**
 * Splits a topic into its meaning, decoding the symbol. Throws {@link TopicError}
 * for anything the topics module would not build.
 *
 * @example
 * parseTopic('md.bar.1m.binance.BTC%2FUSDT')
 * // { kind: 'bar', interval: '1m', venue: 'binance', symbol: 'BTC/USDT' }
 */
export function parseTopic(topic: string): ParsedTopic {
  const s = topic.split('.');
  const [family, kind] = s;
  const id = (part: string, value: string | undefined): string => {
    if (value === undefined) throw invalid(topic);
    return identifier(part, value);
  };
  if (family === 'md') {
    if (kind === 'bar' && s.length === 5) {
      return { kind, interval: id('interval', s[2]), venue: id('venue', s[3]), symbol: decodeSymbol(s[4] ?? '') };
    }
    if ((kind === 'tick' || kind === 'book' || kind === 'funding' || kind === 'instrument') && s.length === 4) {
      return { kind, venue: id('venue', s[2]), symbol: decodeSymbol(s[3] ?? '') };
    }
  } else if (family === 'ex' && s.length === 3 && kind !== undefined) {
    const accountKind = Object.prototype.hasOwnProperty.call(ACCOUNT_KINDS, kind) ? ACCOUNT_KINDS[kind] : undefined;
    if (accountKind) return { kind: accountKind, account: id('account', s[2]) };
  } else if (family === 'cmd' && kind === 'order' && s.length === 3) {
    return { kind: 'order-command', account: id('account', s[2]) };
  } else if (family === 'sys') {
    if (kind === 'status' && s.length === 4) return { kind, service: id('service', s[2]), instance: id('instance', s[3]) };
    if (kind === 'venue' && s.length === 3) return { kind: 'venue-status', venue: id('venue', s[2]) };
    if (kind === 'alert' && s.length === 2) return { kind };
  }
  throw invalid(topic);
}

/** Checks that text is a topic the topics module builds (e.g. one read back from storage) and types it. */
export function asTopic(text: string): Topic {
  parseTopic(text);
  return text as Topic;
}

/** True for a subscription prefix (ends with "." or is empty), false for an exact topic. */
export function isPrefix(subscription: string): subscription is TopicPrefix {
  return subscription.length === 0 || subscription.charCodeAt(subscription.length - 1) === 0x2e;
}

const FAMILIES: ReadonlySet<string> = new Set([
  'md.tick',
  'md.book',
  'md.bar',
  'md.funding',
  'md.instrument',
  'ex.order',
  'ex.fill',
  'ex.position',
  'ex.account',
  'ex.denial',
  'cmd.order',
  'sys.status',
  'sys.venue',
  'sys.alert',
]);

/**
 * The first two segments of a topic (`md.tick`, `ex.order`, `sys.alert`), or
 * `other` for anything the topics module does not build: a label with bounded
 * cardinality for metrics, never per symbol or account.
 */
export function topicFamily(topic: string): string {
  const first = topic.indexOf('.');
  const second = first < 0 ? -1 : topic.indexOf('.', first + 1);
  const family = second < 0 ? topic : topic.slice(0, second);
  return FAMILIES.has(family) ? family : 'other';
}
