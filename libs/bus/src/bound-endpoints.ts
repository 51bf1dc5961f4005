import type * as zmq from 'zeromq';
import { ipcPath, removeIpcFile } from './endpoints';

/**
 * The endpoints one socket bound, kept so closing it can remove the ipc files
 * it created, which would otherwise be left on disk.
 */
export class BoundEndpoints {
  private readonly ipc: string[] = [];

  /** Binds `socket` and returns the endpoint actually bound (`tcp://127.0.0.1:*` picks a free port). */
  async bind(socket: zmq.Socket, endpoint: string): Promise<string> {
    await socket.bind(endpoint);
    const bound = socket.lastEndpoint ?? endpoint;
    if (ipcPath(bound) !== undefined) this.ipc.push(bound);
    return bound;
  }

  /** Removes the ipc files bound so far; call once the socket is closed. */
  removeIpcFiles(): void {
    for (const endpoint of this.ipc.splice(0)) removeIpcFile(endpoint);
  }
}
