import { Listeners } from './listeners';

describe('Listeners', () => {
  it('calls handlers in registration order and stops calling removed ones', () => {
    const listeners = new Listeners<number>();
    const seen: string[] = [];
    const removeA = listeners.add((n) => seen.push(`a${n}`));
    listeners.add((n) => seen.push(`b${n}`));
    listeners.emit(1);
    removeA();
    removeA();
    listeners.emit(2);
    expect(seen).toEqual(['a1', 'b1', 'b2']);
    expect(listeners.size).toBe(1);
  });

  it('runs every handler even when one throws, then rethrows the first error', () => {
    const listeners = new Listeners<string>();
    const seen: string[] = [];
    listeners.add(() => {
      throw new Error('first');
    });
    listeners.add(() => {
      throw new Error('second');
    });
    listeners.add((s) => seen.push(s));
    expect(() => listeners.emit('x')).toThrow('first');
    expect(seen).toEqual(['x']);
  });

  it('lets a handler unsubscribe itself during an emit without skipping others', () => {
    const listeners = new Listeners<number>();
    const seen: string[] = [];
    const remove = listeners.add(() => {
      seen.push('once');
      remove();
    });
    listeners.add(() => seen.push('always'));
    listeners.emit(1);
    listeners.emit(2);
    expect(seen).toEqual(['once', 'always', 'always']);
  });

  it('clear removes every handler', () => {
    const listeners = new Listeners<number>();
    let calls = 0;
    listeners.add(() => calls++);
    listeners.clear();
    listeners.emit(1);
    expect(calls).toBe(0);
    expect(listeners.size).toBe(0);
  });
});
