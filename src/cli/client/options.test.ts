import { describe, expect, it } from 'vitest'
import { CliError } from '../exit-codes.js'
import {
  clientMetadataUrlFrom,
  describeExpiry,
  fetchOptionsFrom,
  loginModeFrom,
  preRegisteredFrom,
  refuseSecretFlags,
  scopesFrom,
  serverUrlArgument,
} from './options.js'

const env = (vars: Record<string, string> = {}) => ({ vars, home: '/nonexistent' })
const usage = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(CliError)
    expect((error as CliError).exitCode).toBe(2)
    return (error as CliError).message
  }
  throw new Error('expected a usage error')
}

describe('client command options', () => {
  it('refuses secrets as flag values without echoing them', () => {
    const message = usage(() => refuseSecretFlags(['https://x', '--client-secret=s3cr3t-value']))
    expect(message).toContain('--client-secret is not accepted')
    expect(message).toContain('--client-secret-env NAME')
    expect(message).not.toContain('s3cr3t-value')
    expect(() => refuseSecretFlags(['--client-secret-env', 'X'])).not.toThrow()
    expect(() => refuseSecretFlags(['--', '--client-secret'])).not.toThrow()
  })

  it('takes one http(s) server URL without user information', () => {
    expect(serverUrlArgument('tools', ['https://h.example/mcp'])).toBe('https://h.example/mcp')
    expect(usage(() => serverUrlArgument('tools', []))).toContain('missing the MCP server URL')
    expect(usage(() => serverUrlArgument('tools', ['file:///etc/passwd']))).toContain(
      'not an http(s) URL',
    )
    expect(usage(() => serverUrlArgument('tools', ['https://u:p@h.example/mcp']))).toContain(
      'user name or password',
    )
    expect(usage(() => serverUrlArgument('tools', ['https://h/mcp', 'extra']))).toContain(
      'unexpected argument "extra"',
    )
    expect(serverUrlArgument('call', ['https://h/mcp', 'tool'], 1)).toBe('https://h/mcp')
  })

  it('maps --timeout to milliseconds within 1–120 s', () => {
    expect(fetchOptionsFrom({ timeout: '2.5' })).toEqual({ timeoutMs: 2500 })
    expect(fetchOptionsFrom({})).toEqual({})
    for (const bad of ['0', '121', 'ten', '-1']) {
      expect(usage(() => fetchOptionsFrom({ timeout: bad }))).toContain('--timeout')
    }
  })

  it('maps the login mode flags', () => {
    expect(loginModeFrom({})).toBe('browser')
    expect(loginModeFrom({ 'no-browser': true })).toBe('print')
    expect(loginModeFrom({ headless: true })).toBe('headless')
    expect(usage(() => loginModeFrom({ headless: true, 'no-browser': true }))).toContain(
      'choose one',
    )
  })

  it('reads a client secret only from the environment variable named', async () => {
    expect(await preRegisteredFrom({}, env())).toBeUndefined()
    expect(await preRegisteredFrom({ 'client-id': 'c' }, env())).toEqual({ clientId: 'c' })
    expect(
      await preRegisteredFrom(
        { 'client-id': 'c', 'client-secret-env': 'MY_SECRET' },
        env({ MY_SECRET: 'from-env' }),
      ),
    ).toEqual({ clientId: 'c', clientSecret: 'from-env' })
    await expect(
      preRegisteredFrom({ 'client-id': 'c', 'client-secret-env': 'UNSET' }, env()),
    ).rejects.toThrow(/UNSET .* is not set/)
    await expect(
      preRegisteredFrom({ 'client-id': 'c', 'client-secret-env': 'not a name!' }, env()),
    ).rejects.toThrow(/NAME of an environment variable/)
    await expect(preRegisteredFrom({ 'client-secret-env': 'X' }, env())).rejects.toThrow(
      /add --client-id/,
    )
  })

  it('scopes and the client metadata document switch', () => {
    expect(scopesFrom({})).toBeUndefined()
    expect(scopesFrom({ scope: ['a b', 'b', 'c'] })).toEqual(['a', 'b', 'c'])
    expect(clientMetadataUrlFrom({})).toBeUndefined()
    expect(clientMetadataUrlFrom({ 'no-client-metadata': true })).toBe(false)
    expect(clientMetadataUrlFrom({ 'client-metadata-url': 'https://d/x.json' })).toBe(
      'https://d/x.json',
    )
  })

  it('describes an expiry in UTC with the time left', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0) / 1000
    expect(describeExpiry(now + 3600, now)).toBe('2026-01-01 13:00 UTC (in 60 min)')
    expect(describeExpiry(now + 30, now)).toBe('2026-01-01 12:00 UTC (in 30 s)')
    expect(describeExpiry(now - 1, now)).toBe('2026-01-01 11:59 UTC (expired)')
  })
})
