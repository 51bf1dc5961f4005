import { topics, type Publisher } from '@ttquant/bus';
import type { ServiceState } from '@ttquant/domain';
import { encodePayload } from '@ttquant/protocol';

/** Settings of a {@link Heartbeat}. */
export interface HeartbeatOptions {
  readonly publisher: Publisher;
  readonly service: string;
  readonly instance: string;
  /** Counters and facts to include (see docs/services.md for each service's keys). */
  readonly info: () => Record<string, string>;
  /** Default 1 s. */
  readonly intervalMs?: number;
  /** Told when a beat could not be published. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Publishes the service's heartbeat on `sys.status.<service>.<instance>`
 * every interval, and a last one with state STOPPED on {@link stop}, so
 * operators (and `ttq status`) see both liveness and the final counters.
 */
export class Heartbeat {
  private readonly startedAt = Date.now();
  private state: ServiceState = 'STARTING';
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: HeartbeatOptions) {}

  start(): void {
    this.beat();
    this.timer = setInterval(() => this.beat(), this.options.intervalMs ?? 1_000);
    this.timer.unref();
  }

  /** Changes the state reported from the next beat on (and beats at once). */
  setState(state: ServiceState): void {
    this.state = state;
    this.beat();
  }

  /** Publishes the last heartbeat (state STOPPED) and stops. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.state = 'STOPPED';
    this.beat();
  }

  private beat(): void {
    const { publisher, service, instance, info } = this.options;
    if (publisher.closed) return;
    try {
      this.publish(publisher, service, instance, info);
    } catch (error) {
      // A full send queue or a closing socket: this beat is lost, the service goes on; the next one tries again.
      this.failures++;
      this.options.onError?.(error);
    }
  }

  /** Beats that could not be published. */
  failures = 0;

  private publish(publisher: Publisher, service: string, instance: string, info: () => Record<string, string>): void {
    publisher.publish(
      topics.status(service, instance),
      encodePayload({
        kind: 'heartbeat',
        value: { service, instance, state: this.state, uptimeMs: Date.now() - this.startedAt, info: info() },
      }),
    );
  }
}
