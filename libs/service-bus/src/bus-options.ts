import type { SocketOptions } from '@ttquant/bus';
import type { BusConfig } from '@ttquant/config';

/** ZeroMQ socket settings from a service's `bus` config section. */
export function socketOptionsFrom(bus: BusConfig): SocketOptions {
  return {
    sendHighWaterMark: bus.sendHwm,
    receiveHighWaterMark: bus.receiveHwm,
    linger: bus.linger,
    reconnectInterval: bus.reconnectInterval,
    reconnectMaxInterval: bus.reconnectMax,
  };
}
