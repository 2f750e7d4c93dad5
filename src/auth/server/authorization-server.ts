import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AuditSink } from '../../audit/index.js'
import type { AccountStore, ArtifactStore, SigningKeyStore } from '../../storage/ports.js'
import { tokenFingerprint } from '../protocol/index.js'
import type { Lookup } from './client-policy.js'
import { deriveKey, type KeyEncryptionKey } from './key-encryption.js'
import { ensureSigningKey, retireExpiredKeys, signingKeySet, type SigningKeySet } from './keys.js'
import type { Engine, EngineContext } from './engine.js'
import { createEngine, type AuthorizationServerSettings } from './provider.js'
import { ROUTES } from './routes.js'
import { graceResponses, withGraceState } from './refresh-grace.js'
import { markClientUsed, reapUnusedClients } from './reaper.js'

export interface AuthorizationServerOptions {
  issuer: string
  resource: URL
  scopes: readonly string[]
  settings: AuthorizationServerSettings
  stores: { artifacts: ArtifactStore; signingKeys: SigningKeyStore; accounts: AccountStore }
  kek: KeyEncryptionKey
  audit: AuditSink
  /** Path of the interaction pages for an interaction uid. */
  interactionPath: (uid: string) => string
  renderError: (status: number, error: string, description: string) => string
  /** How often keys are re-read (another instance or `mcp-pa keys rotate` may rotate), ms. */
  keyRefreshMs?: number
  /** How often expired artifacts are swept and unused registrations reaped, ms. */
  sweepMs?: number
  fetch?: typeof fetch
  lookup?: Lookup
}

export interface BuiltinAuthorizationServer {
  readonly issuer: string
  /** The engine in use now (replaced when the signing keys change). */
  engine(): Engine
  /** oidc-provider's Node handler, for the HTTP edge. */
  handle(req: IncomingMessage, res: ServerResponse): void
  /** The public signing keys (what `/oauth/jwks` serves), for local token verification. */
  publicKeys(): SigningKeySet['publicJwks']
  /** Re-reads the signing keys now (an unknown `kid` arrived); resolves to whether they changed. */
  refreshKeys(): Promise<boolean>
  /** Whether a grant still exists (not revoked, not expired). */
  grantActive(grantId: string): Promise<boolean>
  /** Whether a client still exists (registered, or a metadata document that still resolves). */
  clientActive(clientId: string): Promise<boolean>
  /** The CSRF/cookie key for the interaction and account pages (derived from the KEK). */
  readonly pageKey: Buffer
  /** Runs the periodic upkeep once (sweep, reap, retire keys). */
  upkeep(): Promise<void>
  close(): void
}

const keySignature = (set: SigningKeySet) => set.publicJwks.keys.map((key) => key.kid).join(',')

/**
 * The built-in OAuth 2.1 authorization server (issue 4): oidc-provider over our stores, with the
 * signing keys from the database, the refresh grace window and audit events around the token
 * endpoint. The engine holds no state of its own, so it is rebuilt when the keys change.
 */
export async function createAuthorizationServer(
  options: AuthorizationServerOptions,
): Promise<BuiltinAuthorizationServer> {
  const { stores, kek, audit, settings } = options
  await ensureSigningKey(stores.signingKeys, kek, { alg: settings.signingAlg })
  let keys = await signingKeySet(stores.signingKeys, kek)
  const grace = graceResponses({ store: stores.artifacts, seconds: settings.refreshGrace })
  const cookieKeys = [deriveKey(kek, 'oidc-provider cookies v1').toString('base64url')]
  const pageKey = deriveKey(kek, 'interaction pages v1')
  const secure = new URL(options.issuer).protocol === 'https:'

  const build = (): Engine => {
    const engine = createEngine({
      issuer: options.issuer,
      resource: options.resource,
      scopes: options.scopes,
      settings,
      artifacts: stores.artifacts,
      accounts: stores.accounts,
      privateJwks: keys.privateJwks,
      cookieKeys,
      secure,
      interactionPath: options.interactionPath,
      renderError: options.renderError,
      grace,
      audit,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
    })
    // The edge sets Host and X-Forwarded-Proto from the issuer, so URLs the engine builds are the
    // issuer's whatever Host a request carried.
    engine.proxy = true
    engine.use(observe(options, grace, stores.artifacts))
    return engine
  }
  let engine = build()
  let handler = engine.callback()

  const refreshKeys = async (): Promise<boolean> => {
    const next = await signingKeySet(stores.signingKeys, kek)
    if (keySignature(next) === keySignature(keys)) return false
    keys = next
    engine = build()
    handler = engine.callback()
    return true
  }

  const upkeep = async () => {
    const now = Date.now()
    await stores.artifacts.sweepExpired(new Date(now), 1000)
    await reapUnusedClients(stores.artifacts, audit, now)
    if ((await retireExpiredKeys(stores.signingKeys, now)).length > 0) await refreshKeys()
  }
  const quietly = (work: () => Promise<unknown>) => () => void work().catch(() => undefined)
  const keyTimer = setInterval(quietly(refreshKeys), options.keyRefreshMs ?? 60_000)
  const sweepTimer = setInterval(quietly(upkeep), options.sweepMs ?? 300_000)
  keyTimer.unref()
  sweepTimer.unref()

  return {
    issuer: options.issuer,
    engine: () => engine,
    handle: (req, res) => handler(req, res),
    publicKeys: () => keys.publicJwks,
    refreshKeys,
    grantActive: async (grantId) => (await stores.artifacts.find('Grant', grantId)) !== undefined,
    clientActive: async (clientId) =>
      (await engine.Client.find(clientId).catch(() => undefined)) !== undefined,
    pageKey,
    upkeep,
    close() {
      clearInterval(keyTimer)
      clearInterval(sweepTimer)
    },
  }
}

type Grace = ReturnType<typeof graceResponses>

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

/**
 * Koa middleware around the engine's routes: the refresh grace window and audit events on the
 * token endpoint, resource scopes in the metadata, registrations and revocations in the audit log.
 */
function observe(options: AuthorizationServerOptions, grace: Grace, artifacts: ArtifactStore) {
  const { audit } = options
  return async (ctx: EngineContext, next: () => Promise<void>): Promise<void> => {
    if (ctx.method === 'POST' && ctx.path === ROUTES.token) {
      await withGraceState(ctx, async (state) => {
        await next()
        await afterToken(ctx, state, grace, audit)
        const clientId = ctx.oidc?.client?.clientId
        // Only an unused DCR client needs the write; the engine's client already says which. Our
        // extra metadata sits on it under its own names (`metadata()` would rebuild the whole
        // snake_case object, on every token request).
        const client = ctx.oidc?.client as
          { mcp_pa_origin?: unknown; mcp_pa_used_at?: unknown } | undefined
        const unusedDcr = client?.mcp_pa_origin === 'dcr' && client.mcp_pa_used_at === undefined
        if (ctx.status === 200 && clientId !== undefined && unusedDcr) {
          await markClientUsed(artifacts, clientId)
        }
      })
      return
    }
    if (ctx.method === 'GET' && ctx.path === ROUTES.authorization) {
      // RFC 6749 §3.3: a request without `scope` gets a pre-defined default, the resource's
      // scopes (what its metadata lists), shown on the consent page. The engine has no default
      // and would answer access_denied only after the person signed in and consented to nothing.
      const query = (ctx as unknown as { query: Record<string, unknown> }).query
      if (
        query.scope === undefined &&
        query.request === undefined &&
        query.request_uri === undefined
      ) {
        ;(ctx as unknown as { query: Record<string, unknown> }).query = {
          ...query,
          scope: options.scopes.join(' '),
        }
      }
    }
    await next()
    if (ctx.method === 'GET' && ctx.path.startsWith('/.well-known/') && ctx.status === 200) {
      const body = ctx.body as Record<string, unknown>
      const scopes = Array.isArray(body.scopes_supported) ? body.scopes_supported : []
      body.scopes_supported = [...new Set([...options.scopes, ...scopes])]
      return
    }
    const clientId = ctx.oidc?.client?.clientId
    if (ctx.method === 'POST' && ctx.path === ROUTES.registration && ctx.status === 201) {
      const body = ctx.body as Record<string, unknown>
      audit.emit({
        type: 'as.client_registered',
        clientId: str(body.client_id) ?? 'unknown',
        via: 'dcr',
        authMethod: str(body.token_endpoint_auth_method) ?? 'client_secret_basic',
        ip: ctx.ip,
      })
    }
    if (ctx.method === 'POST' && ctx.path === ROUTES.revocation && ctx.status === 200) {
      const presented = str(ctx.oidc?.params?.token)
      // RFC 7009 answers 200 for unknown tokens and for another client's (the policy refused):
      // only a token of this client's own was revoked.
      const entities = ctx.oidc?.entities ?? {}
      const refresh = entities.RefreshToken
      const found = refresh ?? entities.AccessToken ?? entities.ClientCredentials
      if (presented !== undefined && clientId !== undefined && found?.clientId === clientId) {
        audit.emit({
          type: 'as.token_revoked',
          clientId,
          kind: refresh === undefined ? 'access_token' : 'refresh_token',
          fingerprint: tokenFingerprint(presented),
          by: 'client',
        })
      }
    }
  }
}

async function afterToken(
  ctx: EngineContext,
  state: { raced: boolean; reuse: boolean; codeReplay: boolean },
  grace: Grace,
  audit: AuditSink,
): Promise<void> {
  const params = ctx.oidc?.params ?? {}
  const grantType = str(params.grant_type) ?? 'unknown'
  const clientId = ctx.oidc?.client?.clientId
  const rotatedFrom = str(params.refresh_token)
  const entities = ctx.oidc?.entities ?? {}
  const grantId =
    entities.Grant?.jti ?? entities.RefreshToken?.grantId ?? entities.AuthorizationCode?.grantId
  const grant = grantId === undefined ? undefined : tokenFingerprint(grantId)
  if (grantType === 'refresh_token' && rotatedFrom !== undefined && clientId !== undefined) {
    if (state.raced && ctx.status !== 200) {
      const answer = await grace.await(rotatedFrom, clientId)
      if (answer !== undefined) {
        ctx.status = 200
        ctx.body = answer
        ctx.set('Cache-Control', 'no-store')
        const access = str((answer as Record<string, unknown>).access_token) ?? ''
        audit.emit({
          type: 'as.token_refreshed',
          clientId,
          fingerprint: tokenFingerprint(access),
          replayed: true,
        })
        return
      }
    }
    if (state.reuse) {
      audit.emit({
        type: 'as.refresh_reuse_detected',
        clientId,
        fingerprint: tokenFingerprint(rotatedFrom),
        ...(grant === undefined ? {} : { grant }),
      })
    }
  }
  if (state.codeReplay && clientId !== undefined) {
    audit.emit({
      type: 'as.code_replay_detected',
      clientId,
      ...(grant === undefined ? {} : { grant }),
    })
  }
  if (ctx.status !== 200 || clientId === undefined) return
  const body = ctx.body as Record<string, unknown>
  const access = str(body.access_token)
  if (access === undefined) return
  const newRefresh = str(body.refresh_token)
  if (grantType === 'refresh_token' && rotatedFrom !== undefined) {
    await grace.remember(rotatedFrom, clientId, grantId, body)
    audit.emit({
      type: 'as.token_refreshed',
      clientId,
      fingerprint: tokenFingerprint(access),
      replayed: false,
      ...(grant === undefined ? {} : { grant }),
    })
  }
  const accountId = entities.AuthorizationCode?.accountId ?? entities.RefreshToken?.accountId
  audit.emit({
    type: 'as.token_issued',
    grantType,
    clientId,
    fingerprint: tokenFingerprint(access),
    scopes: (str(body.scope) ?? '').split(' ').filter(Boolean),
    ...(accountId === undefined ? {} : { accountId }),
    ...(grant === undefined ? {} : { grant }),
    ...(newRefresh === undefined ? {} : { refreshFingerprint: tokenFingerprint(newRefresh) }),
  })
}
