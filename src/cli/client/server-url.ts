/**
 * The MCP server URL as the connection uses it: canonical, refused before any request when the
 * fetch policy refuses it, and which stored resources a token may be sent to.
 */
import { policyForServer } from '../../auth/client/index.js'
import { canonicalResourceUri } from '../../auth/protocol/index.js'
import { ConnectionError } from './types.js'
import type { ConnectionOptions } from './types.js'

/** Whether stored credentials for `resource` may be sent to `server` (same origin, under it). */
export function resourceCovers(resource: string, server: string): boolean {
  if (!URL.canParse(resource)) return false
  const r = new URL(resource)
  const s = new URL(server)
  if (r.origin !== s.origin) return false
  const base = r.pathname.endsWith('/') ? r.pathname : `${r.pathname}/`
  return r.pathname === s.pathname || r.pathname === '/' || s.pathname.startsWith(base)
}

/** The server URL, canonical; refused when the fetch policy refuses it (https off loopback). */
export function checkedServer(options: ConnectionOptions): string {
  try {
    const canonical = canonicalResourceUri(options.serverUrl)
    const policy = policyForServer(canonical, options.fetchOptions)
    const url = new URL(canonical)
    if (url.username !== '' || url.password !== '') throw new TypeError('it carries a password')
    const loopback = policy.loopbackTrusted && policy.trustedHosts.has(url.hostname)
    if (url.protocol === 'http:' && !loopback && !policy.dangerouslyAllowHttp) {
      throw new TypeError('it must be https (http only on loopback, or --dangerously-allow-http)')
    }
    return canonical
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    throw new ConnectionError('invalid_server_url', `cannot use the MCP server URL: ${why}`)
  }
}
