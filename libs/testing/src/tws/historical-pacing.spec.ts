import { ManualClock } from './fake-clock';
import { HistoricalPacer, type PacingRequest } from './historical-pacing';

const base: PacingRequest = { contractKey: '265598', exchange: 'SMART', whatToShow: 'TRADES', endDateTime: '20250102 16:00:00 UTC', barSize: '1 min', duration: '1 D', useRth: true };
const at = (i: number): PacingRequest => ({ ...base, endDateTime: `202501${String(i).padStart(2, '0')} 16:00:00 UTC` });

describe('historical pacing', () => {
  it('refuses an identical request within 15 s and accepts it from 15 s on', () => {
    const clock = new ManualClock(0);
    const pacer = new HistoricalPacer(clock);
    expect(pacer.admit(base)).toBeUndefined();
    clock.advance(14_999);
    expect(pacer.admit(base)).toBe('identical request repeated after 14999 ms (minimum 15000 ms)');
    clock.advance(1);
    expect(pacer.admit(base)).toBeUndefined();
    // Another bar size is not identical.
    expect(pacer.admit({ ...base, barSize: '5 mins' })).toBeUndefined();
  });

  it('refuses a sixth request for the same contract, exchange and tick type within 2 s', () => {
    const clock = new ManualClock(0);
    const pacer = new HistoricalPacer(clock);
    for (let i = 1; i <= 5; i++) expect(pacer.admit(at(i))).toBeUndefined();
    expect(pacer.admit(at(6))).toBe('6 requests for the same contract, exchange and tick type within 2 s (maximum 5)');
    expect(pacer.admit({ ...at(6), whatToShow: 'BID' })).toBeUndefined();
    expect(pacer.admit({ ...at(6), contractKey: '756733' })).toBeUndefined();
    clock.advance(1_999);
    expect(pacer.admit(at(7))).toBeDefined();
    clock.advance(1);
    expect(pacer.admit(at(7))).toBeUndefined();
  });

  it('refuses the 61st request within 10 minutes; refused requests cost nothing', () => {
    const clock = new ManualClock(0);
    const pacer = new HistoricalPacer(clock);
    for (let i = 0; i < 60; i++) {
      expect(pacer.admit({ ...at(1), contractKey: String(i) })).toBeUndefined();
      clock.advance(5_000);
    }
    expect(pacer.admit({ ...at(1), contractKey: 'x' })).toBe('61 requests within 10 minutes (maximum 60)');
    expect(pacer.admit({ ...at(2), contractKey: 'x' })).toBeDefined();
    // 600 s after the first one, it leaves the window.
    clock.set(600_000);
    expect(pacer.admit({ ...at(1), contractKey: 'x' })).toBeUndefined();
  });

  it('uses a clock that refuses to go back and rejects non-finite times', () => {
    const clock = new ManualClock(10);
    expect(() => clock.advance(-1)).toThrow('expected advance(ms) >= 0, was -1');
    expect(() => clock.set(Number.NaN)).toThrow('expected set(ms) to be a finite number of ms, was NaN');
    clock.set(5);
    expect(clock.now()).toBe(5);
  });
});
