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
