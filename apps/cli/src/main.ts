import { runCli } from './cli';
import { processIo } from './output';

/**
 * `ttq`: operator commands (status, orders, positions, order submit/cancel,
 * db migrate) and the simulation launcher (`ttq sim`, behind `npm start`).
 */
const interrupted = new AbortController();
process.on('SIGINT', () => {
  // The first Ctrl-C stops the command cleanly; further ones are reported, not obeyed, so a clean stop finishes.
  if (interrupted.signal.aborted) process.stderr.write('ttq: stopping, please wait\n');
  interrupted.abort();
});
process.on('SIGTERM', () => interrupted.abort());

void runCli(process.argv.slice(2), { io: processIo, env: process.env, cwd: process.cwd(), signal: interrupted.signal }).then((code) => {
  process.exitCode = code;
  // Sockets with linger or a stray timer must not keep a finished command alive.
  setTimeout(() => process.exit(code), 3_000).unref();
});
