import { migrate } from '../migrations/migrate';
import { createTestSchema, type TestSchema } from './test-schema';
import { DAY0 } from './fixtures';

/**
 * A test schema with the TTQuant schema migrated into it, so specs write into
 * real daily partitions.
 */
export async function createMigratedSchema(): Promise<TestSchema> {
  const schema = await createTestSchema();
  try {
    // "Now" is the fixtures' day: daily partitions for 2024-03-01..03, everything else in DEFAULT.
    await migrate(schema.pool, { partitionDaysAhead: 2, now: new Date(Number(DAY0 / 1_000_000n)) });
  } catch (err) {
    await schema.drop();
    throw err;
  }
  return schema;
}
