import type { BusMessage } from '@ttquant/bus';
import type { Heartbeat, Instrument, InstrumentId, OrderEvent, UnixNanos } from '@ttquant/domain';
import type { DomainMessage } from '@ttquant/protocol';
import { decodeInbound } from '@ttquant/service-bus';
import {
  accountSnapshotRows,
  alertRow,
  barRow,
  bookSnapshotRow,
  fillRow,
  fundingRateRow,
  orderEventRow,
  positionRow,
  quoteTickRow,
  tradeTickRow,
  venueStatusRow,
  type FillInstrument,
  type StreamMeta,
  type TableRow,
} from '@ttquant/storage';

/** The tables persistence writes in batches. */
export const ROUTED_TABLES = [
  'quote_ticks',
  'trade_ticks',
  'book_snapshots',
  'bars',
  'funding_rates',
  'order_events',
  'fills',
  'positions',
  'account_snapshots',
  'venue_status',
  'alerts',
] as const;
/** One of {@link ROUTED_TABLES}. */
export type RoutedTable = (typeof ROUTED_TABLES)[number];

/**
 * Takes rows of one table; a `BatchWriter` in production. `undefined`: the row
 * was taken at once; a promise: wait for it before the next row (backpressure).
 */
export interface RowSink<N extends RoutedTable> {
  write(row: TableRow<N>): Promise<void> | undefined;
}

/** One sink per routed table. */
export type TableSinks = { readonly [N in RoutedTable]: RowSink<N> };

/** Why a message was counted and dropped. */
export type DropReason = 'payload' | 'unstorable';

/** What the router needs besides the table sinks. */
export interface StoreRouterDeps {
  readonly sinks: TableSinks;
  /** Keeps the current-orders table up to date; called after the event's row was handed to its writer. */
  readonly orders: { add(event: OrderEvent): void | Promise<void> };
  readonly instruments: {
    /** An instrument definition arrived (`at`: its event time). */
    seen(instrument: Instrument, at: UnixNanos): void | Promise<void>;
    /** Currency and multiplier to store with a fill, when the instrument is known. */
    fillInstrument(id: InstrumentId): FillInstrument | undefined;
  };
  /** A message that decoded but cannot be stored: counted and dropped by the caller. */
  readonly onDropped: (reason: DropReason, detail: string, message: BusMessage) => void;
  /** Heartbeats are not stored; this sees them (e.g. this service's own, to know it is subscribed). */
  readonly onHeartbeat?: (heartbeat: Heartbeat) => void;
}

/** Messages by what became of them. */
export interface RouterCounts {
  /** Handed to a writer (or the instrument cache). */
  stored: number;
  /** Valid but not stored by design: heartbeats, book deltas, risk denials, commands. */
  ignored: number;
  /** Counted and dropped: payloads the codecs refused, rows that could not be built. */
  dropped: number;
}

/**
 * Maps each bus message to the storage row of its table and hands it to that
 * table's writer. Returns the writer's promise, so a bus loop that awaits it
 * waits while the writer is full: backpressure all the way to the socket,
 * never an unbounded queue. Never throws for bad input: a payload the codecs
 * refuse, or a value no row can hold, is reported to `onDropped` and skipped.
 *
 * @example
 * const router = new StoreRouter({ sinks, orders, instruments, onDropped });
 * await subscriber.consume((message) => router.route(message));
 */
export class StoreRouter {
  /** Running totals, read by the heartbeat and metrics. */
  readonly counts: RouterCounts = { stored: 0, ignored: 0, dropped: 0 };

  constructor(private readonly deps: StoreRouterDeps) {}

  /** Stores one message; the returned promise (when any) resolves once its writer took the row. */
  route(message: BusMessage): void | Promise<void> {
    const inbound = decodeInbound(message);
    if (!inbound.ok) {
      this.counts.dropped++;
      this.deps.onDropped('payload', inbound.error.message, message);
      return undefined;
    }
    try {
      return this.store(inbound.message, message);
    } catch (error) {
      // A mapper refusing a value the codecs accepted is a bug, but one message must not stop the store.
      this.counts.dropped++;
      this.deps.onDropped('unstorable', error instanceof Error ? error.message : String(error), message);
      return undefined;
    }
  }

  private store(decoded: DomainMessage, message: BusMessage): void | Promise<void> {
    const { sinks } = this.deps;
    switch (decoded.kind) {
      case 'quote':
        this.counts.stored++;
        return sinks.quote_ticks.write(quoteTickRow(decoded.value, streamMeta(message)));
      case 'trade':
        this.counts.stored++;
        return sinks.trade_ticks.write(tradeTickRow(decoded.value, streamMeta(message)));
      case 'bookSnapshot':
        this.counts.stored++;
        return sinks.book_snapshots.write(bookSnapshotRow(decoded.value, streamMeta(message)));
      case 'bar':
        this.counts.stored++;
        return sinks.bars.write(barRow(decoded.value));
      case 'fundingRate':
        this.counts.stored++;
        return sinks.funding_rates.write(fundingRateRow(decoded.value, streamMeta(message)));
      case 'instrument':
        this.counts.stored++;
        return this.deps.instruments.seen(decoded.value, message.eventTimeNs);
      case 'orderEvent':
        this.counts.stored++;
        return this.storeOrderEvent(decoded.value, message);
      case 'fill': {
        const fill = decoded.value;
        this.counts.stored++;
        return sinks.fills.write(fillRow(fill, streamMeta(message), this.deps.instruments.fillInstrument(fill.instrument)));
      }
      case 'position':
        this.counts.stored++;
        return sinks.positions.write(positionRow(decoded.value, message.eventTimeNs, streamMeta(message)));
      case 'accountState':
        this.counts.stored++;
        return writeAll(sinks.account_snapshots, accountSnapshotRows(decoded.value, message.eventTimeNs, streamMeta(message)));
      case 'venueStatus':
        this.counts.stored++;
        return sinks.venue_status.write(venueStatusRow(decoded.value, message.eventTimeNs, streamMeta(message)));
      case 'alert':
        this.counts.stored++;
        return sinks.alerts.write(alertRow(decoded.value, message.eventTimeNs, streamMeta(message)));
      case 'heartbeat':
        this.counts.ignored++;
        this.deps.onHeartbeat?.(decoded.value);
        return undefined;
      default:
        // Book deltas (a snapshot stream rebuilds any book), risk denials (the gateway raises an alert) and commands.
        this.counts.ignored++;
        return undefined;
    }
  }

  private async storeOrderEvent(event: OrderEvent, message: BusMessage): Promise<void> {
    await this.deps.sinks.order_events.write(orderEventRow(event, streamMeta(message)));
    await this.deps.orders.add(event);
  }
}

/** The message's place in its stream: the de-duplication key of the row. */
export function streamMeta(message: BusMessage): StreamMeta {
  return { sourceInstance: message.source.instance, epoch: message.epoch, topic: message.topic, sequence: message.sequence };
}

async function writeAll<N extends RoutedTable>(sink: RowSink<N>, rows: readonly TableRow<N>[]): Promise<void> {
  for (const row of rows) await sink.write(row);
}
