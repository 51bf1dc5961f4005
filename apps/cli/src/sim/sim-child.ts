import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** How a child process ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Settings of one service process of the simulation. */
export interface SimChildOptions {
  /** Service name, e.g. `gateway`. */
  readonly name: string;
  /** The service's bundle, `dist/apps/<name>/main.cjs`. */
  readonly bundle: string;
  readonly cwd: string;
  /** The complete environment of the child. */
  readonly env: NodeJS.ProcessEnv;
  /** stdout and stderr go here. */
  readonly logFile: string;
  /** Port of its `/readyz`. */
  readonly httpPort: number;
}

/** Text of an exit for messages: `code 78` or `signal SIGKILL`. */
export function describeExit(exit: ChildExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code ?? '?'}`;
}

/** True when a process ended the way a clean stop ends. */
export function isCleanExit(exit: ChildExit): boolean {
  return exit.code === 0;
}

/**
 * One service of the simulation as an OS process. Its output goes straight
 * to its log file (the launcher never handles log lines). It runs in its own
 * process group, so the terminal's Ctrl-C reaches only the launcher, which
 * then stops the services in order.
 */
export class SimChild {
  /** Resolves when the process has exited. */
  readonly exited: Promise<ChildExit>;
  private exit: ChildExit | undefined;
  private readonly process: ChildProcess;

  /** Starts the process at once. */
  constructor(readonly options: SimChildOptions) {
    const log = openSync(options.logFile, 'a');
    try {
      this.process = spawn(process.execPath, [options.bundle], {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', log, log],
        detached: true,
      });
    } finally {
      // The child has its own copy of the descriptor.
      closeSync(log);
    }
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      this.process.once('error', (error) => {
        this.exit = { code: null, signal: null };
        process.stderr.write(`ttq: cannot start ${options.name}: ${error.message}\n`);
        resolve(this.exit);
      });
    });
  }

  /** The service name. */
  get name(): string {
    return this.options.name;
  }

  /** The OS process id, once spawned. */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** The exit, once the process has ended. */
  get exitStatus(): ChildExit | undefined {
    return this.exit;
  }

  /**
   * Resolves once `/readyz` answers 200.
   * @throws Error naming the service, when it exits first or is not ready in time, with its last log lines
   */
  async waitReady(timeoutMs: number, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const url = `http://127.0.0.1:${this.options.httpPort}/readyz`;
    while (!signal.aborted) {
      if (this.exit) throw new Error(`${this.name} exited with ${describeExit(this.exit)} before it was ready\n${this.logTail()}`);
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
      if (response?.status === 200) return;
      if (Date.now() > deadline) throw new Error(`${this.name} was not ready within ${timeoutMs / 1_000} s (${url})\n${this.logTail()}`);
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 100)), this.exited]);
    }
  }

  /**
   * Sends SIGTERM and waits for the exit; a process still alive after
   * `deadlineMs` is killed (SIGKILL). Resolves with how it ended.
   */
  async stop(deadlineMs: number): Promise<{ exit: ChildExit; killed: boolean }> {
    if (this.exit) return { exit: this.exit, killed: false };
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), deadlineMs)));
    const first = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (first !== 'late') return { exit: first, killed: false };
    this.signal('SIGKILL');
    return { exit: await this.exited, killed: true };
  }

  /** Sends a signal if the process still runs (used by the exit safety net, so it is synchronous). */
  signal(signal: NodeJS.Signals): void {
    if (this.exit === undefined && this.process.exitCode === null && this.process.signalCode === null) {
      try {
        this.process.kill(signal);
      } catch {
        // Already gone.
      }
    }
  }

  /** The last lines of its log, for failure messages. */
  logTail(lines = 15): string {
    let text = '';
    try {
      text = readFileSync(this.options.logFile, 'utf8');
    } catch {
      return `(no log at ${this.options.logFile})`;
    }
    const tail = text.trimEnd().split('\n').slice(-lines).join('\n');
    return `--- last lines of ${this.options.logFile} ---\n${tail}`;
  }
}
