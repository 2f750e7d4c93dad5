import type { IncomingMessage, ServerResponse } from 'node:http'
import { EngineProvider } from '../../src/auth/server/engine.js'
import type { Engine, EngineGrant, InteractionDetails } from '../../src/auth/server/engine.js'

// The test IdP is the same engine as the built-in authorization server, typed by the same narrow
// interfaces (src/auth/server/engine.ts), plus the two calls only the test IdP makes.

export type { InteractionDetails }
export type OidcGrant = EngineGrant

export interface OidcProvider extends Engine {
  urlFor(name: string): string
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>
}

type ProviderConstructor = new (issuer: string, configuration: object) => OidcProvider

export const Provider = EngineProvider as unknown as ProviderConstructor
