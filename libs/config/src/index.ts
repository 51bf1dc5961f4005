export { busSchema, type BusConfig } from './bus-schema';
export { ConfigError } from './config-error';
export { envNameFor, ENV_PREFIX } from './env-name';
export { FORMATS, registerFormats, type ConfigFormat, type FormatDefinition } from './formats';
export { CONFIG_FILES_ENV, loadConfig, type LoadConfigOptions } from './load-config';
export { LoadedConfig } from './loaded-config';
export { requireSecret, secretFromEnv } from './secrets';
export {
  LOG_LEVELS,
  serviceSchema,
  type LogLevel,
  type ServiceConfig,
  type ServiceSchemaDefaults,
} from './service-schema';
export { parseToml, registerTomlParser } from './toml';
export { instrumentCacheSchema, type InstrumentCacheConfig } from './instrument-cache-schema';
export { integerIn, numberIn } from './range-validators';
