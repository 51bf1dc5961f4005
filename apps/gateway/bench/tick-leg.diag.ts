// TEMPORARY diagnostic (not committed): md + hub leg latency, observed by a bare zmq subscriber.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort, topics } from '@ttquant/bus';
import { systemClock } from '@ttquant/domain';
import { decodeEnvelope } from '@ttquant/protocol';
import * as zmq from 'zeromq';
import { summarise, formatSummary } from './latency-stats';
import { ServiceProcess, type BenchApp } from './service-process';

const root = join(__dirname, '..', '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const count = process.argv.includes('--count');
  const shm = process.argv.includes('--shm');
  const cwd = mkdtempSync(join(tmpdir(), 'ttq-diag-'));
  const ep = async () => `tcp://127.0.0.1:${await freeTcpPort()}`;
  const [frontend, backend, replay] = [await ep(), await ep(), await ep()];
  const ports = { hub: await freeTcpPort(), md: await freeTcpPort() };
  const start = (app: BenchApp, port: number, body: string) => {
    const file = join(cwd, `${app}.toml`);
    writeFileSync(file, `[service]\ninstance = "bench"\nhttpPort = ${port}\nlogLevel = "warn"\n\n${body}\n`);
    return ServiceProcess.start(root, app, cwd, file);
  };
  const hub = start('hub', ports.hub, `[hub]\nfrontend = "${frontend}"\nbackend = "${backend}"\ncountMessages = ${count}\n`);
  await hub.waitReady(ports.hub);
  const sub = new zmq.Subscriber({ receiveHighWaterMark: 100_000 });
  sub.connect(backend);
  sub.subscribe(topics.tick('SIM', 'ACME'));
  const jdir = shm ? mkdtempSync('/dev/shm/diag-') : join(cwd, 'j');
  const md = start(
    'market-data',
    ports.md,
    `[bus]\nxsubEndpoint = "${frontend}"\nxpubEndpoint = "${backend}"\n[marketData]\nsymbols = ["ACME"]\nreplayEndpoint = "${replay}"\njournalDir = "${jdir}"\n[sim.market]\nticksPerSecond = 10000\ntradeProbability = 0\n`,
  );
  await md.waitReady(ports.md);
  const lat: number[] = [];
  const send: number[] = [];
  let measuring = false;
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const [, body] = await sub.receive();
      const now = systemClock.nowNanos();
      if (!measuring || !body) continue;
      const env = decodeEnvelope(body);
      const item = env.items[0];
      if (!item) continue;
      lat.push(Number(now - BigInt(item.initTimeNs.toString())));
      send.push(Number(BigInt(env.header.sendTimeNs.toString()) - BigInt(item.initTimeNs.toString())));
    }
  })();
  await sleep(1000);
  measuring = true;
  await sleep(4000);
  measuring = false;
  stop = true;
  console.log(`count=${count} shm=${shm} tick init → observer: ${formatSummary(summarise(lat))} (${lat.length})`);
  console.log(`                   tick init → md send stamp: ${formatSummary(summarise(send))}`);
  await md.stop();
  await hub.stop();
  sub.close();
  void loop.catch(() => undefined);
  process.exit(0);
}
void main();
