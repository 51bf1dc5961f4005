import type { wire } from '@ttquant/protocol';
import * as zmq from 'zeromq';
import { BusSocket, type BusSocketOptions } from './bus-socket';
import { EnvelopeStamper, type MessageTimes, type StamperOptions } from './envelope-stamper';
import { BusClosedError } from './errors';
import { FamilyCounts, type SocketMetricsSnapshot } from './metrics';
import { ReceivingSocket, type ReceivingSocketOptions } from './receiving-socket';
import { zmqSocketOptions } from './socket-options';
import type { Topic } from './topics';

/** Options of a {@link Pusher}. */
export interface PusherOptions extends BusSocketOptions, StamperOptions {
  /**
   * Milliseconds a send may wait at the high-water mark before it rejects;
   * -1 (default) waits for as long as it takes.
   */
  readonly sendTimeoutMs?: number;
}

/** Counters of a {@link Pusher}. */
export interface PusherStats {
  /** Messages accepted by zeromq. */
  readonly sent: number;
  /** Sends that failed (timeout at the high-water mark, socket closed). */
  readonly failed: number;
  /** Sends waiting for earlier ones. */
  readonly waiting: number;
}

const noop = (): void => undefined;

/**
 * PUSH socket for order commands: frames `[topic, envelope]` stamped like a
 * publisher's (source, epoch, per-topic sequence). At the high-water mark it
 * waits instead of dropping; sends complete in call order.
 *
 * @example
 * const push = new Pusher({ source: { service: 'strategy-engine', instance: 'se-1' } });
 * push.connect(gatewayCommandEndpoint);
 * await push.send(topics.orderCommand('DU123456'), { submitOrder });
 */
export class Pusher extends BusSocket<zmq.Push> {
  /** This sender's run. */
  readonly epoch: bigint;
  private readonly stamper: EnvelopeStamper;
  private readonly sentByFamily: FamilyCounts | undefined;
  private tail: Promise<void> = Promise.resolve();
  private sentCount = 0;
  private failedCount = 0;
  private waitingCount = 0;

  constructor(options: PusherOptions) {
    super(
      new zmq.Push({ ...zmqSocketOptions(options, 'send'), sendTimeout: options.sendTimeoutMs ?? -1 }),
      options.name ?? 'pusher',
      options.registry,
    );
    this.stamper = new EnvelopeStamper(options);
    this.epoch = this.stamper.epoch;
    this.sentByFamily = this.exportsMetrics ? new FamilyCounts() : undefined;
  }

  /**
   * Stamps a message now and resolves with its sequence once zeromq has
   * accepted it (waiting at the high-water mark). Rejects if the socket
   * closes first or the send timeout expires.
   */
  send(topic: Topic, payload: wire.IPayload, times?: MessageTimes): Promise<number> {
    if (this.socket.closed) return Promise.reject(new BusClosedError(this.name));
    const stream = this.stamper.stream(topic);
    const sequence = this.stamper.nextSequence(stream);
    const frames: [Buffer, Uint8Array] = [stream.topicFrame, this.stamper.encodeMessage(sequence, payload, times)];
    this.waitingCount++;
    const sent = this.tail.then(() => this.socket.send(frames));
    this.tail = sent.catch(noop);
    return sent.then(
      () => {
        this.waitingCount--;
        this.sentCount++;
        this.sentByFamily?.add(topic);
        return sequence;
      },
      (err: unknown) => {
        this.waitingCount--;
        this.failedCount++;
        throw this.socket.closed ? new BusClosedError(this.name) : err;
      },
    );
  }

  /** Counters since construction. */
  stats(): PusherStats {
    return { sent: this.sentCount, failed: this.failedCount, waiting: this.waitingCount };
  }

  /** @inheritdoc */
  metricsSnapshot(): SocketMetricsSnapshot {
    return { sent: this.sentByFamily?.snapshot(), queued: this.waitingCount };
  }

  /** Closes the socket; sends still waiting reject with {@link BusClosedError}. */
  close(): void {
    this.closeSocket();
  }
}

/** Options of a {@link Puller}. */
export type PullerOptions = ReceivingSocketOptions;

/**
 * PULL socket for order commands: yields checked messages like a
 * {@link Subscriber} (gaps reported per sender and topic, duplicates dropped).
 * The gateway binds it; strategy engines connect their pushers.
 */
export class Puller extends ReceivingSocket<zmq.Pull> {
  constructor(options: PullerOptions = {}) {
    super(new zmq.Pull(zmqSocketOptions(options, 'receive')), options.name ?? 'puller', options);
  }
}
