import { canonicalResourceUri } from '../../auth/protocol/index.js'

export interface ResourceUriInput {
  /** `server.public_url`: what clients type, behind a proxy or a DNS name. Wins when set. */
  publicUrl?: URL | undefined
  /** `server.host` as configured (a name such as `localhost` stays a name). */
  host: string
  port: number
  tls: boolean
  mcpPath: string
}

/**
 * The canonical URI of the MCP endpoint: the protected resource of RFC 9728 and the default token
 * audience. Computed once from the configuration, so the audience the guard checks and the
 * `resource` the metadata publishes are the same string. A wildcard host has no URL of its own:
 * the configuration check demands `server.public_url` then; loopback stands in for it here only so
 * that an in-process caller without one still gets a well-formed URL.
 */
export function resourceUri(input: ResourceUriInput): URL {
  const origin =
    input.publicUrl ??
    new URL(`${input.tls ? 'https' : 'http'}://${hostForUrl(input.host)}:${input.port}`)
  return new URL(canonicalResourceUri(new URL(input.mcpPath, origin)))
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '[::]') return '127.0.0.1'
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}
