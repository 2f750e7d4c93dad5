import type { JsonPath } from './types.js'

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/

/** `['mcpServers', 'a.b', 'args', 2]` → `mcpServers["a.b"].args[2]`. */
export function formatJsonPath(path: JsonPath): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else if (PLAIN_KEY.test(part)) out += out === '' ? part : `.${part}`
    else out += `[${JSON.stringify(part)}]`
  }
  return out
}
