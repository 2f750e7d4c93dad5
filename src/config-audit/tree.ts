import { findNodeAtLocation, type Node } from 'jsonc-parser'
import type { JsonPath, ServerEntry } from './types.js'

/** Maps offsets to 1-based line and column. */
export function lineLocator(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0]
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1)
  return (offset) => {
    let low = 0
    let high = starts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if ((starts[mid] ?? 0) <= offset) low = mid
      else high = mid - 1
    }
    return { line: low + 1, column: offset - (starts[low] ?? 0) + 1 }
  }
}

/** The value node of property `key` in an object node. */
export function child(node: Node | undefined, key: string): Node | undefined {
  if (node?.type !== 'object') return undefined
  for (const property of node.children ?? []) {
    const [name, value] = property.children ?? []
    if (name?.value === key) return value
  }
  return undefined
}

/** The `[key, valueNode]` pairs of an object node. */
export function entries(node: Node | undefined): [string, Node][] {
  if (node?.type !== 'object') return []
  const out: [string, Node][] = []
  for (const property of node.children ?? []) {
    const [name, value] = property.children ?? []
    if (typeof name?.value === 'string' && value) out.push([name.value, value])
  }
  return out
}

/** The string value of a node, if it is a string. */
export function str(node: Node | undefined): string | undefined {
  return node?.type === 'string' && typeof node.value === 'string' ? node.value : undefined
}

/** String items of an array node, with their index. */
export function stringItems(
  node: Node | undefined,
): { value: string; index: number; node: Node }[] {
  if (node?.type !== 'array') return []
  const out: { value: string; index: number; node: Node }[] = []
  for (const [index, item] of (node.children ?? []).entries()) {
    const value = str(item)
    if (value !== undefined) out.push({ value, index, node: item })
  }
  return out
}

/** Every node in the tree with its path (properties are passed through to their values). */
export function* walk(
  node: Node,
  path: JsonPath = [],
): Generator<{ node: Node; path: JsonPath; key?: string }> {
  yield { node, path, key: typeof path.at(-1) === 'string' ? (path.at(-1) as string) : undefined }
  if (node.type === 'object') {
    for (const [key, value] of entries(node)) yield* walk(value, [...path, key])
  } else if (node.type === 'array') {
    for (const [index, item] of (node.children ?? []).entries()) yield* walk(item, [...path, index])
  }
}

/** Where MCP clients keep server maps: Claude, Cursor, Windsurf, VS Code (mcp.json and settings). */
const SERVER_MAPS: JsonPath[] = [['mcpServers'], ['servers'], ['mcp', 'servers'], ['mcp.servers']]

/** Every server entry in a config: the known maps at top level and under `projects.*` (~/.claude.json). */
export function findServers(root: Node): ServerEntry[] {
  const servers: ServerEntry[] = []
  const collect = (base: Node, prefix: JsonPath) => {
    for (const mapPath of SERVER_MAPS) {
      const map = findNodeAtLocation(base, mapPath)
      for (const [name, node] of entries(map)) {
        if (node.type === 'object')
          servers.push({ name, node, path: [...prefix, ...mapPath, name] })
      }
    }
  }
  collect(root, [])
  for (const [project, node] of entries(child(root, 'projects')))
    collect(node, ['projects', project])
  return servers
}
