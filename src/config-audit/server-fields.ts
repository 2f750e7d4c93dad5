import type { Node } from 'jsonc-parser'
import { child, entries, str, stringItems } from './tree.js'
import type { JsonPath, ServerEntry } from './types.js'

/** A string value inside a server entry, with the name it sits under and its path. */
export interface StringField {
  value: string
  /** The env var, header or flag name the value belongs to. */
  name?: string
  where: 'env' | 'headers' | 'args' | 'url' | 'command'
  path: JsonPath
  node: Node
}

const FLAG_WITH_VALUE = /^(--?[\w-]+)=(.*)$/s

/** The `env`, `headers`, `args`, `url` and `command` strings of a server. */
export function serverStrings(server: ServerEntry): StringField[] {
  const out: StringField[] = []
  for (const where of ['env', 'headers'] as const) {
    for (const [name, node] of entries(child(server.node, where))) {
      const value = str(node)
      if (value !== undefined)
        out.push({ value, name, where, node, path: [...server.path, where, name] })
    }
  }
  let previousFlag: string | undefined
  for (const { value, index, node } of stringItems(child(server.node, 'args'))) {
    const inline = FLAG_WITH_VALUE.exec(value)
    const name = inline?.[1] ?? previousFlag
    out.push({ value, name, where: 'args', node, path: [...server.path, 'args', index] })
    previousFlag = value.startsWith('-') && !inline ? value : undefined
  }
  for (const where of ['url', 'serverUrl', 'command'] as const) {
    const node = child(server.node, where)
    const value = str(node)
    if (value !== undefined && node) {
      out.push({
        value,
        where: where === 'command' ? 'command' : 'url',
        node,
        path: [...server.path, where],
      })
    }
  }
  return out
}

/** The command and its string arguments. */
export function commandLine(server: ServerEntry): { command?: string; args: string[] } {
  return {
    command: str(child(server.node, 'command')),
    args: stringItems(child(server.node, 'args')).map(({ value }) => value),
  }
}
