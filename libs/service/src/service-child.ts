import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync } from 'node:fs';

/** How a child process ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Text of an exit for messages: `code 78` or `signal SIGKILL`. */
export function describeExit(exit: ChildExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code ?? '?'}`;
}

/** True when a process ended the way a clean stop ends. */
export function isCleanExit(exit: ChildExit): boolean {
  return exit.code === 0;
}

/** Settings of one service run as a child process. */
export interface ServiceChildOptions {
  /** Service name for messages, e.g. `gateway`. */
  readonly name: string;
  /** The service's bundle, `dist/apps/<name>/main.cjs`. */
  readonly bundle: string;
  readonly cwd: string;
  /** The complete environment of the child. */
  readonly env: NodeJS.ProcessEnv;
  /** Arguments after the bundle, e.g. `--config gateway.toml`. */
  readonly args?: readonly string[];
  /** Arguments for node itself, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
  /** Port of its `/readyz`. */
  readonly httpPort: number;
  /** stdout and stderr go to this file; without one they are kept in memory. */
  readonly logFile?: string;
  /**
   * Run in its own process group, so a terminal's Ctrl-C reaches only the
   * parent, which then stops its services in order.
   */
  readonly detached?: boolean;
}

/**
 * One TTQuant service as an OS process, for whoever supervises services:
 * `ttq sim` and the test harness. It starts at once; `waitReady` follows its
 * `/readyz`, `stop` ends it with SIGTERM and, past a deadline, SIGKILL.
 */
export class ServiceChild {
  /** Resolves when the process has exited (also when it could not be started). */
  readonly exited: Promise<ChildExit>;
  private exit: ChildExit | undefined;
  private readonly process: ChildProcess;
  private output = '';

  /** Starts the process. */
  constructor(readonly options: ServiceChildOptions) {
    const log = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
    try {
      this.process = spawn(process.execPath, [...(options.nodeArgs ?? []), options.bundle, ...(options.args ?? [])], {
        cwd: options.cwd,
        env: options.env,
        stdio: log === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', log, log],
        detached: options.detached ?? false,
      });
    } finally {
      // The child has its own copy of the descriptor.
      if (log !== undefined) closeSync(log);
    }
    this.process.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.process.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      this.process.once('error', (error) => {
        this.exit = { code: null, signal: null };
        // Where its output goes, so the failure message that quotes it names the cause.
        const line = `cannot start ${options.name}: ${error.message}\n`;
        if (options.logFile === undefined) this.output += line;
        else appendFileSync(options.logFile, line);
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

  /** Everything the process wrote so far. */
  get logs(): string {
    return this.readOutput() ?? '';
  }

  /**
   * Resolves once `/readyz` answers 200.
   * @throws Error naming the service, when it exits first or is not ready in time, with its last log lines
   */
  async waitReady(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const url = `http://127.0.0.1:${this.options.httpPort}/readyz`;
    while (signal?.aborted !== true) {
      if (this.exit) throw new Error(`${this.name} exited with ${describeExit(this.exit)} before it was ready\n${this.logTail()}`);
      // Bounded: a service that accepts the connection but never answers must not stall the wait.
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
      if (response?.status === 200) return;
      if (Date.now() > deadline) throw new Error(`${this.name} was not ready within ${timeoutMs / 1_000} s (${url})\n${this.logTail()}`);
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 100)), this.exited]);
    }
  }

  /**
   * Sends `signal` (SIGTERM by default) and waits for the exit; a process
   * still alive after `deadlineMs` is killed (SIGKILL). Resolves with how it ended.
   */
  async stop(deadlineMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ exit: ChildExit; killed: boolean }> {
    if (this.exit) return { exit: this.exit, killed: false };
    this.signal(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), deadlineMs)));
    const first = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (first !== 'late') return { exit: first, killed: false };
    this.signal('SIGKILL');
    return { exit: await this.exited, killed: true };
  }

  /** Sends a signal if the process still runs (synchronous, for exit safety nets). */
  signal(signal: NodeJS.Signals): void {
    if (this.exit === undefined && this.process.exitCode === null && this.process.signalCode === null) {
      try {
        this.process.kill(signal);
      } catch {
        // Already gone.
      }
    }
  }

  /** The last lines of its output, for failure messages. */
  logTail(lines = 15): string {
    const text = this.readOutput();
    if (text === undefined) return `(no log at ${this.options.logFile})`;
    const tail = text.trimEnd().split('\n').slice(-lines).join('\n');
    return `--- last lines of ${this.options.logFile ?? `${this.name}'s output`} ---\n${tail}`;
  }

  /** Its output so far; undefined when its log file cannot be read. */
  private readOutput(): string | undefined {
    if (this.options.logFile === undefined) return this.output;
    try {
      return readFileSync(this.options.logFile, 'utf8');
    } catch {
      return undefined;
    }
  }
}
