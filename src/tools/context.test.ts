import { describe, expect, it } from 'vitest'
import { hasScopes, missingScopes, type Scope } from './context.js'

describe('scopes', () => {
  it.each<[string[] | 'all', Scope[], boolean]>([
    ['all', ['memories:write'], true],
    [['memories:read'], ['memories:read'], true],
    [['memories:write'], ['memories:read'], true], // write implies read
    [['memories:read'], ['memories:write'], false], // read never implies write
    [['tasks:write'], ['memories:read'], false],
    [[], ['tasks:read'], false],
    [['memories:read', 'tasks:read'], ['memories:read', 'tasks:read'], true],
  ])('granted %j, needed %j → %s', (granted, needed, expected) => {
    expect(hasScopes(granted === 'all' ? 'all' : new Set(granted), needed)).toBe(expected)
  })

  it('names exactly the missing scopes', () => {
    expect(missingScopes(new Set(['memories:read']), ['memories:read', 'tasks:write'])).toEqual([
      'tasks:write',
    ])
  })
})
