import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describeExit, type ChildExit } from '@ttquant/service';

/** The embedded PostgreSQL, run by `ttq db serve` in a process of its own. */
export interface EmbeddedServerProcess {
  /** Server URL (with the generated password). */
  readonly url: string;
  /** Stops the server (SIGTERM to `ttq db serve`, which shuts PostgreSQL down) and waits. */
  stop(): Promise<ChildExit>;
  /** Sends SIGTERM without waiting (exit safety net). */
  kill(): void;
}

/**
 * Starts `ttq db serve --json` (this same bundle) detached, in its own process
 * group: the terminal's Ctrl-C then reaches only the launcher, and the
 * database stays up until persistence has flushed and the summary is read.
 */
export function startEmbeddedServer(cliBundle: string, cwd: string, logFile: string, timeoutMs = 60_000): Promise<EmbeddedServerProcess> {
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [cliBundle, 'db', 'serve', '--json'], { cwd, detached: true, stdio: ['ignore', 'pipe', log] });
  closeSync(log);
  const exited = new Promise<ChildExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`the embedded PostgreSQL did not start within ${timeoutMs / 1_000} s; see ${logFile}`));
    }, timeoutMs);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => {
      clearTimeout(timer);
      let url: unknown;
      try {
        url = (JSON.parse(line) as { url?: unknown }).url;
      } catch {
        url = undefined;
      }
      if (typeof url !== 'string') {
        kill();
        reject(new Error(`expected the embedded server's URL as JSON from ttq db serve, was ${JSON.stringify(line)}`));
        return;
      }
      const stop = () => {
        kill();
        return exited;
      };
      resolve({ url, stop, kill });
    });
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`the embedded PostgreSQL exited with ${describeExit(exit)} before it was ready; see ${logFile}`));
    });
  });
}
