import { describe, expect, it } from 'vitest'
import {
  clientMetadataProblem,
  hostAllowed,
  isLoopbackRedirect,
  isSpecialUseAddress,
  metadataDocumentFetchProblem,
  redirectUriProblem,
} from './client-policy.js'

describe('isSpecialUseAddress (CIMD-6)', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fc00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '[::1]',
  ])('%s is special-use', (address) => {
    expect(isSpecialUseAddress(address)).toBe(true)
  })

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', 'example.com'])(
    '%s is not',
    (address) => {
      expect(isSpecialUseAddress(address)).toBe(false)
    },
  )
})

describe('redirectUriProblem (REDIR-1, REDIR-3)', () => {
  it.each([
    'https://app.example/cb',
    'http://127.0.0.1/callback',
    'http://127.0.0.1:8123/callback',
    'http://[::1]/cb',
    'http://localhost:3000/cb',
  ])('accepts %s', (uri) => {
    expect(redirectUriProblem(uri)).toBeUndefined()
  })

  it.each([
    ['http://app.example/cb', /must use https/],
    ['https://app.example/cb#frag', /fragment/],
    ['https://user:pw@app.example/cb', /userinfo/],
    ['https://*.example/cb', /wildcard/],
    ['com.example.app:/cb', /scheme com\.example\.app: is not allowed/],
    ['javascript:alert(1)', /scheme javascript: is not allowed/],
    ['/relative', /not an absolute URL/],
    ['', /strings/],
  ])('refuses %s', (uri, message) => {
    expect(redirectUriProblem(uri)).toMatch(message)
  })

  it('tells loopback redirects', () => {
    expect(isLoopbackRedirect('http://127.0.0.1:9/cb')).toBe(true)
    expect(isLoopbackRedirect('https://127.0.0.1/cb')).toBe(false)
    expect(isLoopbackRedirect('http://example.com/cb')).toBe(false)
  })
})

describe('clientMetadataProblem (OA-1)', () => {
  it.each([
    [{ redirect_uris: [] }, /redirect_uris is required/],
    [{ redirect_uris: ['https://a.example/cb'], grant_types: ['implicit'] }, /implicit/],
    [
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' },
      /confidential client/,
    ],
    [
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'tls_client_auth' },
      /tls_client_auth_subject_dn must be the certificate subject as an RFC 4514 string/,
    ],
    [
      {
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'tls_client_auth',
        tls_client_auth_subject_dn: 'C=US; O=Example',
      },
      /RFC 4514/,
    ],
    [
      {
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'tls_client_auth',
        tls_client_auth_san_dns: 'app.example',
      },
      /SAN variants are not supported/,
    ],
  ])('refuses %j', (metadata, message) => {
    expect(clientMetadataProblem(metadata)).toMatch(message)
  })

  it('accepts a confidential machine client without redirect URIs', () => {
    expect(
      clientMetadataProblem({
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'private_key_jwt',
      }),
    ).toBeUndefined()
    expect(
      clientMetadataProblem({
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'tls_client_auth',
        tls_client_auth_subject_dn: 'CN=app,O=Example',
      }),
    ).toBeUndefined()
  })
})

describe('metadataDocumentFetchProblem (CIMD-6)', () => {
  const resolvesTo =
    (...addresses: string[]) =>
    async () =>
      addresses

  it('accepts an https host that resolves to public addresses', async () => {
    expect(
      await metadataDocumentFetchProblem(
        'https://client.example/c.json',
        [],
        resolvesTo('93.184.216.34'),
      ),
    ).toBeUndefined()
  })

  it.each([
    ['http://client.example/c.json', resolvesTo('93.184.216.34'), /https/],
    ['https://127.0.0.1/c.json', resolvesTo('127.0.0.1'), /not an IP address/],
    ['https://[::1]/c.json', resolvesTo('::1'), /not an IP address/],
    ['https://localhost/c.json', resolvesTo('127.0.0.1'), /localhost/],
    ['https://client.example:8443/c.json', resolvesTo('93.184.216.34'), /default https port/],
    ['https://internal.example/c.json', resolvesTo('10.0.0.5'), /private or special-use/],
    ['https://meta.example/c.json', resolvesTo('93.184.216.34', '169.254.169.254'), /private/],
    ['https://gone.example/c.json', resolvesTo(), /does not resolve/],
    [
      'https://gone.example/c.json',
      async () => {
        throw new Error('ENOTFOUND')
      },
      /does not resolve/,
    ],
  ])('refuses %s', async (url, lookup, message) => {
    expect(await metadataDocumentFetchProblem(url, [], lookup)).toMatch(message)
  })

  it('applies the host allow-list before resolving', async () => {
    let asked = false
    const lookup = async () => {
      asked = true
      return ['93.184.216.34']
    }
    expect(
      await metadataDocumentFetchProblem('https://other.example/c.json', ['apps.example'], lookup),
    ).toMatch(/not accepted here/)
    expect(asked).toBe(false)
  })

  it('matches exact hosts and *.suffix entries', () => {
    expect(hostAllowed('a.example', [])).toBe(true)
    expect(hostAllowed('a.example', ['a.example'])).toBe(true)
    expect(hostAllowed('x.apps.example', ['*.apps.example'])).toBe(true)
    expect(hostAllowed('apps.example', ['*.apps.example'])).toBe(false)
    expect(hostAllowed('evilapps.example', ['*.apps.example'])).toBe(false)
  })
})
