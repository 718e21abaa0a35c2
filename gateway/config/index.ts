export { loadConfig, policyFor, ConfigError, type LoadedConfig, type LoadConfigOptions } from './load.ts';
export { checkReferences, type KnownNames } from './references.ts';
export {
  defineConfig,
  type GatewayConfig,
  type GatewayConfigInput,
  type UpstreamPolicyConfig,
  type RetryConfig,
  type BreakerConfig,
  type BulkheadConfig,
  type PoolConfig,
  type RouteConfig,
  type EngineConfig,
} from './schema.ts';
