import type {
  AccountState,
  Alert,
  Fill,
  OrderEvent,
  PositionSnapshot,
  RiskDenial,
  VenueStatus,
} from '@ttquant/domain';

/**
 * Where the execution engine's output goes. The gateway app implements it by
 * journaling and publishing on the bus; tests collect it.
 */
export interface ExecutionSink {
  /**
   * An order changed. `durable` marks events a restarted gateway must find in
   * its journal (an accepted or denied client order id): the engine waits for
   * {@link persisted} before routing such an order to the venue.
   */
  orderEvent(event: OrderEvent, durable: boolean): void;
  /**
   * Resolves once every event handed over so far is on disk. It may sync in
   * place when the disk has been idle (one short block instead of a hand-off to
   * another thread and back), but callers close together must be able to share
   * one disk flush (group commit), so a burst is not serialised.
   */
  persisted(): Promise<void>;
  fill(fill: Fill): void;
  position(position: PositionSnapshot): void;
  account(state: AccountState): void;
  /** A command was refused before reaching the venue. */
  denial(denial: RiskDenial): void;
  alert(alert: Alert): void;
  venueStatus(status: VenueStatus): void;
}

/** The few logger methods the engine uses; a pino logger fits. */
export interface ExecutionLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}
