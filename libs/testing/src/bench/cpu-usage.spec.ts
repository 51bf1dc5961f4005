import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CpuWindow, machineCpuSeconds } from './cpu-usage';

/** A child that burns `ms` of its own CPU time, writes its CPU seconds so far on stdout, then idles until killed. */
function burner(ms: number) {
  const script =
    `const end = ${ms * 1000}; while (process.cpuUsage().user < end) {} ` +
    `const used = process.cpuUsage(); process.stdout.write(String((used.user + used.system) / 1e6)); setInterval(() => {}, 1000);`;
  return spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

describe('CpuWindow', () => {
  it('charges a watched process with the CPU it used in the window and the machine with at least as much', async () => {
    const child = burner(300);
    try {
      const machineBefore = machineCpuSeconds();
      const window = CpuWindow.open([child.pid]);
      const started = process.hrtime.bigint();
      const [output] = (await once(child.stdout, 'data')) as [Buffer];
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const reading = window.close(seconds);

      // The window opened as the child was spawned, so it saw all of the child's CPU time, give or
      // take /proc's 10 ms ticks and the share's rounding to a whole percent.
      const childSeconds = ((reading.shares[0] as number) * seconds) / 100;
      expect(Math.abs(childSeconds - Number(output.toString()))).toBeLessThan(0.03 + seconds / 100);
      expect(machineCpuSeconds() - machineBefore).toBeGreaterThanOrEqual(childSeconds - 0.05);
      expect(reading.background.otherPct).toBeGreaterThanOrEqual(0);
      expect(reading.background.kdamondMsPerS).toBeGreaterThanOrEqual(0);
    } finally {
      child.kill();
    }
  });

  it('reads an exited or unknown process as NaN instead of failing the bench', () => {
    const reading = CpuWindow.open([undefined]).close(1);
    expect(reading.shares).toEqual([Number.NaN]);
  });
});
