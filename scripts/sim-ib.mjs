#!/usr/bin/env node
// `npm run sim:ib -- [--duration <s>] [--summary <file>] …`: the simulation on the IB
// adapter without a real TWS. Starts the fake TWS of libs/testing (the real TWS API wire
// protocol, a paper broker whose quotes move and whose market orders fill) on a free port,
// then runs `npm start` — build, then `ttq sim --venue ib` — against it with the fake's
// paper account id in IB_ACCOUNT (TTQuant names the account IBPAPER1: the id reaches only
// the gateway and market-data, on the wire to TWS), and stops the fake when the run is
// over. The exit code is the run's.
// Extra arguments go to `ttq sim` (see `ttq sim --help`).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// The paper account the fake manages: what TWS would report in MANAGED_ACCTS.
const ACCOUNT = 'DU1234567';

// The fake is TypeScript in libs/testing: run it from source, as `npm run bench` runs benches.
process.env.SWC_NODE_PROJECT = join(root, 'tsconfig.base.json');
const require = createRequire(import.meta.url);
require('@swc-node/register');
const { startFakeTws } = require(join(root, 'libs/testing/src/tws/fake-tws-server.ts'));

const args = process.argv.slice(2);
if (args.some((arg) => arg === '--venue' || arg.startsWith('--venue=') || arg.startsWith('--ib-'))) {
  process.stderr.write('npm run sim:ib: --venue and --ib-* are set by this script (it runs its own fake TWS); use ttq sim --venue ib for a real TWS\n');
  process.exit(2);
}

const fake = await startFakeTws({ managedAccounts: [ACCOUNT] });
// Shown masked, as TTQuant shows an IB account id everywhere.
const masked = `${ACCOUNT.slice(0, 2)}****${ACCOUNT.slice(-2)}`;
process.stderr.write(`npm run sim:ib: fake TWS (paper account ${masked}) listening on 127.0.0.1:${fake.port}\n`);

const sim = spawn(
  process.execPath,
  [join(root, 'scripts/start.mjs'), '--venue', 'ib', '--ib-port', String(fake.port), ...args],
  // The account is a secret for a real TWS, so it travels in the environment, as it would there.
  { cwd: root, stdio: 'inherit', env: { ...process.env, IB_ACCOUNT: ACCOUNT } },
);
// The launcher stops its services in order on Ctrl-C; pass signals on and wait for it.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (sim.exitCode === null && sim.signalCode === null) sim.kill(signal);
  });
}
const code = await new Promise((done) => sim.on('exit', (exit, signal) => done(exit ?? (signal ? 1 : 0))));
const placed = fake.placeOrderLog.length;
const refused = fake.clientErrors.length;
await fake.close();
process.stderr.write(`npm run sim:ib: the fake TWS received ${placed} order(s)${refused ? `, refused ${refused} message(s): ${fake.clientErrors.join('; ')}` : ''}\n`);
process.exit(refused > 0 && code === 0 ? 1 : code);
