import type { IncomingMessage, ServerResponse } from 'node:http'
// oidc-provider ships no type declarations (and @types/oidc-provider is not a dependency). The
// narrow interfaces below type exactly what the test IdP uses, without an ambient
// `declare module` that would leak these test-only types into src/.
// @ts-expect-error TS7016: untyped module, typed through ProviderConstructor below.
import UntypedProvider from 'oidc-provider'

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void

/** What `provider.interactionDetails()` resolves with (the parts we read). */
export interface InteractionDetails {
  uid: string
  params: Record<string, unknown>
  prompt: {
    name: string
    details: {
      missingOIDCScope?: string[]
      missingOIDCClaims?: string[]
      missingResourceScopes?: Record<string, string[]>
    }
  }
  session?: { accountId: string }
  grantId?: string
}

export interface OidcGrant {
  addOIDCScope(scope: string): void
  addOIDCClaims(claims: string[]): void
  addResourceScope(resource: string, scope: string): void
  save(): Promise<string>
}

export interface OidcProvider {
  readonly issuer: string
  callback(): NodeHandler
  urlFor(name: string): string
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>
  Grant: {
    new (properties: { accountId: string; clientId: string }): OidcGrant
    find(id: string): Promise<OidcGrant | undefined>
  }
  on(event: string, listener: (...args: unknown[]) => void): this
}

type ProviderConstructor = new (issuer: string, configuration: object) => OidcProvider

export const Provider = UntypedProvider as ProviderConstructor
