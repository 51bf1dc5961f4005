/**
 * Resolves once `condition` holds, checking every few milliseconds; rejects
 * after `timeoutMs` naming what was awaited. For states with no event to
 * listen to (a row count, a server-side lock wait).
 */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
