import { describe, expect, it } from 'vitest'
import { createStepUpTracker, insufficientScope, unionScopes } from './step-up.js'

const CHALLENGE =
  'Bearer error="insufficient_scope", scope="mcp:basic mcp:write", resource_metadata="https://h/.well-known/oauth-protected-resource/mcp"'

describe('unionScopes (STEP-2)', () => {
  it('keeps the first-seen order and drops duplicates, from lists or strings', () => {
    expect(unionScopes(['a', 'b'], 'b c  a', undefined, ['d'])).toEqual(['a', 'b', 'c', 'd'])
    expect(unionScopes(undefined, '')).toEqual([])
  })
})

describe('insufficientScope', () => {
  it('reads the scopes of a 403 insufficient_scope challenge', () => {
    expect(insufficientScope(403, CHALLENGE)).toEqual(['mcp:basic', 'mcp:write'])
    expect(insufficientScope(403, 'Bearer error="insufficient_scope"')).toEqual([])
  })

  it.each([
    [401, CHALLENGE],
    [403, 'Bearer error="invalid_token"'],
    [403, null],
    [403, 'Basic realm="x"'],
  ])('ignores %s %s', (status, header) => {
    expect(insufficientScope(status, header)).toBeUndefined()
  })
})

describe('createStepUpTracker (STEP-1, STEP-3)', () => {
  it('re-authorizes with the union, at most 3 authorizations per operation counting the first', () => {
    const tracker = createStepUpTracker()
    const first = tracker.next('tools/call add', ['mcp:basic'], 403, CHALLENGE)
    expect(first).toEqual({
      reauthorize: true,
      scopes: ['mcp:basic', 'mcp:write'],
      added: ['mcp:write'],
      attempt: 1,
    })
    const second = tracker.next('tools/call add', 'mcp:basic mcp:write', 403, CHALLENGE)
    expect(second).toEqual({
      reauthorize: true,
      scopes: ['mcp:basic', 'mcp:write'],
      added: [],
      attempt: 2,
    })
    const third = tracker.next('tools/call add', 'mcp:basic mcp:write', 403, CHALLENGE)
    expect(third).toEqual({
      reauthorize: false,
      reason:
        'the server still answers insufficient_scope after 3 authorizations for tools/call add; giving up (the account may lack the permission)',
    })
    expect(tracker.attempts('tools/call add')).toBe(2)
  })

  it('counts per operation, and starts over after a success', () => {
    const tracker = createStepUpTracker(2)
    expect(tracker.next('a', [], 403, CHALLENGE)).toMatchObject({ reauthorize: true })
    expect(tracker.next('a', [], 403, CHALLENGE)).toMatchObject({ reauthorize: false })
    expect(tracker.next('b', [], 403, CHALLENGE)).toMatchObject({ reauthorize: true })
    tracker.succeeded('a')
    expect(tracker.next('a', [], 403, CHALLENGE)).toMatchObject({ reauthorize: true, attempt: 1 })
  })

  it('does not step up on other answers', () => {
    expect(createStepUpTracker().next('a', [], 401, CHALLENGE)).toMatchObject({
      reauthorize: false,
    })
  })

  it.each([0, 11, 2.5])('refuses maxAuthorizations %s', (n) => {
    expect(() => createStepUpTracker(n)).toThrow(TypeError)
  })
})
