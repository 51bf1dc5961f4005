export { createMetrics, type MetricsOptions } from './create-metrics';
export {
  startHealthServer,
  type HealthCheck,
  type HealthCheckResult,
  type HealthServer,
  type HealthServerLogger,
  type HealthServerOptions,
} from './health-server';
export { counter, gauge, histogram } from './metric-helpers';
export { MetricsError } from './metrics-error';
