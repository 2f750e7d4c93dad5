import type {
  Memory,
  MemoryPatch,
  MemorySearchHit,
  MemorySearchQuery,
  NewMemory,
  NewTask,
  Page,
  PageRequest,
  Task,
  TaskFilter,
  TaskPatch,
  User,
} from '../domain/index.js'

/**
 * An embedding stored beside a memory, for semantic search. `model` names the embedder so
 * vectors of different models are never compared.
 */
export interface StoredEmbedding {
  model: string
  vector: Float32Array
}

/** A query vector for semantic search, with the model that made it. */
export interface QueryEmbedding {
  model: string
  vector: Float32Array
}

/**
 * Memories of one user at a time: every method takes the owner's `userId` and never sees,
 * changes or counts another user's rows. Unknown ids behave exactly like other users' ids.
 */
export interface MemoryStore {
  create(userId: string, memory: NewMemory, embedding?: StoredEmbedding): Promise<Memory>
  get(userId: string, id: string): Promise<Memory | undefined>
  /** Newest first (by `updatedAt`, then id), optionally only memories carrying every tag. */
  list(userId: string, page: PageRequest & { tags?: string[] }): Promise<Page<Memory>>
  /** Returns the updated memory, or undefined when the id is unknown for this user. */
  update(
    userId: string,
    id: string,
    patch: MemoryPatch,
    embedding?: StoredEmbedding,
  ): Promise<Memory | undefined>
  delete(userId: string, id: string): Promise<boolean>
  /**
   * Ranked search. Full text always; with `embedding` and vector support, semantic results are
   * fused with the full-text ones by reciprocal rank.
   */
  search(
    userId: string,
    query: MemorySearchQuery,
    embedding?: QueryEmbedding,
  ): Promise<MemorySearchHit[]>
}

export interface TaskStore {
  create(userId: string, task: NewTask): Promise<Task>
  get(userId: string, id: string): Promise<Task | undefined>
  /** Due date first (tasks without one last), then newest; filters combine with AND. */
  list(userId: string, filter: TaskFilter, page: PageRequest): Promise<Page<Task>>
  update(userId: string, id: string, patch: TaskPatch): Promise<Task | undefined>
  delete(userId: string, id: string): Promise<boolean>
}

export interface UserStore {
  /** Returns the user for (issuer, subject), creating it on first sight. */
  ensure(issuer: string, subject: string): Promise<User>
  get(id: string): Promise<User | undefined>
}

/** What a storage backend can do beyond the contract. */
export interface StorageCapabilities {
  dialect: 'sqlite' | 'postgresql'
  /** Whether semantic search runs in this backend (pgvector present, or SQLite's in-process scan). */
  vectorSearch: boolean
  /** Why vector search is off, when it is. */
  vectorSearchUnavailableReason?: string
}

/** One opened storage backend: the stores, its capabilities, a health check and close. */
export interface Storage {
  readonly memories: MemoryStore
  readonly tasks: TaskStore
  readonly users: UserStore
  /** The OAuth authorization server's artifacts (ADR 0005); not per user. */
  readonly artifacts: ArtifactStore
  /** The OAuth authorization server's signing keys (ADR 0006); not per user. */
  readonly signingKeys: SigningKeyStore
  /** The authorization server's local accounts (ADR 0007); not per user. */
  readonly accounts: AccountStore
  readonly capabilities: StorageCapabilities
  /** Where the data lives, for humans (a file path, or a connection string without password). */
  readonly location: string
  /** Resolves when the backend answers a trivial query. */
  ping(): Promise<void>
  close(): Promise<void>
}

/**
 * The kinds of artifact the OAuth authorization server keeps (oidc-provider's model names).
 * `PreAuthorizedCode` is oidc-provider's OpenID4VCI model; it is listed so an adapter never
 * meets a model the store refuses.
 */
export const ARTIFACT_MODELS = [
  'Session',
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'ClientCredentials',
  'Client',
  'InitialAccessToken',
  'RegistrationAccessToken',
  'Interaction',
  'ReplayDetection',
  'PushedAuthorizationRequest',
  'Grant',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
  // Ours, not oidc-provider's: the one-time first-account setup link (ADR 0007), the refresh
  // grace window's encrypted answer (id: the rotated refresh token) and remembered consents
  // (id: account and client).
  'SetupToken',
  'RefreshGrace',
  'ConsentMemory',
] as const
export type ArtifactModel = (typeof ARTIFACT_MODELS)[number]

/**
 * Models whose artifacts belong to a grant (their payload's `grantId` is indexed), exactly the
 * ones oidc-provider revokes by grant.
 */
export const GRANT_BOUND_MODELS: ReadonlySet<ArtifactModel> = new Set<ArtifactModel>([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
  'RefreshGrace',
])

/**
 * Models whose id is a bearer secret (a token or code value): for these the payload's `jti`
 * (the id again) is never stored either, and comes back only from `find` with the presented id.
 * The other models keep `jti` in the payload: a session found by its `uid` must come back with
 * its id. So `findByUserCode` of a `DeviceCode` returns no `jti` (the device flow is not enabled;
 * ADR 0005).
 */
export const SECRET_ID_MODELS: ReadonlySet<ArtifactModel> = new Set<ArtifactModel>([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'ClientCredentials',
  'DeviceCode',
  'RegistrationAccessToken',
  'InitialAccessToken',
  'SetupToken',
  'RefreshGrace',
])

/** An artifact's payload: a JSON object (oidc-provider's model payload). */
export type ArtifactPayload = Record<string, unknown>

export interface StoredArtifact {
  /** The payload as upserted; for `SECRET_ID_MODELS`, `jti` is the presented id (not stored). */
  payload: ArtifactPayload
  /** When it expires (epoch ms), or undefined for artifacts that never do. */
  expiresAt: number | undefined
  /** When it was first consumed (epoch ms), or undefined while it has not been. */
  consumedAt: number | undefined
}

/** What `consume` did: the first consumption, a repeat, or nothing (unknown or expired id). */
export type ConsumeResult = 'consumed' | 'already_consumed' | 'not_found'

/**
 * The OAuth authorization server's own artifacts (tokens, codes, sessions, grants, clients…),
 * keyed by (model, id). Not per user: a token is looked up before anyone knows whose it is
 * (ADR 0005), so only the authorization server's code path may hold this store.
 *
 * - Ids, `uid`s and user codes are keyed only by SHA-256 hashes; every lookup hashes what is
 *   presented. For `SECRET_ID_MODELS` the payload's `jti` (the id again) is dropped before
 *   storing and restored by `find`, so their raw ids are nowhere in the database.
 * - Expired artifacts are never returned, consumed or not; `sweepExpired` deletes them.
 * - `consume` is atomic: of any number of concurrent calls, exactly one gets `consumed`.
 */
export interface ArtifactStore {
  /**
   * Inserts or replaces the artifact. `expiresInSeconds` undefined = never expires. A
   * consumed artifact stays consumed when replaced (single use is never undone).
   */
  upsert(
    model: ArtifactModel,
    id: string,
    payload: ArtifactPayload,
    expiresInSeconds?: number,
  ): Promise<void>
  find(model: ArtifactModel, id: string): Promise<StoredArtifact | undefined>
  /** The artifact whose payload `uid` is this one (sessions); the newest when several are. */
  findByUid(model: ArtifactModel, uid: string): Promise<StoredArtifact | undefined>
  /** The artifact whose payload `userCode` is this one (device codes). */
  findByUserCode(model: ArtifactModel, userCode: string): Promise<StoredArtifact | undefined>
  consume(model: ArtifactModel, id: string): Promise<ConsumeResult>
  destroy(model: ArtifactModel, id: string): Promise<void>
  /**
   * Deletes every grant-bound artifact of the grant (of one model when given, as oidc-provider
   * asks model by model); returns how many. The `Grant` artifact itself is destroyed by id.
   */
  revokeByGrantId(grantId: string, model?: ArtifactModel): Promise<number>
  /** Deletes up to `limit` artifacts expired at `now`; returns how many. */
  sweepExpired(now: Date, limit: number): Promise<number>
  /**
   * Unexpired artifacts of one model, newest first, optionally only those whose payload's
   * `accountId` / `clientId` equals the given value (a JSON string, compared exactly); at most
   * `limit` (default 100, max 1000), counted after filtering. For administration (listing
   * grants and clients), not for the engine.
   *
   * - "Newest" is the payload's `iat`, or `client_id_issued_at` for clients (epoch seconds),
   *   then the later expiry; artifacts with neither come last.
   * - For `SECRET_ID_MODELS` the raw id is not stored, so these payloads come back without
   *   `jti`: a listed token or code can be shown but not used, destroyed or consumed by id.
   *   Revoke them through their grant (`revokeByGrantId`).
   * - `invalid_input` for an unknown model, an empty filter value or a bad limit.
   */
  list(
    model: ArtifactModel,
    options?: { accountId?: string; clientId?: string; limit?: number },
  ): Promise<StoredArtifact[]>
}

/** The JWS algorithms the authorization server signs with. */
export const SIGNING_KEY_ALGS = ['ES256', 'EdDSA'] as const
export type SigningKeyAlg = (typeof SIGNING_KEY_ALGS)[number]

/**
 * A signing key's life: `active` signs (at most one at a time), `retiring` no longer signs but
 * is still published so the tokens it signed verify until `retireAfter`, `retired` is neither.
 */
export const SIGNING_KEY_STATES = ['active', 'retiring', 'retired'] as const
export type SigningKeyState = (typeof SIGNING_KEY_STATES)[number]

/** One signing key as stored; times are epoch milliseconds. */
export interface StoredSigningKey {
  kid: string
  alg: SigningKeyAlg
  state: SigningKeyState
  /** The public JWK (no private members). */
  publicJwk: Record<string, unknown>
  /** The private key, encrypted by the caller (opaque to the store; ADR 0006). */
  encryptedPrivateKey: string
  createdAt: number
  activatedAt: number
  /** When a retiring key may be retired (its last token has expired). */
  retireAfter?: number
  /** When it was retired. */
  retiredAt?: number
}

/**
 * The authorization server's signing keys (ADR 0006). Not per user. At most one key is
 * `active`, enforced by the database, so two instances starting at once cannot both add one.
 */
export interface SigningKeyStore {
  /**
   * Inserts the key; `false` (nothing written) when its kid exists or it is `active` while
   * another key is: the caller re-reads.
   */
  insert(key: StoredSigningKey): Promise<boolean>
  /** Every key: active first, then retiring, then retired; newest first within a state. */
  list(): Promise<StoredSigningKey[]>
  get(kid: string): Promise<StoredSigningKey | undefined>
  /**
   * Moves a key forward: to `retiring` from `active` (`at` = retireAfter), to `retired` from
   * `active` or `retiring` (`at` = retiredAt). `false` when the key is missing or not in a state
   * it can move from. A key never becomes `active` again: new keys are inserted.
   */
  setState(kid: string, state: 'retiring' | 'retired', at: number): Promise<boolean>
  /**
   * In one transaction: the active key `previousKid` becomes `retiring` with `retireAfter`, and
   * `key` (active) is inserted. `false`, with nothing changed, when `previousKid` is no longer
   * the active key or the insert conflicts (another instance rotated first).
   */
  rotate(key: StoredSigningKey, previousKid: string, retireAfter: number): Promise<boolean>
}

/** The longest username, in characters after normalisation. */
export const MAX_USERNAME_CHARS = 64
/** The longest display name, in characters. */
export const MAX_DISPLAY_NAME_CHARS = 200

/**
 * A username as stored and compared: NFKC, trimmed, lower-case; 1-64 characters, no control
 * characters. Throws a `RangeError` saying what is wrong. One function, so the store, the
 * login path and the CLI cannot disagree on which account a typed name means.
 */
export function normaliseUsername(input: string): string {
  if (typeof input !== 'string') throw new RangeError('a username must be text')
  const name = input.normalize('NFKC').trim().toLowerCase()
  if (name.length === 0) throw new RangeError('a username cannot be empty')
  if ([...name].length > MAX_USERNAME_CHARS) {
    throw new RangeError(`a username has at most ${MAX_USERNAME_CHARS} characters`)
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u.test(name)) {
    throw new RangeError('a username cannot contain control characters')
  }
  return name
}

/** Failed logins tolerated before the backoff starts. */
export const LOGIN_FAILURES_BEFORE_BACKOFF = 5
/** The longest lockout, in milliseconds (15 minutes). */
export const MAX_LOGIN_LOCKOUT_MS = 15 * 60 * 1000

/**
 * When an account with `failures` consecutive failed logins (the latest at `now`) may try
 * again: undefined below the threshold, then now + 2^(failures-5) s, capped at 15 minutes.
 */
export function loginLockedUntil(failures: number, now: number): number | undefined {
  if (failures < LOGIN_FAILURES_BEFORE_BACKOFF) return undefined
  const exponent = Math.min(failures - LOGIN_FAILURES_BEFORE_BACKOFF, 30)
  return now + Math.min(2 ** exponent * 1000, MAX_LOGIN_LOCKOUT_MS)
}

/**
 * A local account of the built-in authorization server. `id` is stable and never reused: it is
 * the `sub` the server issues, so the account's data user is `users` (our issuer, `id`).
 * Times are epoch milliseconds.
 */
export interface Account {
  id: string
  /** Normalised (`normaliseUsername`); unique. */
  username: string
  displayName?: string
  /** The PHC string (argon2id); opaque to the store. */
  passwordHash: string
  disabled: boolean
  /** Consecutive failed logins since the last success. */
  failedAttempts: number
  /** Set once the failures reach the backoff threshold: no login is tried before it. */
  lockedUntil?: number
  lastLoginAt?: number
  createdAt: number
  updatedAt: number
}

export interface NewAccount {
  /** Normalised by the store (`normaliseUsername`); an invalid one is `invalid_input`. */
  username: string
  passwordHash: string
  displayName?: string
}

export interface LoginFailure {
  failures: number
  lockedUntil?: number
}

/**
 * The authorization server's local accounts (ADR 0007), in `oauth_accounts`: outside row-level
 * security like the other authorization-server tables. Password hashes are made by the caller
 * (`src/auth/server/passwords.ts`); the store never sees a password.
 */
export interface AccountStore {
  /** `invalid_input` for a bad username or one already taken (after normalisation). */
  create(account: NewAccount, now?: number): Promise<Account>
  /** Normalises first; undefined for an unknown or invalid username. */
  findByUsername(username: string): Promise<Account | undefined>
  get(id: string): Promise<Account | undefined>
  /** Every account, by username. */
  list(): Promise<Account[]>
  /** `false` when the account does not exist. */
  setDisabled(id: string, disabled: boolean, now?: number): Promise<boolean>
  /** Also clears the failures and lockout; `false` when the account does not exist. */
  setPasswordHash(id: string, passwordHash: string, now?: number): Promise<boolean>
  /**
   * Counts one failed login atomically and sets the lockout (`loginLockedUntil`); undefined
   * when the account does not exist.
   */
  recordFailure(id: string, now: number): Promise<LoginFailure | undefined>
  /** Resets the failures and lockout and records the login time. */
  recordSuccess(id: string, now: number): Promise<void>
  count(): Promise<number>
}
