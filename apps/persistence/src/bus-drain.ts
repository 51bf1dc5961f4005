/**
 * Waits until a receive counter stops moving: it is read every `quietMs`,
 * and the wait ends at the first reading equal to the one before, or after
 * `maxMs` in any case. On shutdown this stores what is already on its way
 * (queued in the socket) before the socket is closed, since closing a
 * ZeroMQ socket discards its queue.
 *
 * @returns true when the counter went quiet, false when `maxMs` ran out first.
 */
export async function waitUntilQuiet(received: () => number, quietMs: number, maxMs: number): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  let before = received();
  for (;;) {
    const left = deadline - Date.now();
    if (left < quietMs) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, left)));
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = received();
    if (now === before) return true;
    before = now;
  }
}
