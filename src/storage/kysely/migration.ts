/** One schema step of a dialect. Applied in order, each in its own transaction, recorded once. */
export interface Migration {
  version: number
  name: string
  sql: string
}

export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((max, migration) => Math.max(max, migration.version), 0)
}

/** Refuses a database that a newer release has already migrated past what this code knows. */
export function assertNotNewer(appliedVersion: number, migrations: readonly Migration[]): void {
  if (appliedVersion > latestVersion(migrations)) {
    throw new Error(
      `database was migrated by a newer mcp-pa (version ${appliedVersion}); upgrade mcp-pa`,
    )
  }
}

/** Migrations not applied yet, in version order. */
export function pending(
  migrations: readonly Migration[],
  applied: ReadonlySet<number>,
): Migration[] {
  return [...migrations]
    .filter((migration) => !applied.has(migration.version))
    .sort((a, b) => a.version - b.version)
}
