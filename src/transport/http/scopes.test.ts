import { describe, expect, it } from 'vitest'
import { SCOPES, TOOLS } from '../../tools/index.js'
import { missingScopesFor, scopesForMessage } from './scopes.js'

const call = (name: unknown) => ({ method: 'tools/call', params: { name, arguments: {} } })
const granted = (...scopes: string[]) => new Set(scopes)

/** The registry table (registry.ts), written out so that a change to a tool's scope is seen. */
const EXPECTED: Record<string, string[]> = {
  memory_save: ['memories:write'],
  memory_update: ['memories:write'],
  memory_delete: ['memories:write'],
  memory_search: ['memories:read'],
  memory_list: ['memories:read'],
  memory_get: ['memories:read'],
  task_create: ['tasks:write'],
  task_update: ['tasks:write'],
  task_complete: ['tasks:write'],
  task_delete: ['tasks:write'],
  task_list: ['tasks:read'],
}

describe('scopesForMessage', () => {
  it('covers every tool of the registry', () => {
    expect(TOOLS.map((tool) => tool.name).sort()).toEqual(Object.keys(EXPECTED).sort())
  })

  it.each(TOOLS.map((tool) => [tool.name, tool] as const))(
    'tools/call %s needs its registry scopes',
    (name, tool) => {
      expect(scopesForMessage(call(name))).toEqual(tool.scopes)
      expect(scopesForMessage(call(name))).toEqual(EXPECTED[name])
    },
  )

  it('resources/read needs memories:read', () => {
    const read = { method: 'resources/read', params: { uri: 'memory://abc' } }
    expect(scopesForMessage(read)).toEqual(['memories:read'])
  })

  it.each([
    ['initialize', { method: 'initialize', params: { protocolVersion: '2025-06-18' } }],
    ['server/discover', { method: 'server/discover' }],
    ['tools/list', { method: 'tools/list' }],
    ['resources/list', { method: 'resources/list' }],
    ['resources/templates/list', { method: 'resources/templates/list' }],
    ['ping', { method: 'ping' }],
    ['notifications/initialized', { method: 'notifications/initialized' }],
    ['notifications/cancelled', { method: 'notifications/cancelled', params: { requestId: 1 } }],
    ['a JSON-RPC response (no method)', {}],
    ['an unknown tool', call('no_such_tool')],
    ['a tool name that is not a string', call(42)],
    ['tools/call without params', { method: 'tools/call' }],
    ['tools/call with null params', { method: 'tools/call', params: null }],
    ['a method in another case', { method: 'Tools/Call', params: { name: 'memory_save' } }],
  ])('%s needs no scope', (_name, message) => {
    expect(scopesForMessage(message)).toEqual([])
  })
})

describe('missingScopesFor', () => {
  const readOnly = granted('memories:read', 'tasks:read')

  it('is empty when the token holds the scope', () => {
    expect(missingScopesFor([call('memory_save')], granted('memories:write'))).toEqual([])
    expect(missingScopesFor([call('task_list')], readOnly)).toEqual([])
  })

  it('names the one missing scope for a write with a read-only token (ERR-5)', () => {
    expect(missingScopesFor([call('memory_save')], readOnly)).toEqual(['memories:write'])
  })

  it('ERR-6: names every missing scope of a batch in one answer', () => {
    const batch = [call('memory_save'), call('memory_list'), call('task_create'), call('task_list')]
    expect(missingScopesFor(batch, readOnly).sort()).toEqual(['memories:write', 'tasks:write'])
  })

  it('ERR-6: names each missing scope once, however many messages need it', () => {
    const batch = [call('memory_save'), call('memory_update'), call('memory_delete')]
    expect(missingScopesFor(batch, granted())).toEqual(['memories:write'])
  })

  it.each([
    ['memories:write', 'memory_list', []],
    ['memories:write', 'memory_get', []],
    ['tasks:write', 'task_list', []],
    ['memories:write', 'task_list', ['tasks:read']],
    ['tasks:write', 'memory_search', ['memories:read']],
    ['memories:read', 'memory_save', ['memories:write']],
  ])('ERR-8: a token with %s calling %s lacks %j', (scope, tool, missing) => {
    expect(missingScopesFor([call(tool)], granted(scope))).toEqual(missing)
  })

  it('ERR-8: memories:write satisfies resources/read', () => {
    const read = { method: 'resources/read', params: { uri: 'memory://abc' } }
    expect(missingScopesFor([read], granted('memories:write'))).toEqual([])
    expect(missingScopesFor([read], granted('tasks:write'))).toEqual(['memories:read'])
  })

  it('a broad look-alike scope is no hierarchy: memories does not imply memories:read', () => {
    expect(missingScopesFor([call('memory_list')], granted('memories', 'memories:*'))).toEqual([
      'memories:read',
    ])
  })

  it('needs nothing for discovery and unknown tools, even with no scope at all', () => {
    const batch = [{ method: 'initialize' }, { method: 'tools/list' }, call('no_such_tool')]
    expect(missingScopesFor(batch, granted())).toEqual([])
  })

  it("'all' (auth off) satisfies everything", () => {
    const everything = TOOLS.map((tool) => call(tool.name))
    expect(missingScopesFor(everything, 'all')).toEqual([])
    expect(missingScopesFor(everything, granted(...SCOPES))).toEqual([])
  })
})
