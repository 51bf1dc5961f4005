import { connectDatabase } from './database';
import { TEST_DATABASE_URL } from './testing/test-schema';

describe('connectDatabase', () => {
  it('uses the URL when one is given', async () => {
    const db = await connectDatabase({ url: TEST_DATABASE_URL, maxConnections: 2, applicationName: 'ttq-storage-spec' });
    try {
      expect(db).toMatchObject({ url: TEST_DATABASE_URL, embedded: false });
      const result = await db.pool.query("SELECT current_setting('application_name') AS name");
      expect(result.rows).toEqual([{ name: 'ttq-storage-spec' }]);
    } finally {
      await db.close();
    }
    // Closing twice is harmless (shutdown paths often overlap).
    await db.close();
  });

  it('fails fast on a server that is not there', async () => {
    await expect(connectDatabase({ url: 'postgres://postgres@127.0.0.1:1/none' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
