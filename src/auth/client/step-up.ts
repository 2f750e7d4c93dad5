/**
 * Step-up authorization on `403 insufficient_scope` (STEP-1..3): re-authorize with the union of
 * the scopes requested so far and the scopes the challenge names (STEP-2), a limited number of
 * times per resource and operation (STEP-3): at most 3 authorizations by default, counting the
 * one that obtained the refused token, so 2 step-ups (the conformance scenario
 * `auth/scope-retry-limit` fails a client above 3). The loop itself is the caller's: this module
 * reads the challenge, computes the scopes and keeps the counts.
 * @see RFC 6750 §3.1
 */
import { readBearerChallenge } from './discovery.js'

/** The union of scope lists or space-delimited strings, first-seen order, no duplicates. */
export function unionScopes(...sets: (readonly string[] | string | undefined)[]): string[] {
  const all = sets.flatMap((s) => (s === undefined ? [] : typeof s === 'string' ? s.split(' ') : s))
  return [...new Set(all.filter((s) => s !== ''))]
}

/**
 * The scopes a `403` with `error="insufficient_scope"` asks for (an empty list when it names
 * none), or `undefined` when the answer is not such a challenge.
 */
export function insufficientScope(
  status: number,
  wwwAuthenticate: string | null | undefined,
): string[] | undefined {
  if (status !== 403) return undefined
  const challenge = readBearerChallenge(wwwAuthenticate)
  if (challenge.error !== 'insufficient_scope') return undefined
  return [...(challenge.scopes ?? [])]
}

export type StepUpDecision =
  | {
      readonly reauthorize: true
      /** The scopes to request: previously requested ∪ challenged (STEP-2). */
      readonly scopes: string[]
      /** The challenged scopes not requested before (may be empty: the user may retry). */
      readonly added: string[]
      /** 1 for the first step-up of this operation (its second authorization). */
      readonly attempt: number
    }
  | { readonly reauthorize: false; readonly reason: string }

export interface StepUpTracker {
  /**
   * Decides what to do with a 403 for `operation` (e.g. `tools/call add_task` on a resource)
   * after requesting `requested`. Counts the attempt when it says re-authorize.
   */
  next(
    operation: string,
    requested: readonly string[] | string | undefined,
    status: number,
    wwwAuthenticate: string | null | undefined,
  ): StepUpDecision
  /** The operation succeeded: its count starts over. */
  succeeded(operation: string): void
  attempts(operation: string): number
}

/**
 * A per-operation step-up counter: `maxAuthorizations` (default 3) authorizations per operation,
 * the first being the one that obtained the refused token.
 */
export function createStepUpTracker(maxAuthorizations = 3): StepUpTracker {
  if (!Number.isInteger(maxAuthorizations) || maxAuthorizations < 1 || maxAuthorizations > 10) {
    throw new TypeError('maxAuthorizations must be an integer between 1 and 10')
  }
  const counts = new Map<string, number>()
  return {
    next(operation, requested, status, wwwAuthenticate) {
      const challenged = insufficientScope(status, wwwAuthenticate)
      if (challenged === undefined) {
        return {
          reauthorize: false,
          reason: 'the answer is not a 403 insufficient_scope challenge',
        }
      }
      const done = counts.get(operation) ?? 0
      if (done + 1 >= maxAuthorizations) {
        return {
          reauthorize: false,
          reason: `the server still answers insufficient_scope after ${done + 1} authorizations for ${operation}; giving up (the account may lack the permission)`,
        }
      }
      counts.set(operation, done + 1)
      const before = unionScopes(requested)
      const scopes = unionScopes(before, challenged)
      const added = scopes.filter((s) => !before.includes(s))
      return { reauthorize: true, scopes, added, attempt: done + 1 }
    },
    succeeded(operation) {
      counts.delete(operation)
    },
    attempts(operation) {
      return counts.get(operation) ?? 0
    },
  }
}
