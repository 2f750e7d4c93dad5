import { describe, expect, it } from 'vitest'
import { grantFrom } from './conformance.js'

describe('grantFrom: the extension scenarios context → a machine grant', () => {
  it('client_credentials with a secret, only in a client-credentials scenario', () => {
    const context = { client_id: 'c', client_secret: 's' }
    expect(grantFrom('auth/client-credentials-basic', context)).toEqual({
      type: 'client_credentials',
      clientId: 'c',
      clientSecret: 's',
    })
    // auth/pre-registration passes the same fields: that is a pre-registered login client.
    expect(grantFrom('auth/pre-registration', context)).toBeUndefined()
  })

  it('client_credentials with a private key and its algorithm', () => {
    expect(
      grantFrom('auth/client-credentials-jwt', {
        client_id: 'c',
        private_key_pem: 'PEM',
        signing_algorithm: 'ES256',
      }),
    ).toEqual({
      type: 'client_credentials',
      clientId: 'c',
      privateKey: { privateKeyPem: 'PEM', algorithm: 'ES256' },
    })
  })

  it('cross-app access when the context names an IdP', () => {
    expect(
      grantFrom('auth/cross-app-access-complete-flow', {
        client_id: 'c',
        client_secret: 's',
        idp_client_id: 'i',
        idp_id_token: 't',
        idp_issuer: 'http://localhost:1',
        idp_token_endpoint: 'http://localhost:1/token',
      }),
    ).toEqual({
      type: 'cross_app_access',
      idpTokenEndpoint: 'http://localhost:1/token',
      idpClientId: 'i',
      idToken: 't',
      clientId: 'c',
      clientSecret: 's',
    })
  })

  it('nothing without a client_id', () => {
    expect(grantFrom('auth/client-credentials-basic', { client_secret: 's' })).toBeUndefined()
    expect(grantFrom('auth/metadata-default', {})).toBeUndefined()
  })
})
