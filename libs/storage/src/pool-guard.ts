import type { Pool } from 'pg';

/**
 * Keeps a broken connection from killing the process. pg-pool re-emits the
 * error of an idle client on the pool, and a client checked out (a COPY or a
 * query in progress) whose socket is reset emits `error` itself: either one
 * with no listener is an uncaught exception. The query in progress fails on
 * its own (and its caller retries), so the listeners only have to exist and
 * report.
 */
export function guardPool(pool: Pool, onError: (error: Error, inUse: boolean) => void): void {
  pool.on('error', (error) => onError(error, false));
  pool.on('connect', (client) => {
    client.on('error', (error) => onError(error, true));
  });
}
