import { afterEach, describe, expect, it } from 'vitest'
import { DiscoveryError } from './discovery-errors.js'
import type { DiscoveryErrorCode } from './discovery-errors.js'
import { json, routeServer } from './loopback-server-test-support.js'
import type { Answer, RouteServer } from './loopback-server-test-support.js'
import { acceptedResources, findResourceMetadata } from './resource-metadata.js'
import { clientFetchPolicy } from './url-policy.js'

const PRM = '/.well-known/oauth-protected-resource'
const AS = ['https://as.example']

const servers: RouteServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function serve(routes: (origin: string) => Record<string, Answer>) {
  const server = await routeServer(routes)
  servers.push(server)
  return server
}

const policy = () => clientFetchPolicy({ trustedHosts: ['127.0.0.1'], timeoutMs: 300 })

async function refusal(promise: Promise<unknown>, code: DiscoveryErrorCode) {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DiscoveryError)
  expect((error as DiscoveryError).code).toBe(code)
  return error as DiscoveryError
}

describe('acceptedResources: which resource a document may name (PRM-8, RFC 9728 §3.3)', () => {
  it.each([
    ['path-suffixed', `https://h${PRM}/mcp`, 'https://h/mcp', ['https://h/mcp']],
    [
      'root: the origin or the server',
      `https://h${PRM}`,
      'https://h/mcp',
      ['https://h/mcp', 'https://h/'],
    ],
    [
      'a parent path',
      `https://h${PRM}/t/acme`,
      'https://h/t/acme/mcp',
      ['https://h/t/acme/mcp', 'https://h/t/acme'],
    ],
    ['not a segment prefix', `https://h${PRM}/mc`, 'https://h/mcp', ['https://h/mcp']],
    ['a sibling path', `https://h${PRM}/other`, 'https://h/mcp', ['https://h/mcp']],
    ['a longer path', `https://h${PRM}/mcp/x`, 'https://h/mcp', ['https://h/mcp']],
    ['a custom location', 'https://h/custom/prm.json', 'https://h/mcp', ['https://h/mcp']],
    ['another origin’s root', `https://other${PRM}`, 'https://h/mcp', ['https://h/mcp']],
    ['another port', `https://h:8443${PRM}`, 'https://h/mcp', ['https://h/mcp']],
  ])('%s', (_name, documentUrl, server, expected) => {
    expect([...acceptedResources(new URL(documentUrl), server)]).toEqual(expected)
  })
})

describe('findResourceMetadata: where to look (PRM-6, RFC 9728 §3.1, §5.1)', () => {
  it('uses resource_metadata from the challenge, and only it (conformance metadata-var3)', async () => {
    const s = await serve((o) => ({
      '/custom/prm.json': json({ resource: `${o}/mcp`, authorization_servers: AS }),
      [`${PRM}/mcp`]: json({ resource: `${o}/mcp`, authorization_servers: ['https://wrong'] }),
    }))
    const found = await findResourceMetadata(
      `${s.origin}/mcp`,
      `${s.origin}/custom/prm.json`,
      policy(),
    )
    expect(found).toEqual({
      url: `${s.origin}/custom/prm.json`,
      metadata: { resource: `${s.origin}/mcp`, authorization_servers: AS },
    })
    expect(s.paths()).toEqual(['/custom/prm.json'])
  })

  it('does not fall back to the well-known URLs when resource_metadata fails', async () => {
    const s = await serve((o) => ({
      [`${PRM}/mcp`]: json({ resource: `${o}/mcp`, authorization_servers: AS }),
    }))
    const error = await refusal(
      findResourceMetadata(`${s.origin}/mcp`, `${s.origin}/missing`, policy()),
      'no_resource_metadata',
    )
    expect(error.message).toMatch(/\/missing answered HTTP 404/)
    expect(s.paths()).toEqual(['/missing'])
  })

  it('tries the path-suffixed URL first and never the root when it answers (conformance metadata-default)', async () => {
    const s = await serve((o) => ({
      [`${PRM}/mcp`]: json({
        resource: `${o}/mcp`,
        authorization_servers: AS,
        scopes_supported: ['a'],
      }),
      [PRM]: json({ resource: o, authorization_servers: ['https://wrong'] }),
    }))
    const found = await findResourceMetadata(`${s.origin}/mcp`, undefined, policy())
    expect(found.metadata.scopes_supported).toEqual(['a'])
    expect(s.paths()).toEqual([`${PRM}/mcp`])
  })

  it.each<[string, Answer]>([
    ['404', { status: 404 }],
    ['HTML from a catch-all route', { body: '<!doctype html>' }],
    [
      'a redirect to a private address',
      { status: 301, headers: { location: 'http://10.0.0.1/prm' } },
    ],
    ['a slow answer', { delayMs: 5000, body: '{}' }],
    ['a huge body', { body: Buffer.alloc(2 * 1024 * 1024, 0x20) }],
  ])('falls back to the root URL after %s (conformance metadata-var2)', async (_name, answer) => {
    const s = await serve((o) => ({
      [`${PRM}/mcp`]: answer,
      [PRM]: json({ resource: o, authorization_servers: AS }),
    }))
    const found = await findResourceMetadata(`${s.origin}/mcp`, undefined, policy())
    // The resource is kept exactly as published: no slash added (RFC 8707 indicator).
    expect(found.metadata.resource).toBe(s.origin)
    expect(found.url).toBe(`${s.origin}${PRM}`)
    expect(s.paths()).toEqual([`${PRM}/mcp`, PRM])
  })

  it('tries the root URL once for a server without a path', async () => {
    const s = await serve(() => ({}))
    const error = await refusal(
      findResourceMetadata(`${s.origin}/`, undefined, policy()),
      'no_resource_metadata',
    )
    expect(s.paths()).toEqual([PRM])
    expect(error.message).toMatch(/The server must publish it \(RFC 9728\)/)
  })

  it('names every URL tried when none answers', async () => {
    const s = await serve(() => ({
      [PRM]: { status: 302, headers: { location: 'http://169.254.169.254/' } },
    }))
    const error = await refusal(
      findResourceMetadata(`${s.origin}/mcp`, undefined, policy()),
      'no_resource_metadata',
    )
    expect(error.message).toContain(`${s.origin}${PRM}/mcp answered HTTP 404`)
    expect(error.message).toContain(
      `${s.origin}${PRM} answered with a redirect (HTTP 302) to http://169.254.169.254/`,
    )
    expect(s.paths()).toEqual([`${PRM}/mcp`, PRM])
  })

  it.each([
    ['the metadata service', 'https://169.254.169.254/latest/meta-data/', 'forbidden_address'],
    ['plain http off loopback (T-7)', 'http://prm.example/x', 'insecure_url'],
    ['javascript:', 'javascript:alert(1)', 'invalid_url'],
  ])(
    'refuses a resource_metadata URL pointing to %s, without a request',
    async (_name, url, code) => {
      const s = await serve(() => ({}))
      const error = await refusal(
        findResourceMetadata(`${s.origin}/mcp`, url, policy()),
        'no_resource_metadata',
      )
      expect((error.cause as { code?: string }).code).toBe(code)
      expect(error.message).toMatch(/^the resource_metadata URL/)
      expect(s.paths()).toEqual([])
    },
  )
})

describe('findResourceMetadata: the document must describe the server (PRM-8, conformance resource-mismatch)', () => {
  it.each<[string, (o: string) => Record<string, Answer>, string | undefined]>([
    [
      'another origin',
      () => ({
        [`${PRM}/mcp`]: json({
          resource: 'https://evil.example.com/mcp',
          authorization_servers: AS,
        }),
      }),
      undefined,
    ],
    [
      'another port',
      (o) => ({
        [`${PRM}/mcp`]: json({ resource: o.replace(/:\d+$/, ':1'), authorization_servers: AS }),
      }),
      undefined,
    ],
    [
      'a sibling path',
      (o) => ({ [`${PRM}/mcp`]: json({ resource: `${o}/other`, authorization_servers: AS }) }),
      undefined,
    ],
    [
      'a parent path at the path-suffixed URL',
      (o) => ({ [`${PRM}/mcp`]: json({ resource: o, authorization_servers: AS }) }),
      undefined,
    ],
    [
      'the origin at a custom location',
      (o) => ({ '/custom': json({ resource: o, authorization_servers: AS }) }),
      '/custom',
    ],
    [
      'another path at the root URL',
      (o) => ({ [PRM]: json({ resource: `${o}/other`, authorization_servers: AS }) }),
      undefined,
    ],
  ])('refuses a resource on %s', async (_name, routes, custom) => {
    const s = await serve(routes)
    const header = custom === undefined ? undefined : `${s.origin}${custom}`
    const error = await refusal(
      findResourceMetadata(`${s.origin}/mcp`, header, policy()),
      'resource_mismatch',
    )
    expect(error.message).toMatch(
      /is for the resource .*, not for the server .*\/mcp, so it is not used \(RFC 9728 §3\.3\)/,
    )
  })

  it('accepts the same resource in another spelling (case, default port, trailing slash)', async () => {
    const s = await serve((o) => ({
      [`${PRM}/mcp`]: json({
        resource: `${o.toUpperCase()}/mcp/`,
        authorization_servers: AS,
      }),
    }))
    const found = await findResourceMetadata(`${s.origin}/mcp`, undefined, policy())
    expect(found.metadata.resource).toBe(`${s.origin.toUpperCase()}/mcp/`)
  })

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no resource', { authorization_servers: AS }, /has no usable resource \(none\)/],
    [
      'a relative resource',
      { resource: '/mcp', authorization_servers: AS },
      /has no usable resource \("\/mcp"\)/,
    ],
    [
      'a resource with a fragment',
      { resource: 'RS/mcp#x', authorization_servers: AS },
      /has no usable resource/,
    ],
    ['no authorization_servers', { resource: 'RS/mcp' }, /lists no authorization_servers/],
    [
      'an empty authorization_servers',
      { resource: 'RS/mcp', authorization_servers: [] },
      /lists no authorization_servers/,
    ],
    [
      'authorization_servers as a string',
      { resource: 'RS/mcp', authorization_servers: AS[0] },
      /lists no authorization_servers/,
    ],
    [
      'scopes_supported as a string',
      { resource: 'RS/mcp', authorization_servers: AS, scopes_supported: 'a b' },
      /scopes_supported that is not a list of strings/,
    ],
  ])('refuses a document with %s', async (_name, document, message) => {
    const s = await serve((o) => ({
      [`${PRM}/mcp`]: json(JSON.parse(JSON.stringify(document).replaceAll('RS', o))),
    }))
    const error = await refusal(
      findResourceMetadata(`${s.origin}/mcp`, undefined, policy()),
      'invalid_resource_metadata',
    )
    expect(error.message).toMatch(message)
    expect(s.paths()).toEqual([`${PRM}/mcp`])
  })
})
