// The 12 line of better-sqlite3, installed under an alias for Node 20 (see driver.ts): same API.
declare module 'better-sqlite3-node20' {
  import BetterSqlite3 from 'better-sqlite3'
  export default BetterSqlite3
}
