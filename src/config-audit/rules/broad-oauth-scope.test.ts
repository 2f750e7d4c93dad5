import { describe, expect, it } from 'vitest'
import { check, server } from '../test-support.js'
import { broadOauthScope } from './broad-oauth-scope.js'

describe('broad-oauth-scope', () => {
  it.each<[string, unknown, string | undefined]>([
    ['"*" string', server({ oauth: { scope: '*' } }), '*'],
    ['all', server({ oauth: { scope: 'openid all' } }), 'all'],
    ['admin in an array', server({ oauth: { scopes: ['read', 'admin'] } }), 'admin'],
    ['GitHub repo', server({ oauth: { scopes: ['repo'] } }), 'repo'],
    ['wildcard resource', server({ auth: { scope: 'files:*' } }), 'files:*'],
    [
      'offline_access next to write:all',
      { scopes: 'write:all offline_access' },
      'write:all, offline_access',
    ],
    ['offline_access alone', server({ oauth: { scope: 'openid offline_access' } }), undefined],
    ['narrow scopes', server({ oauth: { scopes: ['memories:read', 'public_repo'] } }), undefined],
    ['no scope', server({ url: 'https://h.example' }), undefined],
  ])('%s', (_name, config, listed) => {
    const findings = check(broadOauthScope, config)
    if (listed === undefined) expect(findings).toEqual([])
    else expect(findings.map((f) => f.message)).toEqual([`Broad OAuth scope requested: ${listed}.`])
  })
})
