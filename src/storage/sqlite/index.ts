export { openSqliteStorage } from './open.js'
export type { SqliteStorageOptions } from './open.js'
