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
  readonly capabilities: StorageCapabilities
  /** Where the data lives, for humans (a file path, or a connection string without password). */
  readonly location: string
  /** Resolves when the backend answers a trivial query. */
  ping(): Promise<void>
  close(): Promise<void>
}
