/**
 * A topic or topic segment that cannot be built or parsed. Says what was
 * expected and what was found.
 *
 * @example
 * new TopicError('account', 'letters, digits, "_" or "-"', '"DU 1"').message
 * // 'topic account: expected letters, digits, "_" or "-", was "DU 1"'
 */
export class TopicError extends Error {
  override readonly name = 'TopicError';
  constructor(
    /** The segment or part at fault, e.g. `venue` or `topic`. */
    readonly part: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`topic ${part}: expected ${expected}, was ${found}`);
  }
}

/** A request got no reply in time. The requester's socket was recreated; the request may or may not have been handled. */
export class BusTimeoutError extends Error {
  override readonly name = 'BusTimeoutError';
  constructor(
    readonly method: string,
    readonly timeoutMs: number,
  ) {
    super(`request ${method}: expected a reply within ${timeoutMs} ms, got none`);
  }
}

/** The replier's handler failed; carries the replier's error text. */
export class BusRemoteError extends Error {
  override readonly name = 'BusRemoteError';
  constructor(
    readonly method: string,
    readonly remoteMessage: string,
  ) {
    super(`request ${method}: expected a result, the replier answered with the error "${remoteMessage}"`);
  }
}

/** An operation on a socket that was already closed. */
export class BusClosedError extends Error {
  override readonly name = 'BusClosedError';
  constructor(readonly socket: string) {
    super(`${socket}: expected an open socket, was closed`);
  }
}

/**
 * A publisher's local queue is full: ZeroMQ has not accepted earlier messages
 * yet. The message was not stamped, so no sequence number was used up and
 * subscribers see no gap; the caller decides whether to wait (`drain()`) or give up.
 */
export class BusBackpressureError extends Error {
  override readonly name = 'BusBackpressureError';
  constructor(
    readonly socket: string,
    readonly limit: number,
  ) {
    super(`${socket}: expected fewer than ${limit} queued messages, was ${limit} (await drain() before publishing more)`);
  }
}
