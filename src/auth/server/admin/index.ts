/**
 * Administration of the built-in authorization server over the storage ports: local accounts,
 * clients, grants and signing keys. Used by the `mcp-pa users|clients|grants|keys` commands and
 * importable by the HTTP edge. Every change emits an audit event; nothing returned holds a
 * password hash, a client secret hash or private key material (a new client secret or
 * generated password is returned once, to be shown once).
 */
export { AdminError, isAdminError } from './errors.js'
export type { AdminContext, AdminErrorCode } from './errors.js'
export {
  ADMIN_CLIENT_AUTH_METHODS,
  ADMIN_GRANT_TYPES,
  CLIENT_ORIGIN_FIELD,
  buildClientMetadata,
  checkAuthMethodEnabled,
} from './client-metadata.js'
export type {
  AdminClientAuthMethod,
  AdminGrantType,
  ClientMetadata,
  ClientPolicy,
  ClientOrigin,
  NewClientInput,
} from './client-metadata.js'
export {
  HASHED_SECRET_PLACEHOLDER,
  addClient,
  listClients,
  revokeClient,
  showClient,
} from './clients.js'
export type { AddedClient, ClientRevocation, ClientSummary } from './clients.js'
export { listGrants, revokeGrant, revokeGrantsWhere } from './grants.js'
export type { GrantFilter, GrantRevocation, GrantSummary } from './grants.js'
export {
  addUser,
  generatePassword,
  listUsers,
  resetUserPassword,
  setUserDisabled,
} from './users.js'
export type { AccountView, NewUserInput, UserChange } from './users.js'
export { listSigningKeys, rotateSigningKeys } from './signing-keys.js'
export type { KeyRotation, RotateKeysOptions, SigningKeyView } from './signing-keys.js'
