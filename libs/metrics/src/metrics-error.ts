/** Raised for metric name clashes and for a health server that cannot start. */
export class MetricsError extends Error {
  override readonly name = 'MetricsError';
}
