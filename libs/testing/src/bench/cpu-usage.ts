import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) a process has used so far, from /proc; NaN where
 * there is no /proc. Clock ticks are taken as 100 per second (Linux's USER_HZ).
 */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Share of one CPU each process used between two {@link processCpuSeconds} readings. */
export function cpuShares(before: readonly number[], after: readonly number[], seconds: number): number[] {
  return before.map((b, i) => Math.round((((after[i] as number) - b) / seconds) * 100));
}

/** Busy CPU seconds of the whole machine so far, all CPUs together, from /proc/stat; NaN where there is none. */
export function machineCpuSeconds(): number {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] as string).trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Pids of the kernel's DAMON threads (`kdamond.N`), if the kernel runs any. */
function kdamondPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('kdamond');
        } catch {
          return false; // exited meanwhile
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

/** What else used the CPUs during a {@link CpuWindow}: the noise a bench round's tail stretches with. */
export interface BackgroundCpu {
  /** Percent of one CPU used by everything else on the machine: other processes and the kernel (the bench's own process excluded). */
  readonly otherPct: number;
  /**
   * Milliseconds per second the kernel's DAMON threads ran. Where the kernel
   * reclaims memory with DAMON (some VMs), kdamond holds a core for 3-4 ms at
   * a time, and any thread woken on that core waits: the multi-millisecond
   * stalls every pipeline shows (docs/performance.md).
   */
  readonly kdamondMsPerS: number;
}

/** What a {@link CpuWindow} measured. */
export interface CpuWindowReading {
  /** Percent of one CPU each watched process used, in the order given. */
  readonly shares: number[];
  readonly background: BackgroundCpu;
}

/** CPU seconds so far of each of `pids`, in order, and of the whole machine. */
interface CpuReading {
  readonly processes: readonly number[];
  readonly machine: number;
}

function readCpu(pids: readonly (number | undefined)[]): CpuReading {
  return { processes: pids.map(processCpuSeconds), machine: machineCpuSeconds() };
}

/**
 * CPU use over a measuring window: the watched processes, everything else on
 * the machine, and the kernel's DAMON threads, so a round's tail can be read
 * against what else was running.
 */
export class CpuWindow {
  private constructor(
    /** The watched processes, then this one, then kdamond's threads. */
    private readonly pids: readonly (number | undefined)[],
    private readonly watched: number,
    private readonly before: CpuReading,
  ) {}

  static open(watched: readonly (number | undefined)[]): CpuWindow {
    const pids = [...watched, process.pid, ...kdamondPids()];
    return new CpuWindow(pids, watched.length, readCpu(pids));
  }

  close(seconds: number): CpuWindowReading {
    const after = readCpu(this.pids);
    const used = after.processes.map((s, i) => s - (this.before.processes[i] as number));
    const sum = (values: readonly number[]) => values.reduce((total, s) => total + s, 0);
    const ours = this.watched + 1;
    const other = after.machine - this.before.machine - sum(used.slice(0, ours));
    return {
      shares: used.slice(0, this.watched).map((s) => Math.round((s / seconds) * 100)),
      background: { otherPct: Math.max(0, Math.round((other / seconds) * 100)), kdamondMsPerS: Math.round((sum(used.slice(ours)) * 1000) / seconds) },
    };
  }
}
