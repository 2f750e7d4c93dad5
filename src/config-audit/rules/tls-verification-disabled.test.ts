import { describe, expect, it } from 'vitest'
import { check, server } from '../test-support.js'
import { tlsVerificationDisabled } from './tls-verification-disabled.js'

describe('tls-verification-disabled', () => {
  it.each<[string, unknown, number]>([
    [
      'rejectUnauthorized: false anywhere',
      { mcpServers: { s: { tls: { rejectUnauthorized: false } } } },
      1,
    ],
    ['rejectUnauthorized at top level', { rejectUnauthorized: false }, 1],
    ['NODE_TLS_REJECT_UNAUTHORIZED=0', server({ env: { NODE_TLS_REJECT_UNAUTHORIZED: '0' } }), 1],
    ['--insecure', server({ command: 'curl', args: ['--insecure', 'https://h'] }), 1],
    ['-k', server({ command: 'x', args: ['-k'] }), 1],
    ['--no-verify', server({ command: 'x', args: ['--no-verify'] }), 1],
    [
      '--ignore-certificate-errors',
      server({ command: 'x', args: ['--ignore-certificate-errors'] }),
      1,
    ],
    ['rejectUnauthorized: true', { mcpServers: { s: { tls: { rejectUnauthorized: true } } } }, 0],
    ['NODE_TLS_REJECT_UNAUTHORIZED=1', server({ env: { NODE_TLS_REJECT_UNAUTHORIZED: '1' } }), 0],
    ['ordinary flags', server({ command: 'x', args: ['--verbose', '-y'] }), 0],
  ])('%s → %i finding(s)', (_name, config, count) => {
    expect(check(tlsVerificationDisabled, config)).toHaveLength(count)
  })
})
