import { findingAt } from '../finding.js'
import { serverStrings } from '../server-fields.js'
import type { Finding, Rule } from '../types.js'

/** `${VAR}`, `${env:VAR}`; `${VAR:-default}` has a fallback and is skipped. */
const REFERENCE = /\$\{(env:)?([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g

/** VS Code's predefined variables are not environment variables. */
const PREDEFINED = new Set([
  'workspaceFolder',
  'workspaceFolderBasename',
  'userHome',
  'file',
  'fileBasename',
  'fileDirname',
  'cwd',
  'pathSeparator',
  'execPath',
  'defaultBuildTask',
  'relativeFile',
  'lineNumber',
  'selectedText',
])

/** Variable names referenced without a default in a string. */
export function referencedVariables(value: string): string[] {
  const names: string[] = []
  for (const match of value.matchAll(REFERENCE)) {
    const [, env, name, fallback] = match
    if (!name || fallback !== undefined) continue
    if (!env && PREDEFINED.has(name)) continue
    names.push(name)
  }
  return names
}

export const undefinedEnvReference: Rule = {
  id: 'undefined-env-reference',
  severity: 'note',
  title: 'Reference to an unset environment variable',
  description:
    'A ${VAR} or ${env:VAR} reference names a variable that is not set in the environment the ' +
    'audit ran in (nor in a .env next to the config). The server may start with an empty ' +
    'credential and fail, or fall back to a less safe default.',
  fixHint:
    'Set the variable where the client starts (shell profile, launch agent, a 0600 .env loaded ' +
    'by your tooling), or give a default with ${VAR:-value} if one is safe.',
  check(ctx) {
    const findings: Finding[] = []
    for (const server of ctx.file.servers) {
      for (const field of serverStrings(server)) {
        for (const name of referencedVariables(field.value)) {
          if (ctx.env[name] !== undefined || ctx.file.facts.dotenvNames.has(name)) continue
          findings.push(
            findingAt(
              this,
              ctx,
              field.node,
              field.path,
              `Server "${server.name}" refers to \${${name}}, which is not set.`,
            ),
          )
        }
      }
    }
    return findings
  },
}
