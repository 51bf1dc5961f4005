import type { ChildProcess } from 'node:child_process';

/**
 * Waits for an IPC message of `type` from a forked bench role; rejects if the
 * child exits first, so a crashed role fails the bench instead of hanging it.
 */
export function waitForChildMessage<T>(child: ChildProcess, role: string, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }): void => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as T);
    };
    const onExit = (code: number | null): void => reject(new Error(`expected "${type}" from ${role}, it exited with ${code}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
