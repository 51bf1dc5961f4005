import { StringCache, type SliceableBuffer } from './string-cache';

function bytes(text: string): SliceableBuffer {
  return Buffer.from(text, 'utf8') as SliceableBuffer;
}

describe('StringCache', () => {
  it('returns the decoded text, the same string object for the same bytes', () => {
    const cache = new StringCache();
    const frame = bytes('xxmarket-dataxx');
    const first = cache.decode(frame, 2, 13);
    expect(first).toBe('market-data');
    expect(cache.decode(bytes('market-data'), 0, 11)).toBe(first);
  });

  it('never confuses different bytes, even when they share a slot', () => {
    const cache = new StringCache();
    const seen = new Map<string, string>();
    // Many more distinct strings than slots: collisions are certain.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) {
        const text = `sym-${i}-Ü`;
        const decoded = cache.decode(bytes(text), 0, Buffer.byteLength(text));
        expect(decoded).toBe(text);
        seen.set(text, decoded);
      }
    }
    expect(seen.size).toBe(5000);
  });

  it('decodes long strings without caching them and keeps invalid UTF-8 as Node does', () => {
    const cache = new StringCache();
    const long = 'x'.repeat(100);
    expect(cache.decode(bytes(long), 0, 100)).toBe(long);
    const invalid = Buffer.from([0x61, 0xff, 0x62]) as SliceableBuffer;
    expect(cache.decode(invalid, 0, 3)).toBe(invalid.toString('utf8'));
  });
});
