import { createServer } from 'node:net';
import { AAPL, aaplInstrument as aapl, DAY0 } from '../testing/fixtures';
import { createMigratedSchema } from '../testing/migrated-schema';
import { createTestSchema, TEST_DATABASE_URL, type TestSchema } from '../testing/test-schema';
import { openInstrumentCache } from './best-effort-instrument-cache';


/** The test database with unqualified names resolved in `schema`. */
function urlFor(schema: string): string {
  return `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

function recordingLogger() {
  const warnings: string[] = [];
  return { warnings, logger: { info: () => undefined, error: () => undefined, warn: (_f: Record<string, unknown>, message: string) => warnings.push(message) } };
}

describe('openInstrumentCache', () => {
  it('keeps and finds instruments in a migrated database', async () => {
    const schema = await createMigratedSchema();
    const { cache, close } = openInstrumentCache(urlFor(schema.name));
    try {
      expect(await cache.get(AAPL)).toBeUndefined();
      await cache.put(aapl, DAY0);
      expect(await cache.get(AAPL)).toEqual({ instrument: aapl, firstSeen: DAY0, lastSeen: DAY0 });
      expect((await cache.list(AAPL.venue)).map((c) => c.instrument.id.symbol)).toEqual([AAPL.symbol]);
    } finally {
      await close();
      await schema.drop();
    }
  });

  it('misses and skips writes, with one warning, while the tables are not migrated yet', async () => {
    const schema: TestSchema = await createTestSchema();
    const { warnings, logger } = recordingLogger();
    const { cache, close } = openInstrumentCache(urlFor(schema.name), logger);
    try {
      expect(await cache.get(AAPL)).toBeUndefined();
      await cache.put(aapl, DAY0);
      expect(await cache.list()).toEqual([]);
      expect(warnings).toEqual(['instrument cache unavailable (read): asking the venue instead']);
    } finally {
      await close();
      await schema.drop();
    }
  });

  it('never throws when the database cannot be reached', async () => {
    // A port that accepts nothing: listen, note it, close.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const { warnings, logger } = recordingLogger();
    const { cache, close } = openInstrumentCache(`postgres://postgres@127.0.0.1:${port}/test`, logger);
    try {
      await expect(cache.get(AAPL)).resolves.toBeUndefined();
      await expect(cache.put(aapl, DAY0)).resolves.toBeUndefined();
      expect(warnings).toHaveLength(1);
    } finally {
      await close();
    }
  });
});
