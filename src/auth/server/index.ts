/**
 * The built-in OAuth 2.1 authorization server (issue 4): policies, secrets, keys, accounts and
 * the types of the server. The engine itself (`createAuthorizationServer`, which loads
 * oidc-provider) is imported from './authorization-server.js' by the composition root only, so
 * the HTTP app and the admin CLI do not load it (nor print its Node 20 runtime notice).
 */
export type {
  AuthorizationServerOptions,
  BuiltinAuthorizationServer,
} from './authorization-server.js'
export type { AuthorizationServerSettings } from './provider.js'
export { ROUTES } from './routes.js'
export type { Engine, EngineClient, InteractionDetails } from './engine.js'
export { hashClientSecret, isHashedClientSecret, newClientSecret } from './client-secrets.js'
export { isLoopbackRedirect, isSpecialUseAddress, redirectUriProblem } from './client-policy.js'
export type { Lookup } from './client-policy.js'
export { consentMemory } from './consent-memory.js'
export {
  DEFAULT_KEK_CONFIG_KEY,
  deriveKey,
  KeyEncryptionError,
  KeyEncryptionKey,
  keyEncryptionKey,
} from './key-encryption.js'
export { ensureSigningKey, retireExpiredKeys, rotateSigningKey, signingKeySet } from './keys.js'
export type { PublicSigningJwk, SigningKeySet } from './keys.js'
export { authenticateLocal, INVALID_CREDENTIALS_MESSAGE } from './login-attempts.js'
export type { LocalLoginResult } from './login-attempts.js'
export { createSetupLink, completeSetup, setupTokenUsable } from './setup-link.js'
export type { SetupResult } from './setup-link.js'
export { passwordProblem, PasswordPolicyError } from './passwords.js'
