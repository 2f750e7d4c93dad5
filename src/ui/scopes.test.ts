import { describe, expect, it } from 'vitest'
import { escapeHtml } from './escape.js'
import { SCOPE_DESCRIPTIONS, describeScopes } from './scopes.js'

describe('describeScopes', () => {
  it.each(['memories:read', 'memories:write', 'tasks:read', 'tasks:write', 'offline_access'])(
    '%s has its own plain-words description',
    (scope) => {
      const description = SCOPE_DESCRIPTIONS[scope]
      expect(description).toBeTypeOf('string')
      expect(describeScopes([scope])).toEqual([{ scope, description }])
      expect(description).not.toContain(scope)
    },
  )

  it.each(['admin', 'constructor', '__proto__', 'toString', '<b>x</b>'])(
    'an unknown scope %j gets the generic sentence showing it',
    (scope) => {
      const [text] = describeScopes([scope])
      expect(text?.description).toBe(
        `Use the permission “${scope}” (this server has no description for it)`,
      )
    },
  )

  it('keeps order, drops duplicates and empty strings', () => {
    expect(
      describeScopes(['tasks:read', '', 'memories:read', 'tasks:read']).map((s) => s.scope),
    ).toEqual(['tasks:read', 'memories:read'])
  })
})

describe('escapeHtml', () => {
  it.each([
    ['<script>alert("x")</script>', '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'],
    [`it's & "that"`, 'it&#39;s &amp; &quot;that&quot;'],
    ['plain text', 'plain text'],
    ['&amp;', '&amp;amp;'],
  ])('%j → %j', (input, output) => {
    expect(escapeHtml(input)).toBe(output)
  })
})
