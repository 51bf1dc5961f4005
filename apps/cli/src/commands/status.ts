import { Subscriber, topics } from '@ttquant/bus';
import type { Heartbeat, VenueStatus } from '@ttquant/domain';
import { decodeInbound, socketOptionsFrom } from '@ttquant/service-bus';
import { booleanFlag, durationFlag, type FlagSpecs } from '../args';
import { CLI_EXIT, UnreachableError } from '../cli-errors';
import type { Command } from '../command';
import { humanDuration, jsonText, renderTable, type Column } from '../output';

const flags = {
  seconds: { type: 'string', value: '<s>', help: 'how long to listen for heartbeats (default 2)' },
} as const satisfies FlagSpecs;

/** One service instance as last heard of. */
export interface ServiceSighting {
  readonly service: string;
  readonly instance: string;
  readonly state: Heartbeat['state'];
  readonly uptimeMs: number;
  /** How long before the end of listening its last heartbeat arrived. */
  readonly lastHeartbeatAgeMs: number;
  readonly info: Readonly<Record<string, string>>;
}

/** One venue connection as last heard of. */
export interface VenueSighting extends VenueStatus {
  readonly lastChangeAgeMs: number;
}

/** What `ttq status` saw on the bus. */
export interface StatusReport {
  readonly services: readonly ServiceSighting[];
  readonly venues: readonly VenueSighting[];
}

const SERVICE_COLUMNS: readonly Column<ServiceSighting>[] = [
  { heading: 'SERVICE', cell: (s) => s.service },
  { heading: 'INSTANCE', cell: (s) => s.instance },
  { heading: 'STATE', cell: (s) => s.state },
  { heading: 'UPTIME', cell: (s) => humanDuration(s.uptimeMs), right: true },
  { heading: 'LAST BEAT', cell: (s) => `${humanDuration(s.lastHeartbeatAgeMs)} ago`, right: true },
  { heading: 'INFO', cell: (s) => Object.entries(s.info).map(([k, v]) => `${k}=${v}`).join(' ') },
];

const VENUE_COLUMNS: readonly Column<VenueSighting>[] = [
  { heading: 'VENUE', cell: (v) => v.venue },
  { heading: 'CHANNEL', cell: (v) => v.channel },
  { heading: 'ACCOUNT', cell: (v) => v.account },
  { heading: 'STATE', cell: (v) => v.state },
  { heading: 'CHANGED', cell: (v) => `${humanDuration(v.lastChangeAgeMs)} ago`, right: true },
  { heading: 'DETAIL', cell: (v) => v.detail },
];

/**
 * Listens to the hub's heartbeats (`sys.status.`) and venue connection changes
 * (`sys.venue.`) for a while and reports the latest of each.
 */
export async function collectStatus(subscriber: Subscriber, listenMs: number, signal?: AbortSignal): Promise<StatusReport> {
  const services = new Map<string, { beat: Heartbeat; at: number }>();
  const venues = new Map<string, { status: VenueStatus; at: number }>();
  const loop = subscriber.consume((message) => {
    const inbound = decodeInbound(message);
    if (!inbound.ok) return;
    const { kind, value } = inbound.message;
    if (kind === 'heartbeat') services.set(`${value.service}\u0000${value.instance}`, { beat: value, at: Date.now() });
    else if (kind === 'venueStatus') venues.set(`${value.venue}\u0000${value.channel}\u0000${value.account}`, { status: value, at: Date.now() });
  });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, listenMs);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  subscriber.close();
  await loop;
  const end = Date.now();
  const byName = (a: { service: string; instance: string }, b: { service: string; instance: string }) =>
    a.service.localeCompare(b.service) || a.instance.localeCompare(b.instance);
  return {
    services: [...services.values()]
      .map(({ beat, at }) => ({ ...beat, lastHeartbeatAgeMs: end - at }))
      .sort(byName),
    venues: [...venues.values()]
      .map(({ status, at }) => ({ ...status, lastChangeAgeMs: end - at }))
      .sort((a, b) => a.venue.localeCompare(b.venue) || a.channel.localeCompare(b.channel)),
  };
}

/** `ttq status`: services and venue connections as heard on the bus. */
export const statusCommand: Command = {
  name: 'status',
  summary: 'list running services (heartbeats) and venue connections',
  usage: 'ttq status [--seconds <s>] [--json]',
  flags,
  async run(args, ctx) {
    const listenMs = durationFlag(args, 'seconds', 2_000);
    const { bus } = ctx.config();
    const subscriber = new Subscriber({ ...socketOptionsFrom(bus), linger: 0, name: 'ttq-status' });
    subscriber.connect(bus.xpubEndpoint);
    subscriber.subscribe(topics.prefix.allStatus());
    subscriber.subscribe(topics.prefix.allVenueStatus());
    const report = await collectStatus(subscriber, listenMs, ctx.signal);
    if (report.services.length === 0 && report.venues.length === 0) {
      throw new UnreachableError(
        'hub XPUB endpoint',
        bus.xpubEndpoint,
        `no heartbeat within ${humanDuration(listenMs)} (is the hub running, and any service? set bus.xpubEndpoint or TTQ_BUS_XPUB_ENDPOINT)`,
      );
    }
    if (booleanFlag(args, 'json')) {
      ctx.io.out(jsonText(report));
      return CLI_EXIT.ok;
    }
    ctx.io.out(report.services.length > 0 ? renderTable(SERVICE_COLUMNS, report.services) : 'no heartbeats\n');
    ctx.io.out('\n');
    ctx.io.out(
      report.venues.length > 0
        ? renderTable(VENUE_COLUMNS, report.venues)
        : 'no venue connection changes heard (venues report on change; see each service\'s info)\n',
    );
    return CLI_EXIT.ok;
  },
};
