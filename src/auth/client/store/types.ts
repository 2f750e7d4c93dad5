/**
 * The token store port of the CLI OAuth client (issue 5, item 5).
 *
 * Credentials are keyed by (authorization-server issuer, resource URI), and client registrations
 * by issuer alone, in a separate namespace: a token or a client_id obtained from one AS is never
 * found under another (TOK-6). Stored values never leave through `list()` (TOK-7, RT-2).
 */

/** Which credentials: the AS that issued them and the resource (MCP server) they are for. */
export interface StoreKey {
  /** The AS issuer identifier, exactly as validated against its metadata (RFC 8414 §3.3). */
  readonly issuer: string
  /** The resource URI (RFC 8707); stored in its canonical form. */
  readonly resource: string
}

/** Tokens from a token response, as kept at rest. */
export interface StoredCredentials {
  access_token: string
  /** Absent when the AS issued none (RT-5). */
  refresh_token?: string
  /**
   * When the access token expires, in seconds since the epoch. When the AS omits `expires_in`
   * the caller picks a conservative value.
   */
  expires_at: number
  /** The granted scopes, space-delimited (RFC 6749 §3.3); may be empty. */
  scope: string
  /** Usually `Bearer` (or `DPoP`). */
  token_type: string
  /** The account (`sub` or a display name) when the client knows it. Not secret. */
  account?: string
}

/** How the client got its client_id at an AS. */
export type RegistrationMethod =
  /** Given by the user (flags or config). */
  | 'pre_registered'
  /** A client ID metadata document URL used as client_id. */
  | 'client_id_metadata_document'
  /** RFC 7591 dynamic client registration. */
  | 'dynamic_registration'

/** The client's registration at one AS; never used with another (TOK-6). */
export interface ClientRegistration {
  issuer: string
  client_id: string
  /** Only for confidential registrations; most native clients have none. */
  client_secret?: string
  method: RegistrationMethod
  redirect_uris: string[]
  /** Seconds since the epoch. */
  registered_at: number
}

/** What `list()` reports about stored credentials: metadata only, never a token value. */
export interface CredentialSummary {
  issuer: string
  resource: string
  account?: string
  expires_at: number
  scopes: string[]
  has_refresh_token: boolean
}

/** Where the store keeps its secrets. */
export type TokenStoreKind = 'keychain' | 'file'

/** The storage primitives each backend implements. */
export interface TokenStoreBackend {
  readonly kind: TokenStoreKind
  /** Human-readable location for `status` and warnings (a path or the keychain service). */
  readonly location: string
  get(key: StoreKey): Promise<StoredCredentials | undefined>
  /** Replaces the credentials of `key`; durable when it resolves. */
  put(key: StoreKey, credentials: StoredCredentials): Promise<void>
  /** True when something was deleted. */
  delete(key: StoreKey): Promise<boolean>
  list(): Promise<CredentialSummary[]>
  getClient(issuer: string): Promise<ClientRegistration | undefined>
  putClient(registration: ClientRegistration): Promise<void>
  deleteClient(issuer: string): Promise<boolean>
}

/** The token store the client uses: a backend plus rotation and the cross-process refresh lock. */
export interface TokenStore extends TokenStoreBackend {
  /**
   * Persists the credentials of a refresh response and reads them back before resolving, so a
   * new refresh token is durable before the new access token is used. When the response carried
   * no refresh token the previous one is kept (RFC 6749 §6); so is a known `account`.
   * Returns what was stored. Call it inside `withRefreshLock`: a write by another process
   * between the write and the read-back fails it with `not_persisted` (fail closed).
   */
  rotate(key: StoreKey, credentials: StoredCredentials): Promise<StoredCredentials>
  /**
   * Runs `fn` while holding the cross-process refresh lock of `key`, passing the credentials as
   * re-read after the lock was taken: another process may have refreshed meanwhile, so `fn`
   * should refresh only if `current` still needs it.
   */
  withRefreshLock<T>(
    key: StoreKey,
    fn: (current: StoredCredentials | undefined) => Promise<T>,
  ): Promise<T>
}
