import { describe, expect, it } from 'vitest'
import { buildClientMetadata, checkPublicJwks, checkRedirectUri } from './client-metadata.js'
import type { NewClientInput } from './client-metadata.js'
import { AdminError } from './errors.js'

// What an administrator may register, checked before anything is stored. The stored metadata
// is fed to a real oidc-provider in test/integration/admin-ops.test.ts.

const NOW = 1_800_000_000_000
const build = (input: Partial<NewClientInput>) =>
  buildClientMetadata({ name: 'App', redirectUris: ['http://127.0.0.1/cb'], ...input }, NOW)

/** The AdminError message of a refused input (fails when it is accepted). */
function refusal(input: Partial<NewClientInput>): string {
  try {
    build(input)
  } catch (error) {
    expect(error).toBeInstanceOf(AdminError)
    expect((error as AdminError).code).toBe('invalid_input')
    return (error as AdminError).message
  }
  throw new Error('expected the input to be refused')
}

const EC_PUBLIC = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
}

describe('redirect URIs', () => {
  it.each([
    'https://app.example/callback',
    'https://app.example:8443/cb?x=1',
    'http://127.0.0.1/cb',
    'http://127.0.0.1:53123/cb',
    'http://[::1]:8080/cb',
    'http://localhost:3000/cb',
  ])('accepts %s', (uri) => {
    expect(checkRedirectUri(uri).text).toBe(uri)
  })

  it.each([
    ['http://app.example/cb', /plain http on a non-loopback host/],
    ['http://127.0.0.2/cb', /plain http on a non-loopback host/],
    ['http://app.localhost/cb', /plain http on a non-loopback host/],
    ['https://app.example/cb#frag', /must not have a fragment/],
    ['https://app.example/cb#', /must not have a fragment/],
    ['/relative/cb', /must be an absolute URL/],
    ['app.example/cb', /must be an absolute URL/],
    ['com.example.app:/oauth', /custom schemes are not accepted/],
    ['javascript:alert(1)', /custom schemes are not accepted/],
    ['ftp://app.example/cb', /custom schemes are not accepted/],
    ['https://user:pw@app.example/cb', /user name or password/],
    ['https://app.example/c b', /spaces or control characters/],
    [' https://app.example/cb', /spaces or control characters/],
    ['https://app.example/\u0000', /spaces or control characters/],
    ['', /1-2000 characters/],
    [`https://app.example/${'a'.repeat(2000)}`, /1-2000 characters/],
  ])('refuses %j', (uri, message) => {
    expect(refusal({ redirectUris: [uri] })).toMatch(message)
  })
})

describe('buildClientMetadata', () => {
  it('builds a public native client by default, with refresh tokens', () => {
    const { metadata, secret } = build({})
    expect(secret).toBeUndefined()
    expect(metadata).toEqual({
      client_id: expect.stringMatching(/^mcp-pa-[\w-]{22}$/),
      client_name: 'App',
      client_id_issued_at: NOW / 1000,
      application_type: 'native',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/cb'],
      token_endpoint_auth_method: 'none',
      mcp_pa_origin: 'admin',
    })
  })

  it('makes a web client when a redirect URI is not loopback http', () => {
    const { metadata } = build({
      redirectUris: ['https://app.example/cb', 'http://127.0.0.1/cb'],
      refreshTokens: false,
    })
    expect(metadata).toMatchObject({
      application_type: 'web',
      grant_types: ['authorization_code'],
    })
  })

  it.each(['client_secret_basic', 'client_secret_post'] as const)(
    'makes a secret for %s and stores only its sha256 hash',
    (authMethod) => {
      const { metadata, secret } = build({ authMethod })
      expect(secret).toMatch(/^[\w-]{43}$/)
      expect(metadata.client_secret).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(JSON.stringify(metadata)).not.toContain(secret)
      expect(metadata.client_secret_expires_at).toBe(0)
    },
  )

  it('builds a client_credentials client: confidential, no redirect URIs', () => {
    const { metadata, secret } = build({
      redirectUris: [],
      grantTypes: ['client_credentials'],
    })
    expect(secret).toBeDefined()
    expect(metadata).toMatchObject({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      application_type: 'web',
    })
  })

  it('takes private_key_jwt with a JWKS URI or public keys', () => {
    expect(
      build({ authMethod: 'private_key_jwt', jwksUri: 'https://app.example/jwks.json' }).metadata,
    ).toMatchObject({ jwks_uri: 'https://app.example/jwks.json' })
    const { metadata, secret } = build({
      authMethod: 'private_key_jwt',
      jwks: { keys: [EC_PUBLIC] },
    })
    expect(secret).toBeUndefined()
    expect(metadata.jwks).toEqual({ keys: [EC_PUBLIC] })
  })

  it('takes tls_client_auth with a subject DN, its tokens bound to the certificate (RFC 8705 §3)', () => {
    expect(
      build({ authMethod: 'tls_client_auth', tlsSubjectDn: 'CN=app,O=Example' }).metadata,
    ).toMatchObject({
      tls_client_auth_subject_dn: 'CN=app,O=Example',
      tls_client_certificate_bound_access_tokens: true,
    })
  })

  it('refuses a method the configuration does not enable, given or by default', () => {
    const enabledAuthMethods = ['none', 'client_secret_basic', 'private_key_jwt']
    const refused = (input: Partial<NewClientInput>, enabled: string[]) => {
      try {
        buildClientMetadata({ name: 'App', ...input }, NOW, { enabledAuthMethods: enabled })
      } catch (error) {
        expect(error).toBeInstanceOf(AdminError)
        expect((error as AdminError).code).toBe('invalid_input')
        return (error as AdminError).message
      }
      throw new Error('expected the input to be refused')
    }
    expect(
      refused(
        { redirectUris: ['https://app.example/cb'], authMethod: 'client_secret_post' },
        enabledAuthMethods,
      ),
    ).toBe(
      'authentication method client_secret_post is not enabled on this server: authentication.client_auth_methods in the configuration allows none, client_secret_basic, private_key_jwt. Choose one of those, or add client_secret_post to authentication.client_auth_methods (and restart the server) first',
    )
    expect(
      refused(
        { grantTypes: ['client_credentials'], authMethod: 'tls_client_auth', tlsSubjectDn: 'CN=a' },
        enabledAuthMethods,
      ),
    ).toMatch(/^authentication method tls_client_auth is not enabled/)
    // The default (none for a redirect client) must be enabled too.
    expect(refused({ redirectUris: ['http://127.0.0.1/cb'] }, ['client_secret_basic'])).toMatch(
      /^the default authentication method none is not enabled on this server: authentication\.client_auth_methods in the configuration allows client_secret_basic\./,
    )
    const built = buildClientMetadata(
      { name: 'App', redirectUris: ['https://app.example/cb'], authMethod: 'client_secret_basic' },
      NOW,
      { enabledAuthMethods },
    )
    expect(built.metadata.token_endpoint_auth_method).toBe('client_secret_basic')
  })

  it('uses a given client id', () => {
    expect(build({ id: 'my-app.v2:prod_1' }).metadata.client_id).toBe('my-app.v2:prod_1')
  })

  it.each<[string, Partial<NewClientInput>, RegExp]>([
    ['no name', { name: '  ' }, /client name must not be empty/],
    ['a long name', { name: 'x'.repeat(201) }, /at most 200/],
    ['a control character in the name', { name: 'a\nb' }, /control characters/],
    ['a bad client id', { id: 'has space' }, /client id "has space" must be/],
    ['a client id with a slash', { id: 'https://x' }, /client id/],
    ['a long client id', { id: 'a'.repeat(201) }, /client id/],
    ['no redirect URI for the code flow', { redirectUris: [] }, /at least one redirect URI/],
    [
      'redirect URIs without the code flow',
      { grantTypes: ['client_credentials'], authMethod: 'client_secret_post' },
      /only for the authorization_code/,
    ],
    [
      'client_credentials for a public client',
      { redirectUris: [], grantTypes: ['client_credentials'], authMethod: 'none' },
      /confidential client/,
    ],
    ['an unknown grant type', { grantTypes: ['password' as never] }, /grant type "password"/],
    ['no grant type', { grantTypes: [] }, /at least one grant type/],
    ['an unknown auth method', { authMethod: 'client_secret_jwt' as never }, /one of none/],
    ['private_key_jwt without keys', { authMethod: 'private_key_jwt' }, /exactly one of/],
    [
      'private_key_jwt with both',
      {
        authMethod: 'private_key_jwt',
        jwksUri: 'https://a.example/jwks',
        jwks: { keys: [EC_PUBLIC] },
      },
      /exactly one of/,
    ],
    [
      'a plain-http JWKS URI',
      { authMethod: 'private_key_jwt', jwksUri: 'http://a.example/jwks' },
      /must be an https URL/,
    ],
    [
      'a JWKS with another method',
      { jwksUri: 'https://a.example/jwks' },
      /only for the private_key_jwt/,
    ],
    ['tls_client_auth without a DN', { authMethod: 'tls_client_auth' }, /subject DN/],
    ['a DN with another method', { tlsSubjectDn: 'CN=x' }, /only for the tls_client_auth/],
    [
      'a DN that is not RFC 4514 (OpenSSL one-line form)',
      { authMethod: 'tls_client_auth', tlsSubjectDn: '/O=Example/CN=app' },
      /is not an RFC 4514 DN: write it as `openssl x509 -noout -subject -nameopt RFC2253` prints it/,
    ],
    [
      'a DN with an unknown attribute name',
      { authMethod: 'tls_client_auth', tlsSubjectDn: 'CN=app,XYZ=1' },
      /is not an RFC 4514 DN/,
    ],
    ['a bad application type', { applicationType: 'spa' as never }, /native or web/],
    [
      'a native client with https on localhost',
      { applicationType: 'native', redirectUris: ['https://localhost/cb'] },
      /native client's https redirect cannot be on a loopback host/,
    ],
    [
      'too many redirect URIs',
      { redirectUris: Array.from({ length: 21 }, (_, i) => `https://a.example/${i}`) },
      /at most 20/,
    ],
  ])('refuses %s', (_label, input, message) => {
    expect(refusal(input)).toMatch(message)
  })
})

describe('checkPublicJwks', () => {
  it.each(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])(
    'refuses a key with the private member "%s", saying to give the public key',
    (member) => {
      expect(() =>
        checkPublicJwks({ keys: [EC_PUBLIC, { ...EC_PUBLIC, [member]: 'AAAA' }] }),
      ).toThrow(new RegExp(`JWKS key 2 is a private or symmetric key \\(it has "${member}"\\)`))
    },
  )

  it.each([
    [null, /"keys" array/],
    [[EC_PUBLIC], /"keys" array/],
    [{ keys: [] }, /1-20 keys/],
    [{ keys: ['x'] }, /not a JSON object/],
    [{ keys: [{ kty: 'oct' }] }, /"kty" EC, RSA or OKP/],
    [{ keys: [{ ...EC_PUBLIC, kty: undefined }] }, /"kty" EC, RSA or OKP/],
  ])('refuses %j', (jwks, message) => {
    expect(() => checkPublicJwks(jwks)).toThrow(message)
  })
})
