/** One scope in the words a person reads on the consent and account pages. */
export interface ScopeText {
  scope: string
  /** Plain text (not HTML): the pages escape it. */
  description: string
}

/**
 * What each scope of mcp-pa lets an app do, in plain words. The tool scopes come from
 * `src/tools/registry.ts` (which tool needs which scope); `offline_access` is the OAuth scope for
 * refresh tokens.
 */
export const SCOPE_DESCRIPTIONS: Record<string, string> = Object.freeze({
  'memories:read': 'Read and search your memories (saved notes)',
  'memories:write': 'Save, change and delete your memories',
  'tasks:read': 'See your tasks',
  'tasks:write': 'Create, change, complete and delete your tasks',
  offline_access: 'Stay connected after this session, until you revoke its access',
})

/** The sentence for a scope this server does not describe; the page escapes the raw scope. */
function unknownScope(scope: string): string {
  return `Use the permission “${scope}” (this server has no description for it)`
}

/**
 * Each distinct scope of `scopes` (in order, empty strings dropped) with its description.
 * The lookup uses own properties only, so names such as `constructor` or `__proto__` get the
 * generic sentence rather than something from `Object.prototype`.
 */
export function describeScopes(scopes: string[]): ScopeText[] {
  const seen = new Set<string>()
  const out: ScopeText[] = []
  for (const scope of scopes) {
    if (scope.length === 0 || seen.has(scope)) continue
    seen.add(scope)
    const known = Object.hasOwn(SCOPE_DESCRIPTIONS, scope) ? SCOPE_DESCRIPTIONS[scope] : undefined
    out.push({ scope, description: known ?? unknownScope(scope) })
  }
  return out
}
