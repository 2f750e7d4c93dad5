export type { Database, MemoryRow, TaskRow, UserRow } from './database.js'
export { MEMORY_COLUMNS, TASK_COLUMNS } from './database.js'
export type {
  FullTextQuery,
  RankedRow,
  SqlDialect,
  VectorHit,
  VectorIndex,
  VectorQuery,
} from './dialect.js'
export { escapeLike } from './dialect.js'
export { checkEmbedding, MAX_EMBEDDING_DIMS } from './embedding.js'
export { assertNotNewer, latestVersion, pending } from './migration.js'
export type { Migration } from './migration.js'
export { assembleStorage } from './storage.js'
export type { StorageParts } from './storage.js'
