/**
 * Maps zod issues to ConfigIssues: the JSON path, what was expected against the KIND of what
 * was given (a value is shown only for non-secret numbers, booleans and enum choices), and a fix.
 */
import type { z } from 'zod'
import type { ConfigIssue } from './errors.js'
import { expectedText, fieldAt, formatPath, kindOf } from './fields.js'
import type { FieldInfo } from './fields.js'

type ZodIssue = z.core.$ZodIssue
type Draft = { problem: string; fix: string }

/** Special wording for keys whose rule comes from a specification, by path and issue code. */
const OVERRIDES: Record<string, (issue: ZodIssue, shown: string) => Draft | undefined> = {
  'authentication.pkce_required': () => ({
    problem: 'PKCE cannot be turned off: OAuth 2.1 makes PKCE mandatory for every client',
    fix: 'remove authentication.pkce_required or set it to true',
  }),
  'authentication.token_expiry': (issue, shown) =>
    issue.code === 'too_big'
      ? {
          problem: `must be at most 3600 (1 hour) per OAuth 2.1 guidance, got ${shown}`,
          fix: 'set authentication.token_expiry to 3600 or less (default 900); clients renew with refresh tokens',
        }
      : undefined,
  'authentication.oauth_version': (_issue, shown) => ({
    problem: `only OAuth 2.1 is implemented: expected the string "2.1", got ${shown}`,
    fix: 'remove authentication.oauth_version or set it to "2.1"',
  }),
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node = input
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<PropertyKey, unknown>)[key]
  }
  return node
}

/** A value fit to print: numbers, booleans and short strings of non-secret fields; else its kind. */
function shown(value: unknown, field: FieldInfo | undefined): string {
  if (field?.secret) return kindOf(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (typeof value === 'string' && value.length <= 40) return JSON.stringify(value)
  return kindOf(value)
}

function defaultFix(path: string, field: FieldInfo | undefined): string {
  const expected = expectedText(field)
  if (field?.default === undefined) return `set ${path} to ${expected}, or remove it`
  return `set ${path} to ${expected}, or remove it to use the default (${JSON.stringify(field.default)})`
}

/** Edit distance, for "did you mean" on unknown keys. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      )
    }
    previous = row
  }
  return previous[b.length] ?? 0
}

function unknownKey(base: readonly PropertyKey[], key: string): ConfigIssue {
  const allowed = Object.keys(fieldAt(base)?.properties ?? {})
  const near = allowed.find((name) => distance(name, key) <= 2)
  const level = base.length ? `in ${formatPath(base)}` : 'at the top level'
  return {
    path: formatPath([...base, key]),
    problem: `unknown key "${key}"`,
    fix: `${near ? `did you mean "${near}"? Otherwise remove it` : 'remove it'} or use one of the keys allowed ${level}: ${allowed.join(', ')}`,
  }
}

function draft(issue: ZodIssue, field: FieldInfo | undefined, value: unknown, path: string): Draft {
  const expected = expectedText(field)
  const fix = defaultFix(path, field)
  switch (issue.code) {
    case 'invalid_type':
      return { problem: `expected ${expected}, got ${kindOf(value)}`, fix }
    case 'invalid_value':
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
      return { problem: `expected ${expected}, got ${shown(value, field)}`, fix }
    case 'custom': {
      const custom = (issue.params as { fix?: unknown } | undefined)?.fix
      return { problem: issue.message, fix: typeof custom === 'string' ? custom : fix }
    }
    default:
      return { problem: issue.message, fix }
  }
}

/**
 * Turns zod issues into ConfigIssues. `input` is what was validated (to name the kind of a bad
 * value); `sourceOf` names where a path's value came from when not the file (`env MCP_PORT`).
 */
export function issuesFromZod(
  issues: readonly ZodIssue[],
  input: unknown,
  sourceOf: (path: string) => string | undefined = () => undefined,
): ConfigIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => unknownKey(issue.path, key))
    const path = formatPath(issue.path)
    const field = fieldAt(issue.path)
    const value = valueAt(input, issue.path)
    const special = OVERRIDES[path]?.(issue, shown(value, field))
    const { problem, fix } = special ?? draft(issue, field, value, path)
    const source = sourceOf(path)
    return [source === undefined ? { path, problem, fix } : { path, problem, fix, source }]
  })
}
