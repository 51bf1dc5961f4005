import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * Runs `COPY … FROM STDIN` on `client`, sending `chunks` as the data, and
 * resolves with the number of rows the server reports once it has committed
 * them (pg-copy-streams finishes only after the server's ReadyForQuery).
 */
export function copyChunks(client: ClientBase, sql: string, chunks: readonly Buffer[]): Promise<number> {
  const stream = client.query(copyFrom(sql));
  return new Promise<number>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', () => resolve(stream.rowCount));
    for (const chunk of chunks) stream.write(chunk);
    stream.end();
  });
}
