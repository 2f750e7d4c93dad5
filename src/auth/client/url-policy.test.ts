import { describe, expect, it } from 'vitest'
import { checkUrl, ClientFetchError, clientFetchPolicy, isPublicAddress } from './url-policy.js'
import type { ClientFetchErrorCode, ClientFetchOptions } from './url-policy.js'

describe('isPublicAddress: an allow-list of public unicast addresses (SBP SSRF, CIMD-6 ranges)', () => {
  it.each([
    ['8.8.8.8', true],
    ['93.184.216.34', true],
    ['172.32.0.1', true],
    ['100.128.0.1', true],
    ['2606:4700:4700::1111', true],
    ['2a00:1450:4001:80b::200e', true],
    ['::ffff:8.8.8.8', true],
    ['0.0.0.0', false],
    ['0.1.2.3', false],
    ['10.0.0.1', false],
    ['100.64.0.1', false],
    ['100.127.255.255', false],
    ['127.0.0.1', false],
    ['127.255.255.254', false],
    ['169.254.169.254', false],
    ['172.16.0.1', false],
    ['172.31.255.255', false],
    ['192.0.0.8', false],
    ['192.0.2.1', false],
    ['192.168.1.1', false],
    ['198.18.0.1', false],
    ['198.51.100.1', false],
    ['203.0.113.9', false],
    ['224.0.0.1', false],
    ['239.255.255.250', false],
    ['240.0.0.1', false],
    ['255.255.255.255', false],
    ['::', false],
    ['::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:7f00:1', false],
    ['::ffff:10.0.0.1', false],
    ['::ffff:a9fe:a9fe', false],
    ['0:0:0:0:0:ffff:c0a8:0101', false],
    ['::10.0.0.1', false],
    ['64:ff9b::a00:1', false],
    ['fc00::1', false],
    ['fd12:3456::1', false],
    ['fe80::1', false],
    ['FE80::1', false],
    ['fec0::1', false],
    ['ff02::1', false],
    ['2001:db8::1', false],
    ['2001::1', false],
    ['2002:a00:1::1', false],
    ['3fff::1', false],
    ['not-an-ip', false],
    ['', false],
    ['[::1]', false],
  ])('%s → %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected)
  })
})

function refusal(value: unknown, options: ClientFetchOptions = {}): ClientFetchError {
  try {
    checkUrl(value, 'the test URL', clientFetchPolicy(options))
  } catch (error) {
    expect(error).toBeInstanceOf(ClientFetchError)
    return error as ClientFetchError
  }
  throw new Error('expected a refusal')
}

describe('checkUrl: URLs learned from servers (T-7, URL-1, SBP SSRF)', () => {
  it.each<[string, string, ClientFetchOptions]>([
    ['https', 'https://as.example/authorize?x=1', {}],
    [
      'http on 127.0.0.1 when loopback is trusted',
      'http://127.0.0.1:8080/x',
      { trustedHosts: ['localhost'] },
    ],
    ['http on localhost (a name: checked when connecting)', 'http://localhost:8080/x', {}],
    [
      'http anywhere with dangerouslyAllowHttp',
      'http://as.example/x',
      { dangerouslyAllowHttp: true },
    ],
    [
      'a private literal on the trusted host',
      'https://10.0.0.5:8443/x',
      { trustedHosts: ['10.0.0.5'] },
    ],
    ['an IPv6 trusted host', 'https://[fd00::5]/x', { trustedHosts: ['[fd00::5]'] }],
    ['a public IPv4 literal', 'https://93.184.216.34/x', {}],
  ])('accepts %s', (_name, value, options) => {
    expect(checkUrl(value, 'the test URL', clientFetchPolicy(options)).href).toBe(
      new URL(value).href,
    )
  })

  it.each<[string, unknown, ClientFetchErrorCode, RegExp, ClientFetchOptions?]>([
    ['not a URL', 'as.example/x', 'invalid_url', /not an absolute URL/],
    ['a non-string', 42, 'invalid_url', /not an absolute URL/],
    [
      'javascript: (URL-1)',
      'javascript:alert(1)',
      'invalid_url',
      /must be an https URL, not javascript:/,
    ],
    ['data:', 'data:text/html,x', 'invalid_url', /not data:/],
    ['file:', 'file:///etc/passwd', 'invalid_url', /not file:/],
    ['ftp:', 'ftp://as.example/x', 'invalid_url', /not ftp:/],
    ['user information', 'https://user:pw@as.example/x', 'invalid_url', /user information/],
    ['a fragment', 'https://as.example/x#frag', 'invalid_url', /fragment/],
    [
      'plain http off loopback (T-7)',
      'http://as.example/x',
      'insecure_url',
      /plain http.*--dangerously-allow-http/,
    ],
    [
      'the metadata service',
      'https://169.254.169.254/latest/meta-data/',
      'forbidden_address',
      /169\.254\.169\.254.*SSRF/,
    ],
    ['a private literal', 'https://10.0.0.5/x', 'forbidden_address', /10\.0\.0\.5/],
    [
      'a loopback literal when the server is elsewhere',
      'http://127.0.0.1:9/x',
      'forbidden_address',
      /127\.0\.0\.1/,
    ],
    ['a decimal loopback literal', 'https://2130706433/x', 'forbidden_address', /127\.0\.0\.1/],
    ['a hex-dotted loopback literal', 'https://0x7f.1/x', 'forbidden_address', /127\.0\.0\.1/],
    [
      'an IPv4-mapped metadata address',
      'https://[::ffff:169.254.169.254]/x',
      'forbidden_address',
      /::ffff:a9fe:a9fe/,
    ],
    ['0.0.0.0', 'https://0.0.0.0/x', 'forbidden_address', /0\.0\.0\.0/],
    ['IPv6 loopback', 'https://[::1]/x', 'forbidden_address', /::1/],
    ['IPv6 link-local', 'https://[fe80::1]/x', 'forbidden_address', /fe80::1/],
    ['IPv6 unique local', 'https://[fd00::1]/x', 'forbidden_address', /fd00::1/],
    ['shared address space', 'https://100.64.1.1/x', 'forbidden_address', /100\.64\.1\.1/],
    [
      'a private literal on another trusted host',
      'https://10.0.0.6/x',
      'forbidden_address',
      /10\.0\.0\.6/,
      { trustedHosts: ['10.0.0.5'] },
    ],
  ])('refuses %s', (_name, value, code, message, options = {}) => {
    const error = refusal(value, options)
    expect(error.code).toBe(code)
    expect(error.message).toMatch(message)
    expect(error.message).toMatch(/^the test URL/)
  })

  it('never echoes the query or the path of a refused URL with secrets in it', () => {
    const error = refusal('http://as.example/cb?code=SECRET-CODE&token=SECRET-TOKEN')
    expect(error.message).not.toContain('SECRET')
    expect(refusal('javascript:fetch("SECRET")').message).not.toContain('SECRET')
  })
})

describe('clientFetchPolicy: options are checked once (CONVENTIONS §5.6)', () => {
  it('has safe defaults', () => {
    const policy = clientFetchPolicy()
    expect(policy).toMatchObject({
      timeoutMs: 10_000,
      maxBytes: 1024 * 1024,
      dangerouslyAllowHttp: false,
    })
    expect(policy.loopbackTrusted).toBe(false)
  })

  it.each([['localhost'], ['127.0.0.1'], ['[::1]'], ['app.localhost']])(
    'trusts loopback addresses when %s is a trusted host',
    (host) => {
      expect(clientFetchPolicy({ trustedHosts: [host] }).loopbackTrusted).toBe(true)
    },
  )

  it.each<[ClientFetchOptions, RegExp]>([
    [{ timeoutMs: 0 }, /timeoutMs/],
    [{ timeoutMs: 1.5 }, /timeoutMs/],
    [{ timeoutMs: 10 ** 9 }, /timeoutMs/],
    [{ maxBytes: 0 }, /maxBytes/],
    [{ resolve: 'dns' as never }, /resolve/],
  ])('refuses %j', (options, message) => {
    expect(() => clientFetchPolicy(options)).toThrow(TypeError)
    expect(() => clientFetchPolicy(options)).toThrow(message)
  })
})
