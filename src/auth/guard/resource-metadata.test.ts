import { describe, expect, it } from 'vitest'
import { protectedResourceMetadataUrls } from '../protocol/index.js'
import { protectedResourceMetadata } from './resource-metadata.js'

const base = {
  resource: 'https://h.example/t/acme/mcp',
  authorizationServers: ['https://idp.example/realms/acme'],
  scopesSupported: ['memories:read', 'tasks:read'],
}

describe('protectedResourceMetadata (RFC 9728 §2)', () => {
  it('builds the document: resource exact (PRM-3), AS listed (PRM-2), header only (PRM-10)', () => {
    expect(
      protectedResourceMetadata({
        ...base,
        resourceName: 'mcp-pa',
        documentationUrl: 'https://docs.example/mcp-pa',
      }),
    ).toEqual({
      resource: 'https://h.example/t/acme/mcp',
      authorization_servers: ['https://idp.example/realms/acme'],
      scopes_supported: ['memories:read', 'tasks:read'],
      bearer_methods_supported: ['header'],
      resource_name: 'mcp-pa',
      resource_documentation: 'https://docs.example/mcp-pa',
    })
  })

  it('publishes the canonical resource and accepts loopback http', () => {
    const doc = protectedResourceMetadata({
      ...base,
      resource: 'http://127.0.0.1:8080/mcp/',
      authorizationServers: ['http://localhost:9000'],
    })
    expect(doc.resource).toBe('http://127.0.0.1:8080/mcp')
    expect(doc.authorization_servers).toEqual(['http://localhost:9000'])
    expect(doc).not.toHaveProperty('resource_name')
  })

  it('the resource matches the URL its well-known location is derived from (PRM-3, PRM-5)', () => {
    const doc = protectedResourceMetadata(base)
    expect(protectedResourceMetadataUrls(doc.resource).pathSuffixed).toBe(
      'https://h.example/.well-known/oauth-protected-resource/t/acme/mcp',
    )
  })

  it.each([
    ['http resource off loopback', { resource: 'http://h.example/mcp' }, /https/],
    ['resource with fragment', { resource: 'https://h.example/mcp#x' }, /fragment/],
    ['no authorization server (PRM-2)', { authorizationServers: [] }, /at least one/],
    ['http AS off loopback (PRM-2)', { authorizationServers: ['http://idp.example'] }, /https/],
    ['AS not a URL', { authorizationServers: ['idp'] }, /absolute URL/],
    ['offline_access (RT-6)', { scopesSupported: ['offline_access'] }, /offline_access/],
    ['bad scope token', { scopesSupported: ['a b'] }, /scope token/],
    ['control char in name', { resourceName: 'a\nb' }, /control/],
    ['http docs off loopback', { documentationUrl: 'http://docs.example' }, /https/],
  ])('refuses %s with a TypeError', (_name, patch, message) => {
    expect(() => protectedResourceMetadata({ ...base, ...patch })).toThrow(TypeError)
    expect(() => protectedResourceMetadata({ ...base, ...patch })).toThrow(message)
  })
})
