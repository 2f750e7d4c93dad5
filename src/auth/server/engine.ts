import type { IncomingMessage, ServerResponse } from 'node:http'
// oidc-provider ships no type declarations. The narrow interfaces below type exactly what the
// built-in authorization server uses; nothing else of the engine is reachable from our code.
// @ts-expect-error TS7016: untyped module, typed through EngineConstructor below.
import UntypedProvider, { errors as untypedErrors } from 'oidc-provider'

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void

/** The Koa context oidc-provider hands to hooks and middleware (the parts we read or set). */
export interface EngineContext {
  method: string
  path: string
  status: number
  body: unknown
  ip: string
  req: IncomingMessage
  res: ServerResponse
  set(name: string, value: string): void
  oidc?: {
    route?: string
    params?: Record<string, unknown>
    client?: EngineClient
    session?: { accountId?: string }
    account?: { accountId: string }
    result?: { consent?: { grantId?: string } }
    entities?: Record<
      string,
      { jti?: string; accountId?: string; grantId?: string; clientId?: string } | undefined
    >
  }
}

export type EngineMiddleware = (ctx: EngineContext, next: () => Promise<void>) => Promise<void>

/** A client as the engine resolved it (metadata in camelCase plus `metadata()`). */
export interface EngineClient {
  clientId: string
  clientName?: string
  clientUri?: string
  logoUri?: string
  redirectUris: string[]
  applicationType?: string
  tokenEndpointAuthMethod?: string
  clientIdMetadataDocument?: boolean
  grantTypeAllowed(type: string): boolean
  metadata(): Record<string, unknown>
}

/** What `provider.interactionDetails()` resolves with (the parts we read). */
export interface InteractionDetails {
  uid: string
  params: Record<string, unknown>
  prompt: {
    name: string
    reasons?: string[]
    details: {
      missingOIDCScope?: string[]
      missingOIDCClaims?: string[]
      missingResourceScopes?: Record<string, string[]>
    }
  }
  session?: { accountId: string }
  grantId?: string
  lastSubmission?: Record<string, unknown>
}

export interface EngineGrant {
  jti?: string
  accountId: string
  clientId: string
  addOIDCScope(scope: string): void
  addOIDCClaims(claims: string[]): void
  addResourceScope(resource: string, scope: string): void
  save(ttl?: number): Promise<string>
}

export interface Engine {
  readonly issuer: string
  proxy: boolean
  callback(): NodeHandler
  use(middleware: EngineMiddleware): void
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>
  interactionResult(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<string>
  Grant: {
    new (properties: { accountId: string; clientId: string }): EngineGrant
    find(id: string): Promise<EngineGrant | undefined>
  }
  Client: { find(id: string): Promise<EngineClient | undefined> }
  on(event: string, listener: (...args: never[]) => void): this
}

interface EngineConstructor {
  new (issuer: string, configuration: object): Engine
  /** The Koa context of the request being handled (the engine's AsyncLocalStorage), if any. */
  readonly ctx: EngineContext | undefined
}

export const EngineProvider = UntypedProvider as EngineConstructor

/** The engine's OAuth error classes we throw from hooks. */
export const engineErrors = untypedErrors as {
  InvalidTarget: new (description?: string, detail?: string) => Error
  InvalidClientMetadata: new (description?: string, detail?: string) => Error
  InvalidRedirectUri: new (description?: string, detail?: string) => Error
  InvalidClient: new (description?: string, detail?: string) => Error
  InvalidRequest: new (description?: string, detail?: string) => Error
  AccessDenied: new (description?: string, detail?: string) => Error
}
