export { openPostgresStorage } from './open.js'
export type { PostgresStorageOptions } from './open.js'
