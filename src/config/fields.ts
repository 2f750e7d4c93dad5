/**
 * The schema seen as data: its JSON Schema (input side) with our meta keys, used to word error
 * messages and to generate the Markdown reference, so both always follow the schema.
 */
import { z } from 'zod'
import { SECRET_REF_FORMS } from './refs.js'
import { configSchema } from './schema.js'

/** A node of the configuration's JSON Schema, with the meta keys the schema adds. */
export interface FieldInfo {
  readonly type?: string
  readonly enum?: readonly unknown[]
  readonly const?: unknown
  readonly default?: unknown
  readonly description?: string
  readonly minimum?: number
  readonly maximum?: number
  readonly minItems?: number
  readonly items?: FieldInfo
  readonly properties?: Readonly<Record<string, FieldInfo>>
  /** Meta: the field holds a secret reference. */
  readonly secret?: boolean
  /** Meta: how to word what the field expects, when the type alone does not say. */
  readonly expected?: string
  /** Meta: the default in words, for defaults that depend on the mode. */
  readonly defaultText?: string
}

let root: FieldInfo | undefined

/** The root of the configuration's JSON Schema. */
export function configFields(): FieldInfo {
  root ??= z.toJSONSchema(configSchema, { io: 'input' }) as FieldInfo
  return root
}

/** The field at a path of keys (numbers step into array items); undefined when there is none. */
export function fieldAt(path: readonly PropertyKey[]): FieldInfo | undefined {
  let node: FieldInfo | undefined = configFields()
  for (const key of path) {
    if (node === undefined) return undefined
    if (typeof key === 'number') node = node.items
    else if (typeof key === 'string' && node.properties && Object.hasOwn(node.properties, key)) {
      node = node.properties[key]
    } else return undefined
  }
  return node
}

/** Every key that holds a value (not a section), in schema order, with its JSON path. */
export function leafFields(): Array<{ path: string; field: FieldInfo }> {
  const out: Array<{ path: string; field: FieldInfo }> = []
  const walk = (node: FieldInfo, prefix: string) => {
    for (const [key, field] of Object.entries(node.properties ?? {})) {
      const path = prefix ? `${prefix}.${key}` : key
      if (field.type === 'object' && field.properties) walk(field, path)
      else out.push({ path, field })
    }
  }
  walk(configFields(), '')
  return out
}

/** `database.pool_size`, `authentication.client_auth_methods[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) =>
      typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`,
    )
    .join('')
}

const quote = (value: unknown) => JSON.stringify(value)

/** What a field expects, in words: `a whole number from 1 to 100`. */
export function expectedText(field: FieldInfo | undefined): string {
  if (field === undefined) return 'a known key'
  if (field.expected) return field.expected
  if (field.secret) return `a secret reference (${SECRET_REF_FORMS})`
  if (field.const !== undefined) return quote(field.const)
  if (field.enum) return `one of ${field.enum.map(quote).join(', ')}`
  switch (field.type) {
    case 'integer':
      return field.minimum !== undefined && field.maximum !== undefined
        ? `a whole number from ${field.minimum} to ${field.maximum}`
        : 'a whole number'
    case 'number':
      return 'a number'
    case 'boolean':
      return 'true or false'
    case 'array':
      return `a non-empty list of ${field.items ? expectedText(field.items).replace(/^one of/, 'values from') : 'values'}`
    case 'object':
      return 'an object'
    default:
      return 'a non-empty string'
  }
}

/** A compact type for the docs table: `integer 1–100`, `"sqlite" \| "postgresql"`. */
export function typeText(field: FieldInfo): string {
  if (field.secret) return field.expected ? 'secret reference or URL' : 'secret reference'
  if (field.const !== undefined) return `${quote(field.const)} (fixed)`
  if (field.enum) return field.enum.map(quote).join(' \\| ')
  if (field.type === 'integer') {
    return field.minimum !== undefined && field.maximum !== undefined
      ? `integer ${field.minimum}–${field.maximum}`
      : 'integer'
  }
  if (field.type === 'array') return `array of ${field.items ? typeText(field.items) : 'values'}`
  if (field.expected) return field.expected.replace(/^an? /, '')
  return field.type ?? 'value'
}

/** The kind of a value, never the value: `a string`, `a fractional number`, `a list`. */
export function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'number')
    return Number.isInteger(value) ? 'a whole number' : 'a fractional number'
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}
