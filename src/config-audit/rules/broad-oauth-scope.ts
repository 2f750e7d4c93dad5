import type { Node } from 'jsonc-parser'
import { findingAt } from '../finding.js'
import { walk } from '../tree.js'
import type { Finding, Rule } from '../types.js'

/** Scopes that grant everything, or close to it. Kept short on purpose; see docs/config-audit.md. */
const BROAD = new Set([
  '*',
  'all',
  'admin',
  'root',
  'repo',
  'write:all',
  'full_access',
  'admin:org',
])
const WILDCARD = /(?:^|[:./])\*$|^\*[:.]/

/** The broad scopes among `scopes`; `offline_access` counts only next to a broad one. */
export function broadScopes(scopes: string[]): string[] {
  const broad = scopes.filter((scope) => BROAD.has(scope.toLowerCase()) || WILDCARD.test(scope))
  if (broad.length > 0 && scopes.includes('offline_access')) broad.push('offline_access')
  return broad
}

function scopeList(node: Node): string[] {
  if (node.type === 'string' && typeof node.value === 'string')
    return node.value.split(/[\s,]+/).filter(Boolean)
  if (node.type === 'array') {
    return (node.children ?? []).flatMap((item) =>
      typeof item.value === 'string' ? [item.value] : [],
    )
  }
  return []
}

export const broadOauthScope: Rule = {
  id: 'broad-oauth-scope',
  severity: 'warning',
  title: 'Overly broad OAuth scope',
  description:
    'A scope or scopes field asks for everything (*, all, admin, root, write:all, wildcards) or, ' +
    'for GitHub, repo (full read and write on every private repository). A leaked token, or a ' +
    'prompt-injected tool call, can then do anything the account can. offline_access is flagged ' +
    'only next to such a scope, since it makes that access long-lived.',
  fixHint:
    'Ask for the narrowest scopes the server documents (e.g. memories:read, public_repo, ' +
    'read:org), and prefer fine-grained tokens limited to the repositories needed.',
  check(ctx) {
    const findings: Finding[] = []
    for (const { node, path, key } of walk(ctx.file.root)) {
      if (key !== 'scope' && key !== 'scopes') continue
      const broad = broadScopes(scopeList(node))
      if (broad.length === 0) continue
      findings.push(
        findingAt(this, ctx, node, path, `Broad OAuth scope requested: ${broad.join(', ')}.`),
      )
    }
    return findings
  },
}
