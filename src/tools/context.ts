import type { AuditSink } from '../audit/index.js'
import type { Embedder } from '../search/index.js'
import type { MemoryStore, TaskStore } from '../storage/ports.js'

/** The OAuth scopes that guard the assistant's tools (enforced in HTTP mode). */
export const SCOPES = ['memories:read', 'memories:write', 'tasks:read', 'tasks:write'] as const
export type Scope = (typeof SCOPES)[number]

/**
 * Everything a tool may use. Tools know nothing about OAuth or transports: the transport
 * builds this from the local user (stdio) or a verified token (HTTP).
 */
export interface ToolContext {
  userId: string
  /** Granted scopes; `'all'` in local mode where there is no authorization. */
  scopes: ReadonlySet<string> | 'all'
  memories: MemoryStore
  tasks: TaskStore
  audit: AuditSink
  clock: () => Date
  /** Present when semantic search is on and the storage backend supports it. */
  embedder?: Embedder | undefined
}

/**
 * Whether `granted` satisfies every scope in `needed`. A `*:write` scope implies the matching
 * `*:read` (documented hierarchy).
 */
export function hasScopes(granted: ReadonlySet<string> | 'all', needed: readonly Scope[]): boolean {
  if (granted === 'all') return true
  return needed.every(
    (scope) =>
      granted.has(scope) ||
      (scope.endsWith(':read') && granted.has(scope.replace(/:read$/, ':write'))),
  )
}

/** The scopes of `needed` that `granted` lacks. */
export function missingScopes(
  granted: ReadonlySet<string> | 'all',
  needed: readonly Scope[],
): Scope[] {
  return needed.filter((scope) => !hasScopes(granted, [scope]))
}
