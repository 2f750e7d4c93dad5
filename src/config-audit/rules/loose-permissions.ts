import { dirname } from 'node:path'
import { findingAt } from '../finding.js'
import type { Finding, ParsedFile, Rule } from '../types.js'
import { hardcodedCredential } from './hardcoded-credential.js'

const octal = (mode: number) => mode.toString(8).padStart(4, '0')

/** True when a file holds a hardcoded secret (project files are only checked then). */
export function holdsSecrets(file: ParsedFile, ctx: Parameters<Rule['check']>[0]): boolean {
  return hardcodedCredential.check({ ...ctx, file }).length > 0
}

export const loosePermissions: Rule = {
  id: 'loose-permissions',
  severity: 'warning',
  title: 'Config file or directory readable by others',
  description:
    'A user-level MCP config (or a project config holding credentials) is readable by other ' +
    'accounts on this machine (file wider than 0600, or its directory wider than 0700). Configs ' +
    'carry tokens and the commands your assistant runs. POSIX only; not checked on Windows.',
  fixHint: 'chmod 600 the file and chmod 700 its directory. `mcp-pa audit --fix` does both.',
  check(ctx) {
    const { facts, candidate } = ctx.file
    if (ctx.platform === 'win32' || facts.fileMode === undefined) return []
    if (candidate.scope === 'project' && !holdsSecrets(ctx.file, ctx)) return []
    const findings: Finding[] = []
    if ((facts.fileMode & 0o077) !== 0) {
      findings.push(
        findingAt(
          this,
          ctx,
          undefined,
          [],
          `The file has mode ${octal(facts.fileMode)}: other users can read or change it.`,
          {
            fixHint: `chmod 600 ${candidate.path}`,
            fix: { kind: 'chmod', target: candidate.path, mode: 0o600 },
          },
        ),
      )
    }
    if (facts.checkDir && facts.dirMode !== undefined && (facts.dirMode & 0o077) !== 0) {
      const dir = dirname(candidate.path)
      findings.push(
        findingAt(
          this,
          ctx,
          undefined,
          [],
          `Its directory ${dir} has mode ${octal(facts.dirMode)}: other users can list or replace files in it.`,
          {
            fixHint: `chmod 700 ${dir}`,
            fix: { kind: 'chmod', target: dir, mode: 0o700 },
          },
        ),
      )
    }
    return findings
  },
}
