import { findingAt } from '../finding.js'
import { maskSecret } from '../mask.js'
import { detectSecret } from '../secret-patterns.js'
import { serverStrings } from '../server-fields.js'
import type { Finding, Rule } from '../types.js'

/** Env var name for a moved secret: the env key itself, else SERVER_HEADER / SERVER_FLAG. */
export function suggestVarName(
  server: string,
  where: string,
  name: string | undefined,
  index: number | string,
): string {
  if (where === 'env' && name && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return name
  const tail = name ? name.replace(/^-+/, '') : `ARG_${index}`
  const raw = `${server}_${tail}`.toUpperCase().replace(/[^A-Z0-9_]+/g, '_')
  return /^[A-Z_]/.test(raw) ? raw : `MCP_${raw}`
}

export const hardcodedCredential: Rule = {
  id: 'hardcoded-credential',
  severity: 'error',
  title: 'Hardcoded credential in an MCP server entry',
  description:
    'An API key, token, password or private key is written literally in the env, headers, args ' +
    'or URL of a server. Anyone who can read the file, its backups or its git history has it.',
  fixHint:
    'Move the value out of the file: reference an environment variable (${VAR}, ${env:VAR} in ' +
    'VS Code and Cursor) and keep the value in your shell, a 0600 .env file or the OS keychain; ' +
    'then rotate the credential, since it was exposed. `mcp-pa audit --fix` moves it to .env.',
  check(ctx) {
    const findings: Finding[] = []
    for (const server of ctx.file.servers) {
      for (const field of serverStrings(server)) {
        if (field.where === 'command') continue
        const found =
          field.where === 'url' ? urlPassword(field.value) : detectSecret(field.value, field.name)
        if (!found) continue
        const last = field.path.at(-1) ?? ''
        const fix =
          field.where === 'url'
            ? undefined
            : {
                kind: 'move-secret' as const,
                jsonPath: field.path,
                secret: found.secret,
                suggestedName: suggestVarName(server.name, field.where, field.name, last),
              }
        findings.push(
          findingAt(
            this,
            ctx,
            field.node,
            field.path,
            `Server "${server.name}" has a hardcoded ${found.kind} in its ${field.where}.`,
            { maskedValue: maskSecret(found.secret), fix },
          ),
        )
      }
    }
    return findings
  },
}

function urlPassword(value: string): { kind: string; secret: string } | undefined {
  if (!URL.canParse(value)) return undefined
  const url = new URL(value)
  if (url.password) return { kind: 'password in the URL', secret: decodeURIComponent(url.password) }
  for (const [key, param] of url.searchParams) {
    if (
      /^(?:api[-_]?key|access[-_]?token|token|key|secret|password)$/i.test(key) &&
      param &&
      !param.startsWith('${')
    ) {
      return { kind: `credential in the URL query (${key})`, secret: param }
    }
  }
  return undefined
}
