import { findingAt } from '../finding.js'
import { serverStrings } from '../server-fields.js'
import { walk } from '../tree.js'
import type { Finding, Rule } from '../types.js'

/** Flags that turn certificate checks off in common tools (curl, Chrome, pip, mcp-remote …). */
export const INSECURE_FLAGS = new Set([
  '--insecure',
  '-k',
  '--no-verify',
  '--no-verify-ssl',
  '--ignore-certificate-errors',
  '--allow-insecure',
  '--disable-ssl-verification',
])

export const tlsVerificationDisabled: Rule = {
  id: 'tls-verification-disabled',
  severity: 'error',
  title: 'TLS certificate verification disabled',
  description:
    'The config turns off certificate checks (rejectUnauthorized: false, ' +
    'NODE_TLS_REJECT_UNAUTHORIZED=0, --insecure and similar flags). Anyone on the network path ' +
    'can then impersonate the server and read or change the traffic, including tokens.',
  fixHint:
    'Remove the switch. For a private CA, trust it instead: NODE_EXTRA_CA_CERTS=/path/ca.pem ' +
    '(Node) or the client\u2019s CA setting.',
  check(ctx) {
    const findings: Finding[] = []
    for (const { node, path, key } of walk(ctx.file.root)) {
      if (key === 'rejectUnauthorized' && node.type === 'boolean' && node.value === false) {
        findings.push(
          findingAt(
            this,
            ctx,
            node,
            path,
            'rejectUnauthorized is false: certificates are not checked.',
          ),
        )
      }
    }
    for (const server of ctx.file.servers) {
      for (const field of serverStrings(server)) {
        const off =
          (field.where === 'env' &&
            field.name === 'NODE_TLS_REJECT_UNAUTHORIZED' &&
            field.value.trim() === '0') ||
          (field.where === 'args' && INSECURE_FLAGS.has(field.value.split('=')[0] ?? ''))
        if (!off) continue
        const what =
          field.where === 'env' ? 'NODE_TLS_REJECT_UNAUTHORIZED=0' : `the ${field.value} flag`
        findings.push(
          findingAt(
            this,
            ctx,
            field.node,
            field.path,
            `Server "${server.name}" disables certificate checks with ${what}.`,
          ),
        )
      }
    }
    return findings
  },
}
