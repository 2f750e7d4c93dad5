import type { Tool } from '@modelcontextprotocol/client'
import { describe, expect, it } from 'vitest'
import { scenarioPlan } from './conformance-scenarios.js'
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

describe('scenarioPlan: the tools/calls of each conformance scenario', () => {
  const tool = (name: string, inputSchema: Tool['inputSchema'] = { type: 'object' }): Tool => ({
    name,
    inputSchema,
  })

  it('calls the context toolCalls in order (http-custom-headers)', () => {
    const context = {
      toolCalls: [{ name: 'a', arguments: { region: 'x', verbose: null } }, { name: 'b' }, 'junk'],
    }
    expect(scenarioPlan('http-custom-headers', [tool('a'), tool('b')], context)).toEqual({
      calls: [
        { name: 'a', arguments: { region: 'x', verbose: null } },
        { name: 'b', arguments: {} },
      ],
      parallel: false,
    })
  })

  it('tools_call: add_numbers with two numbers', () => {
    expect(scenarioPlan('tools_call', [tool('add_numbers')], {}).calls).toEqual([
      { name: 'add_numbers', arguments: { a: 2, b: 3 } },
    ])
  })

  it('json-schema-2020-12-preservation: echoes the focal inputSchema as held', () => {
    const schema = { type: 'object' as const, $schema: 'x', additionalProperties: false }
    const tools = [tool('json_schema_2020_12_tool', schema), tool('json_schema_echo')]
    expect(scenarioPlan('json-schema-2020-12-preservation', tools, {}).calls).toEqual([
      { name: 'json_schema_echo', arguments: { schema } },
    ])
  })

  it('json-schema-ref-no-deref: tools/list only', () => {
    expect(scenarioPlan('json-schema-ref-no-deref', [tool('lookup_user')], {}).calls).toEqual([])
  })

  it('sep-2322-client-request-state: every tool, concurrently', () => {
    expect(scenarioPlan('sep-2322-client-request-state', [tool('x'), tool('y')], {})).toEqual({
      calls: [
        { name: 'x', arguments: {} },
        { name: 'y', arguments: {} },
      ],
      parallel: true,
    })
  })

  it('otherwise: test-tool, else the first tool, else nothing', () => {
    expect(scenarioPlan('auth/x', [tool('a'), tool('test-tool')], {}).calls).toEqual([
      { name: 'test-tool', arguments: {} },
    ])
    expect(scenarioPlan('auth/x', [tool('a')], {}).calls).toEqual([{ name: 'a', arguments: {} }])
    expect(scenarioPlan('auth/x', [], {}).calls).toEqual([])
  })
})
