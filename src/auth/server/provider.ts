import { lookup as dnsLookup } from 'node:dns/promises'
import type { AuditSink } from '../../audit/index.js'
import type { AccountStore, ArtifactModel, ArtifactStore } from '../../storage/ports.js'
import { canonicalResourceUri, randomToken } from '../protocol/index.js'
import { createAdapterFactory } from './adapter.js'
import { mtlsFeature } from './client-certificate.js'
import { hashClientSecret, isHashedClientSecret, newClientSecret } from './client-secrets.js'
import {
  clientMetadataProblem,
  isLoopbackRedirect,
  metadataDocumentFetchProblem,
  type Lookup,
} from './client-policy.js'
import { EngineProvider, engineErrors, type Engine, type EngineContext } from './engine.js'
import { InvalidGrantError } from './grant-error.js'
import { consentMemory } from './consent-memory.js'
import { currentGraceState, type GraceResponses } from './refresh-grace.js'
import type { JwkSet } from './keys.js'
import { ROUTES } from './routes.js'

/**
 * How long a stored client is answered from memory (adapter.ts): a client changed or revoked
 * from another process (`mcp-pa clients revoke`, another instance) is seen within this time.
 */
export const CLIENT_CACHE_MS = 5000

/** The settings of the built-in authorization server, resolved from the configuration. */
export interface AuthorizationServerSettings {
  accessTokenTtl: number
  refreshTokenTtl: number
  codeTtl: number
  sessionIdleTtl: number
  /** Seconds; 0 turns the refresh grace window off. */
  refreshGrace: number
  consentRememberDays: number
  signingAlg: 'ES256' | 'EdDSA'
  clientAuthMethods: readonly string[]
  cimd: { enabled: boolean; hosts: readonly string[] }
  registration: {
    enabled: boolean
    /** The initial access token registration requires, or undefined for open registration. */
    initialAccessToken?: string | undefined
    /** Seconds a DCR client may stay unused before it is reaped. */
    unusedTtl: number
  }
}

export interface ProviderOptions {
  /** The issuer identifier, exactly (no trailing slash unless it is only an origin + "/"). */
  issuer: string
  /** The canonical URI of the MCP endpoint: the one resource tokens are minted for. */
  resource: URL
  /** The resource's scopes (tools/registry), each described on the consent page. */
  scopes: readonly string[]
  settings: AuthorizationServerSettings
  artifacts: ArtifactStore
  accounts: AccountStore
  privateJwks: JwkSet
  /** Cookie signing keys (derived from the KEK, so shared by every instance). */
  cookieKeys: string[]
  /** Whether the issuer is https (secure and `__Host-` cookies). */
  secure: boolean
  /** Path of the interaction pages for an interaction uid. */
  interactionPath: (uid: string) => string
  /** HTML for an error the engine must show instead of redirecting (bad client or redirect URI). */
  renderError: (status: number, error: string, description: string) => string
  grace: GraceResponses
  audit: AuditSink
  /** Test seam: how metadata documents are fetched (default: global fetch behind the engine's SSRF guard). */
  fetch?: typeof fetch
  /** Test seam: DNS resolution for the metadata-document policy. */
  lookup?: Lookup
}

const systemLookup: Lookup = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((entry) => entry.address)

/** Marks and secrets of stored clients: DCR clients are marked and reaped when unused; secrets hashed. */
function storedClient(
  payload: Record<string, unknown>,
  expiresIn: number | undefined,
): { payload: Record<string, unknown>; expiresIn: number | undefined } {
  const secret = payload.client_secret
  const next = { ...payload }
  if (typeof secret === 'string' && !isHashedClientSecret(secret)) {
    next.client_secret = hashClientSecret(secret)
  }
  return { payload: next, expiresIn }
}

/** The oidc-provider configuration of the built-in authorization server. */
export function engineConfiguration(options: ProviderOptions): Record<string, unknown> {
  const { settings, artifacts, accounts, grace } = options
  const resource = canonicalResourceUri(options.resource)
  const consents = consentMemory(artifacts)
  const lookup = options.lookup ?? systemLookup
  const graceMs = settings.refreshGrace * 1000

  const onFound = (model: ArtifactModel, payload: Record<string, unknown>) => {
    const state = currentGraceState(EngineProvider.ctx)
    const consumed = typeof payload.consumed === 'number' ? payload.consumed * 1000 : undefined
    if (state === undefined || consumed === undefined) return payload
    if (model === 'AuthorizationCode') state.codeReplay = true
    if (model !== 'RefreshToken') return payload
    if (grace.enabled && Date.now() - consumed <= graceMs) {
      state.raced = true
      return undefined
    }
    state.reuse = true
    return payload
  }
  const onAlreadyConsumed = async (model: ArtifactModel) => {
    const state = currentGraceState(EngineProvider.ctx)
    if (model === 'RefreshToken' && state !== undefined && grace.enabled) state.raced = true
    throw new InvalidGrantError(`${model} already consumed`)
  }

  // `__Host-` needs Path=/ (the session cookie); the interaction cookies are scoped to their
  // page's path, so they get `__Secure-`. Plain names on loopback http, where Secure is impossible.
  const prefixed = (prefix: string, name: string) => (options.secure ? `${prefix}${name}` : name)

  return {
    adapter: createAdapterFactory(artifacts, {
      clientCacheMs: CLIENT_CACHE_MS,
      onFound,
      onAlreadyConsumed,
      beforeUpsert: (model, payload, expiresIn) =>
        model === 'Client' ? storedClient(payload, expiresIn) : { payload, expiresIn },
    }),
    jwks: options.privateJwks,
    clients: [],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: settings.signingAlg,
    },
    clientAuthMethods: [...settings.clientAuthMethods],
    cookies: {
      keys: options.cookieKeys,
      names: {
        session: prefixed('__Host-', 'mcp-pa-session'),
        interaction: prefixed('__Secure-', 'mcp-pa-interaction'),
        resume: prefixed('__Secure-', 'mcp-pa-resume'),
      },
      long: { httpOnly: true, sameSite: 'lax', secure: options.secure },
      short: { httpOnly: true, sameSite: 'lax', secure: options.secure },
    },
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256', 'EdDSA'],
      clientAuthSigningAlgValues: ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'],
      requestObjectSigningAlgValues: ['ES256', 'PS256', 'RS256', 'EdDSA'],
    },
    allowOmittingSingleRegisteredRedirectUri: false,
    expiresWithSession: async () => false,
    extraTokenClaims: async (_ctx: unknown, token: { grantId?: string }) =>
      token.grantId === undefined ? undefined : { gid: token.grantId },
    extraClientMetadata: {
      properties: ['mcp_pa_origin', 'mcp_pa_reap_after', 'mcp_pa_used_at'],
      validator(
        ctx: EngineContext | undefined,
        key: string,
        _value: unknown,
        metadata: Record<string, unknown>,
      ) {
        if (key !== 'mcp_pa_origin') return
        // A client's `scope` (RFC 7591 §2) may list the resource's scopes, which this server
        // advertises in `scopes_supported` (the MCP SDK registers with them). The engine only
        // knows its own (openid, offline_access) and would refuse the client; a client's `scope`
        // never narrows resource scopes in the engine anyway, so they are dropped here.
        if (typeof metadata.scope === 'string') {
          const kept = metadata.scope.split(' ').filter((s) => !options.scopes.includes(s))
          if (kept.length > 0) metadata.scope = kept.join(' ')
          else delete metadata.scope
        }
        const route = ctx?.oidc?.route
        if (route === 'registration' || route === 'client_update') {
          metadata.mcp_pa_origin = 'dcr'
          metadata.mcp_pa_reap_after ??= Date.now() + settings.registration.unusedTtl * 1000
          delete metadata.mcp_pa_used_at
        }
        // A client whose callbacks are all loopback runs on the user's machine whatever
        // `application_type` it gave (RFC 7591 defaults to web): treat it as native, so any
        // loopback port matches (RFC 8252 §7.3) and the engine asks consent every time, as
        // anyone on the machine could listen there with its client id.
        const uris = metadata.redirect_uris
        if (
          Array.isArray(uris) &&
          uris.length > 0 &&
          uris.every((uri) => isLoopbackRedirect(String(uri)))
        ) {
          metadata.application_type = 'native'
        }
        const problem = clientMetadataProblem(metadata)
        if (problem === undefined) return
        if (/redirect/i.test(problem)) {
          // The engine's InvalidRedirectUri drops a description argument (it would say "did not
          // match any of the client's registered redirect_uris"): set ours on the instance.
          throw Object.assign(new engineErrors.InvalidRedirectUri(), { error_description: problem })
        }
        throw new engineErrors.InvalidClientMetadata(problem)
      },
    },
    features: {
      devInteractions: { enabled: false },
      // DPoP-bound tokens carry `cnf.jkt`, and this resource server checks no DPoP proof: off.
      dPoP: { enabled: false },
      // RFC 8705: tls_client_auth and certificate-bound tokens, when the configuration lists
      // tls_client_auth (the listener then asks for client certificates).
      mTLS: mtlsFeature(settings.clientAuthMethods.includes('tls_client_auth')),
      rpInitiatedLogout: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, client: { clientAuthMethod?: string }) =>
          client.clientAuthMethod !== 'none',
      },
      revocation: {
        enabled: true,
        // RFC 7009 §2.1: only the client a token was issued to may revoke it. Another public
        // client's attempt succeeds without effect (no probing for live tokens); a confidential
        // one is told no. The engine's default does the same but prints a notice on stdout.
        allowedPolicy: async (
          _ctx: unknown,
          client: { clientId: string; clientAuthMethod?: string },
          token: { clientId?: string },
        ) => {
          if (token.clientId === client.clientId) return true
          if (client.clientAuthMethod === 'none') return false
          throw new engineErrors.InvalidRequest(
            'client is not authorized to revoke the presented token',
          )
        },
      },
      registration: {
        enabled: settings.registration.enabled,
        initialAccessToken: settings.registration.initialAccessToken ?? false,
        idFactory: () => `mcp-pa-${randomToken(16)}`,
        secretFactory: async () => newClientSecret(),
      },
      registrationManagement: {
        enabled: settings.registration.enabled,
        rotateRegistrationAccessToken: true,
      },
      clientIdMetadataDocument: {
        enabled: settings.cimd.enabled,
        ack: 'draft-02',
        allowFetch: async (_ctx: unknown, clientId: string) => {
          const problem = await metadataDocumentFetchProblem(clientId, settings.cimd.hosts, lookup)
          if (problem !== undefined) throw new engineErrors.InvalidClient(problem)
          return true
        },
        allowClient: async (_ctx: unknown, client: { metadata(): Record<string, unknown> }) => {
          const problem = clientMetadataProblem(client.metadata())
          if (problem !== undefined) throw new engineErrors.InvalidClientMetadata(problem)
          return true
        },
        cacheDuration: { min: 60, max: 3600 },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          // The exact text of our resource (what clients send nearly always) needs no parsing.
          let requested: string | undefined = indicator === resource ? resource : undefined
          try {
            requested ??= canonicalResourceUri(indicator)
          } catch {
            requested = undefined
          }
          if (requested !== resource) {
            throw new engineErrors.InvalidTarget(`this server issues tokens only for ${resource}`)
          }
          return {
            scope: options.scopes.join(' '),
            audience: resource,
            accessTokenTTL: settings.accessTokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: settings.signingAlg } },
          }
        },
      },
    },
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    fetchResponseBodyLimits: { 'client_id metadata document': 5 * 1024 },
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = await accounts.get(sub)
      if (account === undefined || account.disabled) return undefined
      return {
        accountId: account.id,
        claims: async () => ({
          sub: account.id,
          preferred_username: account.username,
          ...(account.displayName === undefined ? {} : { name: account.displayName }),
        }),
      }
    },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) =>
        options.interactionPath(interaction.uid),
    },
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    loadExistingGrant: async (ctx: {
      oidc: {
        result?: { consent?: { grantId?: string } }
        session: { accountId?: string }
        client: { clientId: string; applicationType?: string }
        provider: Engine
      }
    }) => {
      const fromResult = ctx.oidc.result?.consent?.grantId
      if (fromResult !== undefined) return ctx.oidc.provider.Grant.find(fromResult)
      const accountId = ctx.oidc.session.accountId
      // A native (loopback) client is asked every time and gets a grant of its own each time:
      // two installs of one client id (a CLI on two machines) must not share a grant, or the
      // refresh reuse detected on one would revoke the other.
      if (accountId === undefined || ctx.oidc.client.applicationType === 'native') return undefined
      const remembered = await consents.find(accountId, ctx.oidc.client.clientId)
      return remembered === undefined ? undefined : ctx.oidc.provider.Grant.find(remembered)
    },
    pkce: { required: () => true },
    renderError: async (
      ctx: { type: string; body: unknown; status: number },
      out: { error: string; error_description?: string },
    ) => {
      ctx.type = 'html'
      ctx.body = options.renderError(ctx.status, out.error, out.error_description ?? '')
    },
    responseTypes: ['code'],
    rotateRefreshToken: true,
    routes: ROUTES,
    scopes: ['openid', 'offline_access'],
    ttl: {
      AccessToken: settings.accessTokenTtl,
      AuthorizationCode: settings.codeTtl,
      ClientCredentials: settings.accessTokenTtl,
      Grant: settings.refreshTokenTtl,
      IdToken: settings.accessTokenTtl,
      Interaction: 600,
      RegistrationAccessToken: 365 * 86_400,
      RefreshToken: (ctx: {
        oidc?: { entities?: { RotatedRefreshToken?: { remainingTTL: number } } }
      }) => ctx?.oidc?.entities?.RotatedRefreshToken?.remainingTTL ?? settings.refreshTokenTtl,
      Session: settings.sessionIdleTtl,
    },
  }
}

/** A new engine for the configuration (cheap: all state lives in the stores). */
export function createEngine(options: ProviderOptions): Engine {
  return new EngineProvider(options.issuer, engineConfiguration(options))
}
