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
   * An order changed. With `durable` set the event must be on disk when this
   * returns: the engine routes the order to the venue right afterwards, and a
   * restarted gateway must know every client order id it ever routed.
   */
  orderEvent(event: OrderEvent, durable: boolean): void;
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
