import { bundlePath } from '@ttquant/testing';
import { execFile } from 'node:child_process';

/** How a `ttq` run ended. */
export interface TtqResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `ttq` as its own process, as an operator or a script would. */
export function runTtq(args: readonly string[], options: { cwd: string; env: Readonly<Record<string, string>>; timeoutMs?: number }): Promise<TtqResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [bundlePath('cli'), ...args],
      { cwd: options.cwd, env: { ...process.env, TZ: 'UTC', ...options.env }, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : undefined) : 0;
        if (code === undefined) reject(new Error(`ttq ${args.join(' ')} did not finish: ${error?.message ?? ''}\n${stderr}`));
        else resolve({ code, stdout, stderr });
      },
    );
  });
}
