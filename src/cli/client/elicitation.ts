/**
 * Answers to a server's `elicitation/create` (2025 server→client request, or an embedded input
 * request of a 2026-07-28 `input_required` result, which the SDK fulfils through the same
 * handler before retrying the call with `inputResponses` and the echoed `requestState`,
 * SEP-2322). The CLI has no form UI: `acceptWithDefaults` accepts a form with the defaults its
 * schema declares, and declines a URL-mode request (nothing to open headless).
 */
import type { ElicitRequest, ElicitResult } from '@modelcontextprotocol/client'

export type ElicitationHandler = (params: ElicitRequest['params']) => Promise<ElicitResult>

type Primitive = string | number | boolean | string[]

/** The `default` of each property of a form's requestedSchema that declares one. */
export function schemaDefaults(requestedSchema: unknown): Record<string, Primitive> {
  const content: Record<string, Primitive> = {}
  if (typeof requestedSchema !== 'object' || requestedSchema === null) return content
  const { properties } = requestedSchema as { properties?: unknown }
  if (typeof properties !== 'object' || properties === null) return content
  for (const [name, property] of Object.entries(properties as Record<string, unknown>)) {
    if (typeof property !== 'object' || property === null || !('default' in property)) continue
    const value: unknown = property.default
    if (
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean' ||
      (Array.isArray(value) && value.every((item) => typeof item === 'string'))
    ) {
      content[name] = value as Primitive
    }
  }
  return content
}

/** Accepts a form elicitation with its schema's defaults; declines a URL-mode one. */
export const acceptWithDefaults: ElicitationHandler = (params) => {
  if ('mode' in params && params.mode === 'url') return Promise.resolve({ action: 'decline' })
  const schema = 'requestedSchema' in params ? params.requestedSchema : undefined
  return Promise.resolve({ action: 'accept', content: schemaDefaults(schema) })
}
