import { afterEach, describe, expect, it } from 'vitest'
import { mint, testKey } from '../../auth/guard/test-support.js'
import { tokenFingerprint } from '../../auth/protocol/index.js'
import { SCOPES } from '../../tools/index.js'
import {
  appHarness,
  challengeParams,
  initialize,
  ISSUER,
  PRM_URL,
  rpc,
  rpcResult,
  toolCall,
  type AppHarness,
} from './http-test-support.js'

/** The guard in front of /mcp through the whole app: ERR-1..ERR-6, TOK-2..TOK-4, PRM-4. */

let h: AppHarness
afterEach(() => h?.close().catch(() => undefined))

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const now = () => Math.floor(Date.now() / 1000)

describe('no token (ERR-1, ERR-2, ERR-3, PRM-4, T-5)', () => {
  it('401 with a challenge naming resource_metadata and scope, and no error code', async () => {
    h = await appHarness()
    const response = await h.post(initialize())
    expect(response.status).toBe(401)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(challengeParams(response.headers.get('www-authenticate'))).toEqual({
      resource_metadata: PRM_URL,
      scope: SCOPES.join(' '),
    })
    expect(await response.text()).toBe('')
    expect(h.audit.events).toEqual([
      { type: 'auth.token_refused', reason: 'missing', ip: 'unknown' },
    ])
  })

  it('the body of an unauthenticated request is never read: 401, not 413', async () => {
    h = await appHarness()
    expect((await h.post('x'.repeat(100_000))).status).toBe(401)
  })
})

describe('refused tokens (ERR-2, TOK-3, TOK-4)', () => {
  const cases: [string, (h: AppHarness) => Promise<string>, string][] = [
    ['malformed', async () => 'not-a-jwt', 'ERR_JWS_INVALID'],
    [
      'forged (signed by another key with the same kid)',
      async (x) => {
        const other = await testKey(x.key.kid)
        return mint(other, {
          iss: ISSUER,
          aud: 'http://127.0.0.1:8787/mcp',
          sub: 'eve',
          exp: now() + 600,
        })
      },
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    ],
    [
      'expired',
      (x) => x.token(['memories:read'], { exp: now() - 3600, iat: now() - 7200 }),
      'ERR_JWT_EXPIRED: claim exp: check_failed',
    ],
    [
      'TOK-4: for another audience',
      (x) => x.token(['memories:read'], { aud: 'http://127.0.0.1:9999/mcp' }),
      'ERR_JWT_CLAIM_VALIDATION_FAILED: claim aud: check_failed (the token names "http://127.0.0.1:9999/mcp")',
    ],
    [
      'from another issuer',
      (x) => x.token(['memories:read'], { iss: 'https://other-idp.example.test' }),
      'ERR_JWT_CLAIM_VALIDATION_FAILED: claim iss: check_failed (the token names "https://other-idp.example.test")',
    ],
    [
      'unsigned (alg none)',
      async () =>
        `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${Buffer.from(
          JSON.stringify({
            iss: ISSUER,
            aud: 'http://127.0.0.1:8787/mcp',
            sub: 'eve',
            exp: now() + 600,
          }),
        ).toString('base64url')}.`,
      'ERR_JOSE_ALG_NOT_ALLOWED',
    ],
  ]

  it.each(cases)(
    '%s → 401 invalid_token, audited without the token',
    async (_name, make, detail) => {
      h = await appHarness()
      const token = await make(h)
      const response = await h.post(initialize(), bearer(token))
      expect(response.status).toBe(401)
      expect(response.headers.get('cache-control')).toBe('no-store')
      const params = challengeParams(response.headers.get('www-authenticate'))
      expect(params).toMatchObject({ resource_metadata: PRM_URL, error: 'invalid_token' })
      expect(await response.json()).toEqual({
        error: 'invalid_token',
        error_description: 'the access token is invalid or expired',
      })
      expect(h.audit.events).toEqual([
        {
          type: 'auth.token_refused',
          reason: 'invalid_token',
          detail,
          fingerprint: tokenFingerprint(token),
          ip: 'unknown',
        },
      ])
      // TOK-7: neither the audit trail nor the log carries the token.
      const trail = JSON.stringify(h.audit.events) + h.log.text()
      for (const part of token.split('.').filter((p) => p.length >= 8)) {
        expect(trail).not.toContain(part)
      }
    },
  )

  it.each([
    ['TOK-2: a token in the query string', '/mcp?access_token=abc.def.ghi', {}],
    ['another scheme', '/mcp', { authorization: 'Basic YWxpY2U6c2VjcmV0' }],
    ['two tokens', '/mcp', { authorization: 'Bearer abc def' }],
  ])('ERR-1: %s → 400 invalid_request', async (_name, url, headers) => {
    h = await appHarness()
    const response = await h.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(initialize()),
    })
    expect(response.status).toBe(400)
    expect(challengeParams(response.headers.get('www-authenticate')).error).toBe('invalid_request')
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request')
    expect(h.audit.events[0]).toMatchObject({
      type: 'auth.token_refused',
      reason: 'invalid_request',
    })
  })

  it('TOK-2: a token in the query string is refused even next to a valid header', async () => {
    h = await appHarness()
    const valid = await h.token(['memories:read'])
    const response = await h.request('/mcp?access_token=x', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(valid) },
      body: JSON.stringify(initialize()),
    })
    expect(response.status).toBe(400)
  })
})

describe('valid tokens', () => {
  it('initialize (2025-06-18, JSON-RPC POST) → 200 with the negotiated version, never cached', async () => {
    h = await appHarness()
    const response = await h.post(initialize(), bearer(await h.token(['memories:read'])))
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'")
    const answer = await rpcResult(response)
    expect(answer.result?.protocolVersion).toBe('2025-06-18')
    expect(answer.result?.serverInfo?.name).toBe('mcp-pa')
    expect(h.audit.events[0]).toMatchObject({
      type: 'auth.token_accepted',
      issuer: ISSUER,
      subject: 'alice',
      clientId: 'test-client',
      scopes: ['memories:read'],
    })
  })

  it('tools/list and discovery need no scope beyond a valid token', async () => {
    h = await appHarness()
    const response = await h.post(rpc('tools/list'), bearer(await h.token([])))
    expect(response.status).toBe(200)
    expect((await rpcResult(response)).result?.tools?.length).toBeGreaterThan(0)
  })

  it('the user comes from the token: one user never sees another user’s memories', async () => {
    h = await appHarness()
    const alice = await h.token(['memories:write'], { sub: 'alice' })
    const bob = await h.token(['memories:write'], { sub: 'bob' })
    const saved = await h.post(toolCall('memory_save', { content: 'alice secret' }), bearer(alice))
    expect((await rpcResult(saved)).result?.isError).toBeFalsy()
    const aliceList = await rpcResult(await h.post(toolCall('memory_list'), bearer(alice)))
    const bobList = await rpcResult(await h.post(toolCall('memory_list'), bearer(bob)))
    expect(JSON.stringify(aliceList.result?.structuredContent)).toContain('alice secret')
    expect(JSON.stringify(bobList.result?.structuredContent)).not.toContain('alice secret')
  })
})

describe('T-9: stateless legacy serving', () => {
  it('mints no Mcp-Session-Id, and a session id never stands in for a token', async () => {
    h = await appHarness()
    const ok = await h.post(initialize(), bearer(await h.token([])))
    expect(ok.status).toBe(200)
    expect(ok.headers.get('mcp-session-id')).toBeNull()
    const replay = await h.post(toolCall('memory_list'), { 'mcp-session-id': 'stolen-session' })
    expect(replay.status).toBe(401)
  })

  it.each(['GET', 'DELETE'])(
    'answers a legacy %s (session operations) with 405',
    async (method) => {
      h = await appHarness()
      const response = await h.request('/mcp', {
        method,
        headers: { ...bearer(await h.token([])), accept: 'text/event-stream' },
      })
      expect(response.status).toBe(405)
    },
  )
})

describe('insufficient scope (ERR-5, ERR-6, ERR-8)', () => {
  it('ERR-5: a read-only token calling memory_save → 403 insufficient_scope naming memories:write', async () => {
    h = await appHarness()
    const response = await h.post(
      toolCall('memory_save', { content: 'x' }),
      bearer(await h.token(['memories:read', 'tasks:read'])),
    )
    expect(response.status).toBe(403)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(challengeParams(response.headers.get('www-authenticate'))).toEqual({
      resource_metadata: PRM_URL,
      scope: 'memories:write',
      error: 'insufficient_scope',
      error_description: 'this call needs the scope memories:write',
    })
    expect(await response.json()).toMatchObject({ error: 'insufficient_scope' })
    const refused = h.audit.events.find((e) => e.type === 'auth.scope_refused')
    expect(refused).toMatchObject({
      needed: ['memories:write'],
      granted: ['memories:read', 'tasks:read'],
      methods: ['tools/call'],
      fingerprint: expect.stringMatching(/^sha256:/),
    })
    expect(h.audit.events.some((e) => e.type === 'tool.called')).toBe(false)
    const userId = (refused as { userId: string }).userId
    expect((await h.storage.memories.list(userId, { limit: 5 })).items).toEqual([])
  })

  it('ERR-6: a batch needing memories:write and tasks:write gets one 403 naming both', async () => {
    h = await appHarness()
    const batch = [
      toolCall('memory_save', { content: 'x' }),
      toolCall('task_create', { title: 't' }),
    ]
    const response = await h.post(batch, bearer(await h.token(['memories:read', 'tasks:read'])))
    expect(response.status).toBe(403)
    const { scope } = challengeParams(response.headers.get('www-authenticate'))
    expect(scope?.split(' ').sort()).toEqual(['memories:write', 'tasks:write'])
  })

  it('ERR-8: memories:write is enough to call memory_list', async () => {
    h = await appHarness()
    const response = await h.post(
      toolCall('memory_list'),
      bearer(await h.token(['memories:write'])),
    )
    expect(response.status).toBe(200)
    expect((await rpcResult(response)).result?.isError).toBeFalsy()
  })
})

describe('T-8: header/body consistency on 2026-07-28 requests', () => {
  /** A 2026-07-28 tools/call: the per-request `_meta` envelope and the routing headers. */
  const modernCall = (bodyName: string, headerName: string, token: string) => {
    const body = toolCall(bodyName)
    const params = body.params as Record<string, unknown>
    params._meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
    }
    return h.post(body, {
      ...bearer(token),
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': headerName,
    })
  }

  it('scopes are decided on the body: a harmless Mcp-Name does not unlock memory_delete', async () => {
    h = await appHarness()
    const response = await modernCall(
      'memory_delete',
      'memory_list',
      await h.token(['memories:read']),
    )
    expect(response.status).toBe(403)
    const { scope } = challengeParams(response.headers.get('www-authenticate'))
    expect(scope).toBe('memories:write')
  })

  it('a header naming another tool than the body → 400 with JSON-RPC -32020 (HeaderMismatch)', async () => {
    h = await appHarness()
    const token = await h.token([...SCOPES])
    const response = await modernCall('memory_list', 'memory_delete', token)
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32020 } })
    expect(h.audit.events.some((e) => e.type === 'tool.called')).toBe(false)
    const agreeing = await modernCall('memory_list', 'memory_list', token)
    expect(agreeing.status).toBe(200)
    expect((await rpcResult(agreeing)).result?.isError).toBeFalsy()
  })
})

describe('authentication off (loopback only)', () => {
  it('tool calls work without a token, as the local user', async () => {
    h = await appHarness({ withAuth: false })
    const saved = await h.post(toolCall('memory_save', { content: 'hello' }))
    expect(saved.status).toBe(200)
    expect((await rpcResult(saved)).result?.isError).toBeFalsy()
    const listed = await rpcResult(await h.post(toolCall('memory_list')))
    expect(JSON.stringify(listed.result?.structuredContent)).toContain('hello')
    expect(h.audit.events.filter((e) => e.type.startsWith('auth.'))).toEqual([])
  })
})
