import type { Socket } from 'node:net';
import { ClientFrameReader, encodeFrame, FramingError, type InboundFrame, type WireValue } from './framing';

/** A market data subscription of one client. */
export interface MarketSubscription {
  conId: number;
  /** Forced data type after a 10167 warning (delayed), else the session's type applies. */
  forcedType?: number;
  /** Kept but silent after a 10197 competing-session error. */
  silent: boolean;
  snapshotSent: boolean;
}

/** A tick-by-tick subscription. */
export interface TickByTickSubscription {
  conId: number;
  tickType: 'Last' | 'AllLast' | 'BidAsk' | 'MidPoint';
}

/** A depth subscription. */
export interface DepthSubscription {
  conId: number;
  rows: number;
  smartDepth: boolean;
}

/** A real-time bars subscription. */
export interface RealTimeBarSubscription {
  conId: number;
  nextBarSec: number;
}

/** A historical request kept up to date (keepUpToDate=1). */
export interface HistoricalUpdateSubscription {
  conId: number;
  barSec: number;
  formatDate: number;
  barCount: number;
}

/** Where a session is in the connection handshake. */
export type SessionState = 'hello' | 'start-api' | 'ready' | 'closed';

/** What the session hands to the server. */
export interface SessionHandlers {
  onFrame(session: ClientSession, frame: InboundFrame): void;
  onClose(session: ClientSession): void;
  /** The byte stream is corrupt; the session closes itself after this. */
  onStreamError(session: ClientSession, reason: string): void;
  log(line: string): void;
}

/**
 * One client connection: reassembles frames, writes framed messages (queued while stalled, byte by byte
 * while split writes are on) and holds the client's subscriptions.
 */
export class ClientSession {
  state: SessionState = 'hello';
  clientId = -1;
  serverVersion = 0;
  /** 1 realtime, 2 frozen, 3 delayed, 4 delayed-frozen (REQ_MARKET_DATA_TYPE). */
  marketDataType = 1;
  readonly marketData = new Map<number, MarketSubscription>();
  readonly tickByTick = new Map<number, TickByTickSubscription>();
  readonly depth = new Map<number, DepthSubscription>();
  readonly realTimeBars = new Map<number, RealTimeBarSubscription>();
  readonly historicalUpdates = new Map<number, HistoricalUpdateSubscription>();
  readonly accountSummaries = new Map<number, string[]>();
  positionsSubscribed = false;
  accountUpdates: string | undefined;

  private readonly reader = new ClientFrameReader();
  private stalled = false;
  private readonly stallQueue: Buffer[] = [];
  private splitting = false;
  private readonly byteQueue: number[] = [];
  private draining = false;

  constructor(
    readonly socket: Socket,
    readonly label: string,
    private readonly handlers: SessionHandlers,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => handlers.log(`${label}: socket error ${error.message}`));
    socket.on('close', () => {
      this.state = 'closed';
      handlers.onClose(this);
    });
  }

  /** Sends one message (fields as in server-messages). */
  send(fields: readonly WireValue[]): void {
    if (this.state === 'closed' || this.socket.destroyed) return;
    const frame = encodeFrame(fields);
    if (this.stalled) {
      this.stallQueue.push(frame);
      return;
    }
    this.write(frame);
  }

  /** Stops reading and writing until {@link ClientSession.resume}. */
  stall(): void {
    this.stalled = true;
    this.socket.pause();
  }

  /** Resumes after a stall, flushing what was queued meanwhile. */
  resume(): void {
    if (!this.stalled) return;
    this.stalled = false;
    for (const frame of this.stallQueue.splice(0)) this.write(frame);
    if (this.byteQueue.length > 0) this.drainBytes();
    if (!this.socket.destroyed) this.socket.resume();
  }

  /** Turns one-byte writes on or off. */
  splitWrites(on: boolean): void {
    this.splitting = on;
  }

  /** Closes with FIN ('clean') or RST ('reset'). */
  drop(mode: 'clean' | 'reset'): void {
    if (this.socket.destroyed) return;
    if (mode === 'reset') this.socket.resetAndDestroy();
    else this.socket.destroySoon();
  }

  /** Drops every market data subscription (what TWS does on 1101 "data lost"). */
  clearMarketData(): void {
    this.marketData.clear();
    this.tickByTick.clear();
    this.depth.clear();
    this.realTimeBars.clear();
    this.historicalUpdates.clear();
  }

  private write(frame: Buffer): void {
    if (!this.splitting && this.byteQueue.length === 0) {
      this.socket.write(frame);
      return;
    }
    for (const byte of frame) this.byteQueue.push(byte);
    this.drainBytes();
  }

  /** One byte per event-loop turn, so the client really sees single-byte chunks. */
  private drainBytes(): void {
    if (this.draining) return;
    this.draining = true;
    const next = (): void => {
      const byte = this.byteQueue.shift();
      if (byte === undefined || this.socket.destroyed) {
        this.byteQueue.length = 0;
        this.draining = false;
        return;
      }
      if (this.stalled) {
        this.byteQueue.unshift(byte);
        this.draining = false;
        return;
      }
      this.socket.write(Buffer.of(byte));
      setImmediate(next);
    };
    next();
  }

  private onData(chunk: Buffer): void {
    let frames: InboundFrame[];
    try {
      frames = this.reader.push(chunk);
    } catch (error) {
      // A corrupt stream cannot be resynchronised; TWS drops such a client too.
      const reason = error instanceof FramingError ? error.message : String(error);
      this.handlers.onStreamError(this, reason);
      this.socket.destroy();
      return;
    }
    for (const frame of frames) {
      if (this.state === 'closed') return;
      this.handlers.onFrame(this, frame);
    }
  }
}
