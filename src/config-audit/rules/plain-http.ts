import { isLoopbackHost } from '../../config/index.js'
import { findingAt } from '../finding.js'
import { serverStrings } from '../server-fields.js'
import type { Finding, Rule } from '../types.js'

const HTTP_URL = /\bhttp:\/\/[^\s"'<>]+/gi

/** The non-loopback `http://` URLs in a string. */
export function plainHttpUrls(value: string): string[] {
  const out: string[] = []
  for (const [url] of value.matchAll(HTTP_URL)) {
    if (!URL.canParse(url)) continue
    if (!isLoopbackHost(new URL(url).hostname)) out.push(url)
  }
  return out
}

export const plainHttp: Rule = {
  id: 'plain-http-url',
  severity: 'error',
  title: 'Plain HTTP to a remote host',
  description:
    'A server URL (or a URL passed in args) uses http:// to a host that is not loopback. Tokens, ' +
    'tool calls and results travel unencrypted and can be read or changed on the network.',
  fixHint:
    'Use https:// (the server must offer TLS, or sit behind a TLS-terminating proxy). Plain http ' +
    'is only acceptable for localhost / 127.0.0.1 / [::1].',
  check(ctx) {
    const findings: Finding[] = []
    for (const server of ctx.file.servers) {
      for (const field of serverStrings(server)) {
        if (field.where !== 'url' && field.where !== 'args' && field.where !== 'env') continue
        for (const url of plainHttpUrls(field.value)) {
          const host = new URL(url).host
          findings.push(
            findingAt(
              this,
              ctx,
              field.node,
              field.path,
              `Server "${server.name}" talks plain HTTP to ${host} in its ${field.where}: traffic is not encrypted.`,
            ),
          )
        }
      }
    }
    return findings
  },
}
