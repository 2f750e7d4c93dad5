import type { ColumnType, Selectable } from 'kysely'

/**
 * The tables both dialects share, typed for Kysely. The column types are the union of what the
 * two drivers hand back: SQLite stores timestamps as ISO 8601 TEXT and tags as JSON TEXT, while
 * PostgreSQL returns `timestamptz` as a Date and tags as `text[]`. `rows.ts` maps both to the
 * domain shape; `SqlDialect.encodeTags` produces what each one stores.
 */
export type Timestamp = ColumnType<string | Date, string, string>
export type NullableTimestamp = ColumnType<string | Date | null, string | null, string | null>
export type TagsColumn = ColumnType<string | string[], string | string[], string | string[]>

export interface UsersTable {
  id: string
  issuer: string
  subject: string
  created_at: Timestamp
}

export interface MemoriesTable {
  id: string
  user_id: string
  content: string
  tags: TagsColumn
  importance: number
  created_at: Timestamp
  updated_at: Timestamp
}

export interface TasksTable {
  id: string
  user_id: string
  title: string
  notes: string
  due_at: NullableTimestamp
  priority: string
  status: string
  tags: TagsColumn
  created_at: Timestamp
  updated_at: Timestamp
  completed_at: NullableTimestamp
}

export interface SchemaMigrationsTable {
  version: number
  name: string
  applied_at: Timestamp
}

/**
 * Epoch milliseconds: INTEGER in SQLite, bigint in PostgreSQL (which node-postgres hands back
 * as a string, so readers go through `Number`).
 */
export type EpochMillis = ColumnType<number | string, number, number>
export type NullableEpochMillis = ColumnType<number | string | null, number | null, number | null>

/** The OAuth authorization server's artifacts (ADR 0005): hashed keys, JSON payloads. */
export interface OauthArtifactsTable {
  model: string
  id_hash: string
  uid_hash: string | null
  user_code_hash: string | null
  grant_id: string | null
  payload: string
  expires_at: NullableEpochMillis
  consumed_at: NullableEpochMillis
}

/** The OAuth authorization server's signing keys (ADR 0006); the private key encrypted. */
export interface OauthSigningKeysTable {
  kid: string
  alg: string
  state: string
  public_jwk: string
  encrypted_private_key: string
  created_at: EpochMillis
  activated_at: EpochMillis
  retire_after: NullableEpochMillis
  retired_at: NullableEpochMillis
}

/** The authorization server's local accounts (ADR 0007); the password as an argon2id hash. */
export interface OauthAccountsTable {
  id: string
  username: string
  display_name: string | null
  password_hash: string
  disabled_at: NullableEpochMillis
  failed_attempts: number
  locked_until: NullableEpochMillis
  last_login_at: NullableEpochMillis
  created_at: EpochMillis
  updated_at: EpochMillis
}

export interface Database {
  users: UsersTable
  memories: MemoriesTable
  tasks: TasksTable
  schema_migrations: SchemaMigrationsTable
  oauth_artifacts: OauthArtifactsTable
  oauth_signing_keys: OauthSigningKeysTable
  oauth_accounts: OauthAccountsTable
}

export type UserRow = Selectable<UsersTable>
export type MemoryRow = Selectable<MemoriesTable>
export type TaskRow = Selectable<TasksTable>

/** The columns of a memory that the domain object is built from, in a stable order. */
export const MEMORY_COLUMNS = [
  'id',
  'user_id',
  'content',
  'tags',
  'importance',
  'created_at',
  'updated_at',
] as const

export const TASK_COLUMNS = [
  'id',
  'user_id',
  'title',
  'notes',
  'due_at',
  'priority',
  'status',
  'tags',
  'created_at',
  'updated_at',
  'completed_at',
] as const
