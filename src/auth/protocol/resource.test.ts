import { describe, expect, it } from 'vitest'
import { canonicalResourceUri, protectedResourceMetadataUrls } from './resource.js'

describe('canonicalResourceUri (RFC 8707 §2, PRM-3)', () => {
  it.each([
    ['https://mcp.example.com/mcp', 'https://mcp.example.com/mcp'],
    ['HTTPS://MCP.Example.COM/mcp', 'https://mcp.example.com/mcp'],
    ['https://mcp.example.com:443/mcp', 'https://mcp.example.com/mcp'],
    ['http://127.0.0.1:80/mcp', 'http://127.0.0.1/mcp'],
    ['https://mcp.example.com:8443/mcp', 'https://mcp.example.com:8443/mcp'],
    ['https://mcp.example.com/mcp/', 'https://mcp.example.com/mcp'],
    ['https://mcp.example.com/mcp#frag', 'https://mcp.example.com/mcp'],
    ['https://mcp.example.com/t/acme/mcp', 'https://mcp.example.com/t/acme/mcp'],
    ['https://mcp.example.com/Mcp', 'https://mcp.example.com/Mcp'],
    ['https://mcp.example.com', 'https://mcp.example.com/'],
    ['https://mcp.example.com/', 'https://mcp.example.com/'],
    ['https://mcp.example.com/mcp?', 'https://mcp.example.com/mcp'],
    ['https://mcp.example.com/mcp?tenant=a', 'https://mcp.example.com/mcp?tenant=a'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalResourceUri(input)).toBe(expected)
    expect(canonicalResourceUri(new URL(input))).toBe(expected)
  })

  it.each([['mcp'], ['/mcp'], ['ftp://h/mcp'], ['https://user:pw@h/mcp']])(
    'refuses %s',
    (input) => {
      expect(() => canonicalResourceUri(input)).toThrow(TypeError)
    },
  )
})

describe('protectedResourceMetadataUrls (RFC 9728 §3.1, PRM-5)', () => {
  it.each([
    [
      'https://h.example/mcp',
      'https://h.example/.well-known/oauth-protected-resource/mcp',
      'https://h.example/.well-known/oauth-protected-resource',
    ],
    [
      'https://h.example:8443/t/acme/mcp/?x=1#f',
      'https://h.example:8443/.well-known/oauth-protected-resource/t/acme/mcp',
      'https://h.example:8443/.well-known/oauth-protected-resource',
    ],
    [
      'https://h.example/',
      'https://h.example/.well-known/oauth-protected-resource',
      'https://h.example/.well-known/oauth-protected-resource',
    ],
  ])('%s', (resource, pathSuffixed, root) => {
    expect(protectedResourceMetadataUrls(resource)).toEqual({ pathSuffixed, root })
  })
})
