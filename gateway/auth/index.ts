/** Authentication and access policy: what the doors use. */
export { createAuthenticator, type Authenticate } from './authenticate.ts';
export { authorize, type AccessRequirement } from './access-policy.ts';
export { createJwtVerifier, type JwtVerifier, type JwtVerifierOptions } from './jwt-verifier.ts';
export { createApiKeyStore, hashApiKey, type ApiKeyStore } from './api-keys.ts';
export {
  DEFAULT_DEV_KEY_FILE,
  DEV_JWKS_PATH,
  devJwks,
  devJwksDocument,
  loadDevIdentity,
  signDevToken,
  type DevIdentity,
  type DevTokenOptions,
} from './dev-identity.ts';
export {
  authConfigSchema,
  accessRequirementSchema,
  DEFAULT_AUDIENCE,
  DEV_ISSUER,
  type AuthConfig,
  type AuthConfigInput,
  type ApiKeyConfig,
  type DoorsConfig,
  type JwksConfig,
} from './config.ts';
