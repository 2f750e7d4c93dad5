import { child } from '../tree.js'
import { findingAt } from '../finding.js'
import { commandLine } from '../server-fields.js'
import type { Finding, Rule } from '../types.js'

const PATTERNS: RegExp[] = [
  // curl … | sh, wget -O- … | sudo bash, … | python
  /\b(?:curl|wget|fetch)\b[^|;&]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+)?(?:ba|z|da|k|fi)?sh\b/i,
  /\b(?:curl|wget)\b[^|;&]*\|\s*(?:sudo\s+)?(?:python3?|node|perl|ruby)\b/i,
  // sh -c "$(curl …)" / bash <(curl …)
  /\b(?:ba|z|da)?sh\b[^|;&]*(?:\$\(|<\(|`)\s*(?:curl|wget)\b/i,
  // PowerShell: iex (iwr …), iwr … | iex, Invoke-Expression (Invoke-WebRequest …)
  /\b(?:iex|Invoke-Expression)\b[^|;]*\b(?:iwr|irm|Invoke-WebRequest|Invoke-RestMethod|DownloadString)\b/i,
  /\b(?:iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b[^|;]*\|\s*(?:iex|Invoke-Expression)\b/i,
]

/** True when the command line downloads code and executes it in one go. */
export function downloadsAndExecutes(commandText: string): boolean {
  return PATTERNS.some((pattern) => pattern.test(commandText))
}

export const downloadAndExecute: Rule = {
  id: 'download-and-execute',
  severity: 'error',
  title: 'Command downloads and runs code',
  description:
    'The server command pipes a download into a shell or interpreter (curl … | sh, ' +
    'wget -O- … | bash, iex (iwr …)), including inside sh -c "…". Whatever the URL serves at ' +
    'start-up runs with your permissions, unreviewed, every time the client starts.',
  fixHint:
    'Download the script once, review it, install the tool, and point command at the installed ' +
    'binary (or a pinned package version).',
  check(ctx) {
    const findings: Finding[] = []
    for (const server of ctx.file.servers) {
      const { command, args } = commandLine(server)
      const text = [command ?? '', ...args].join(' ')
      if (!downloadsAndExecutes(text)) continue
      const node = child(server.node, 'args') ?? child(server.node, 'command')
      findings.push(
        findingAt(
          this,
          ctx,
          node,
          [...server.path, 'command'],
          `Server "${server.name}" downloads code and pipes it into an interpreter at every start.`,
        ),
      )
    }
    return findings
  },
}
