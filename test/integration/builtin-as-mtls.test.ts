import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { Agent, request as httpsRequest } from 'node:https'
import type { TLSSocket } from 'node:tls'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { memoryAuditSink } from '../../src/audit/index.js'
import { certificateThumbprint } from '../../src/auth/guard/index.js'
import { addClient } from '../../src/auth/server/admin/index.js'
import { CliError, EXIT } from '../../src/cli/exit-codes.js'
import { CertFactory, type CertPair } from '../../src/transport/http/tls-test-support.js'
import { startBuiltinServer, type BuiltinServer } from '../support/builtin-server.js'

/**
 * `tls_client_auth` and certificate-bound access tokens (RFC 8705) at the built-in authorization
 * server, over real TLS on 127.0.0.1 with certificates made by openssl at test time: a client
 * registered by its certificate's subject DN gets client-credentials tokens bound to that
 * certificate (`cnf.x5t#S256`), which the MCP endpoint accepts only on a connection presenting
 * the same certificate (TOK-3: every token validated, here with its confirmation). A certificate
 * with another subject or from another CA does not authenticate, and clients without a
 * certificate keep using the same listener. mTLS is not in the MCP text (checklist: "Not in MCP
 * text"); it is one of the optional extensions (§9), governed by RFC 8705 alone.
 */

const SUBJECT = '/O=Example/CN=billing-job'
const DN = 'CN=billing-job,O=Example'
const SCOPE = 'memories:read memories:write'

let certs: CertFactory
let serverCa: CertPair
let clientCa: CertPair
let client: CertPair
let sameCaOther: CertPair
let sameDnOtherCa: CertPair
let selfSigned: CertPair
let serverCaPem: string
let server: BuiltinServer

interface Answer {
  status: number
  /** Whether the TLS session was resumed (an abbreviated handshake). */
  resumed: boolean
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** One HTTPS request on a fresh connection, with a client certificate when `cert` is given. */
async function send(
  url: string,
  init: {
    method?: string
    headers?: Record<string, string>
    body?: string
    cert?: CertPair
    /** A shared agent (TLS session resumption), instead of a fresh connection per request. */
    agent?: Agent
  },
): Promise<Answer> {
  const tlsOptions =
    init.cert === undefined
      ? {}
      : { cert: await readFile(init.cert.cert), key: await readFile(init.cert.key) }
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: init.method ?? 'GET',
        headers: init.headers ?? {},
        ca: serverCaPem,
        agent: init.agent ?? false,
        ...tlsOptions,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            resumed: (res.socket as TLSSocket).isSessionReused(),
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        )
      },
    )
    req.on('error', reject)
    req.end(init.body)
  })
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/** A client_credentials token request; the client authenticates with `cert` (tls_client_auth). */
const tokenRequest = (clientId: string, cert: CertPair | undefined, extra = {}) =>
  send(`${server.issuer}/oauth/token`, {
    method: 'POST',
    headers: FORM,
    body: form({ grant_type: 'client_credentials', client_id: clientId, scope: SCOPE, ...extra }),
    ...(cert === undefined ? {} : { cert }),
  })

/** `tools/call` memory_save at the MCP endpoint with `token`, over a connection with `cert`. */
const saveMemory = (token: string, cert: CertPair | undefined, agent?: Agent) =>
  send(server.resource, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'memory_save', arguments: { content: 'paid invoice 42' } },
    }),
    ...(cert === undefined ? {} : { cert }),
    ...(agent === undefined ? {} : { agent }),
  })

async function register(name: string, dn: string): Promise<string> {
  const added = await addClient(
    server.storage.artifacts,
    { name, grantTypes: ['client_credentials'], authMethod: 'tls_client_auth', tlsSubjectDn: dn },
    { audit: memoryAuditSink() },
  )
  return String(added.client.client_id)
}

const der = async (pair: CertPair) => new X509Certificate(await readFile(pair.cert)).raw

beforeAll(async () => {
  certs = await CertFactory.create()
  ;[serverCa, clientCa] = await Promise.all([
    certs.ca('server-ca', '/CN=mcp-pa test server CA'),
    certs.ca('client-ca', '/O=Example/CN=mcp-pa test client CA'),
  ])
  const [serverCert, ...clients] = await Promise.all([
    certs.signed('server', serverCa),
    certs.signed('client', clientCa, { subject: SUBJECT, client: true }),
    certs.signed('other', clientCa, { subject: '/O=Example/CN=other-job', client: true }),
  ])
  ;[client, sameCaOther] = clients as [CertPair, CertPair]
  // The same subject DN, under a CA the server does not trust, and self-signed.
  const rogueCa = await certs.ca('rogue-ca', '/O=Example/CN=mcp-pa test client CA')
  sameDnOtherCa = await certs.signed('rogue', rogueCa, { subject: SUBJECT, client: true })
  selfSigned = await certs.selfSigned('self', 30, { cn: 'billing-job', san: null })
  serverCaPem = await readFile(serverCa.cert, 'utf8')
  server = await startBuiltinServer({
    config: {
      server: { tls_cert: serverCert!.cert, tls_key: `file:${serverCert!.key}` },
      authentication: {
        client_auth_methods: ['none', 'client_secret_basic', 'tls_client_auth'],
        authorization_server: { client_certificate_ca: clientCa.cert },
      },
    },
  })
}, 60_000)
afterAll(async () => {
  await server?.stop()
  await certs?.remove()
})

describe('metadata (RFC 8705 §3.3, RFC 8414)', () => {
  it('advertises tls_client_auth and certificate-bound access tokens', async () => {
    expect(server.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const answer = await send(`${server.issuer}/.well-known/oauth-authorization-server`, {})
    expect(answer.status).toBe(200)
    const metadata = JSON.parse(answer.body) as Record<string, unknown>
    expect(metadata.token_endpoint_auth_methods_supported).toContain('tls_client_auth')
    expect(metadata.tls_client_certificate_bound_access_tokens).toBe(true)
  })
})

describe('tls_client_auth (RFC 8705 §2.1, PKI method)', () => {
  let clientId: string

  beforeAll(async () => {
    clientId = await register('billing job', DN)
  })

  it('a certificate-bound token for the client certificate, accepted with that certificate only (§3)', async () => {
    const answer = await tokenRequest(clientId, client)
    expect(answer.status).toBe(200)
    const body = JSON.parse(answer.body) as Record<string, unknown>
    expect(body.token_type).toBe('Bearer')
    const token = String(body.access_token)
    const claims = decodeJwt(token)
    expect(claims).toMatchObject({ client_id: clientId, aud: server.resource })
    expect(claims.cnf).toEqual({ 'x5t#S256': certificateThumbprint(await der(client)) })

    const saved = await saveMemory(token, client)
    expect(saved.status).toBe(200)
    expect(saved.body).toContain('paid invoice 42')

    // The same token on a connection with another certificate of the same CA, or with none.
    for (const cert of [sameCaOther, undefined]) {
      const refused = await saveMemory(token, cert)
      expect(refused.status).toBe(401)
      expect(refused.headers['www-authenticate']).toContain('error="invalid_token"')
    }
    const refusals = server.events.filter((e) => e.type === 'auth.token_refused')
    expect(refusals.map((e) => (e as { detail?: string }).detail)).toEqual(
      expect.arrayContaining([
        'certificate-bound token (cnf x5t#S256) with another client certificate',
        'certificate-bound token (cnf x5t#S256) on a connection without a client certificate',
      ]),
    )
  })

  // The engine's reason (no certificate, not verified, subject mismatch) is not sent; a
  // certificate that does not chain to the client CA is never handed to the engine at all.
  it('a resumed TLS session still carries the certificate the token is bound to', async () => {
    const token = String(
      (JSON.parse((await tokenRequest(clientId, client)).body) as Record<string, unknown>)
        .access_token,
    )
    const agent = new Agent({ keepAlive: false, maxCachedSessions: 10 })
    try {
      const answers = []
      for (let i = 0; i < 3; i += 1) answers.push(await saveMemory(token, client, agent))
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200])
      // Node caches the session per origin and client certificate: later connections resume it.
      expect(answers.at(-1)?.resumed).toBe(true)
    } finally {
      agent.destroy()
    }
  })

  it.each([
    ['no certificate', undefined],
    ['a certificate of the client CA with another subject DN', 'other'],
    ['the registered subject DN under a CA the server does not trust', 'rogue'],
    ['a self-signed certificate with the registered CN', 'self'],
  ] as const)('%s → invalid_client 401', async (_name, which) => {
    const cert =
      which === undefined
        ? undefined
        : which === 'other'
          ? sameCaOther
          : which === 'rogue'
            ? sameDnOtherCa
            : selfSigned
    const answer = await tokenRequest(clientId, cert)
    expect(answer.status).toBe(401)
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_client' })
  })

  it('a client registered with another DN is not authenticated by this certificate', async () => {
    const otherId = await register('other job', 'CN=billing-job,O=Example Corp')
    const answer = await tokenRequest(otherId, client)
    expect(answer.status).toBe(401)
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_client' })
  })
})

describe('the same listener without client certificates', () => {
  it('a browser-style request without a certificate gets the metadata and registers a public client', async () => {
    const registered = await send(`${server.issuer}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'public app',
        redirect_uris: ['http://127.0.0.1/cb'],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      }),
    })
    expect(registered.status).toBe(201)
    const body = JSON.parse(registered.body) as Record<string, unknown>
    expect(body.token_endpoint_auth_method).toBe('none')
    const authorize = new URL(`${server.issuer}/oauth/authorize`)
    authorize.search = new URLSearchParams({
      client_id: String(body.client_id),
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1/cb',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      scope: 'memories:read',
      state: 'xyz',
    }).toString()
    // The engine starts the sign-in interaction (a redirect to its page), certificate or not.
    const started = await send(authorize.href, {})
    expect(started.status).toBe(303)
    expect(String(started.headers.location)).toMatch(/\/oauth\/interaction\//)
  })

  it('a client_secret_basic client gets an unbound token that works without a certificate', async () => {
    const added = await addClient(
      server.storage.artifacts,
      { name: 'secret job', grantTypes: ['client_credentials'] },
      { audit: memoryAuditSink() },
    )
    const basic = Buffer.from(`${String(added.client.client_id)}:${added.secret}`).toString(
      'base64',
    )
    const answer = await send(`${server.issuer}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: `Basic ${basic}` },
      body: form({ grant_type: 'client_credentials', scope: SCOPE }),
    })
    expect(answer.status).toBe(200)
    const token = String((JSON.parse(answer.body) as Record<string, unknown>).access_token)
    expect(decodeJwt(token).cnf).toBeUndefined()
    expect((await saveMemory(token, undefined)).status).toBe(200)
  })
})

describe('configuration', () => {
  it('a plain-HTTP server refuses tls_client_auth: exit 3 naming the key and the fix', async () => {
    const error = await startBuiltinServer({
      config: {
        authentication: {
          client_auth_methods: ['none', 'tls_client_auth'],
          authorization_server: { client_certificate_ca: clientCa.cert },
        },
      },
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CliError)
    expect((error as CliError).exitCode).toBe(EXIT.config)
    expect((error as Error).message).toMatch(
      /^authentication\.client_auth_methods: tls_client_auth needs this server’s own HTTPS listener .* Fix: set server\.tls_cert and server\.tls_key/,
    )
  })
})
