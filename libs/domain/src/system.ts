import type { InstrumentId } from './instrument';

export const CONNECTION_STATES = ['CONNECTING', 'CONNECTED', 'DEGRADED', 'DISCONNECTED', 'RECONNECTING'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

/** A venue connection changed state. */
export interface VenueStatus {
  readonly venue: string;
  readonly channel: 'data' | 'execution';
  /** Empty for data connections. */
  readonly account: string;
  readonly state: ConnectionState;
  readonly detail: string;
}

export const SERVICE_STATES = ['STARTING', 'READY', 'DRAINING', 'STOPPED'] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

/** Every service publishes one periodically. */
export interface Heartbeat {
  readonly service: string;
  readonly instance: string;
  readonly state: ServiceState;
  readonly uptimeMs: number;
  readonly info: Readonly<Record<string, string>>;
}

/** A pre-trade check refused an order. */
export interface RiskDenial {
  readonly account: string;
  readonly clientOrderId: string;
  readonly instrument: InstrumentId;
  /** The check that refused, e.g. `max-notional`. */
  readonly check: string;
  readonly reason: string;
}

export const ALERT_SEVERITIES = ['INFO', 'WARNING', 'CRITICAL'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export interface Alert {
  readonly severity: AlertSeverity;
  readonly source: string;
  readonly code: string;
  readonly message: string;
  readonly context: Readonly<Record<string, string>>;
}
