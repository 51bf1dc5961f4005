import type { Pool } from 'pg';

/**
 * Keeps a broken connection from killing the process. pg-pool listens for
 * errors only on idle clients; a client checked out (a COPY or a query in
 * progress) whose socket is reset emits `error` with no listener, which Node
 * turns into an uncaught exception. The query in progress fails on its own
 * (and its caller retries), so this listener only has to exist and log.
 */
export function guardPoolClients(pool: Pool, onError: (error: Error) => void): void {
  pool.on('connect', (client) => {
    client.on('error', onError);
  });
}
