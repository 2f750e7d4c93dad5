import { child } from '../tree.js'
import { findingAt } from '../finding.js'
import { commandLine } from '../server-fields.js'
import type { Finding, Rule } from '../types.js'

/** Runners that fetch a package and execute it; `sub` is the subcommand they need, if any. */
const RUNNERS: Record<string, { sub?: string[]; python?: boolean }> = {
  npx: {},
  bunx: {},
  'pnpm dlx': {},
  'yarn dlx': {},
  'npm exec': {},
  uvx: { python: true },
  'pipx run': { python: true },
}

/** Flags of these runners that take a value (so the next arg is not the package). */
const VALUE_FLAGS = new Set([
  '-p',
  '--package',
  '--from',
  '--python',
  '--registry',
  '--cache',
  '--with',
])

function runnerOf(command: string, args: string[]): { runner: string; rest: string[] } | undefined {
  const base =
    command
      .split(/[\\/]/)
      .pop()
      ?.replace(/\.(?:cmd|exe)$/i, '') ?? command
  if (Object.hasOwn(RUNNERS, base)) return { runner: base, rest: args }
  const withSub = `${base} ${args[0] ?? ''}`
  if (Object.hasOwn(RUNNERS, withSub)) return { runner: withSub, rest: args.slice(1) }
  return undefined
}

/** The package a runner will fetch: `--package=x`, `--from x`, or the first positional. */
export function packageSpec(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ''
    const inline = /^(?:--package|--from|-p)=(.+)$/.exec(arg)
    if (inline) return inline[1]
    if (arg === '--package' || arg === '-p' || arg === '--from') return args[i + 1]
    if (VALUE_FLAGS.has(arg)) {
      i++
      continue
    }
    if (arg === '--') continue
    if (!arg.startsWith('-')) return arg
  }
  return undefined
}

/** `pkg@1.2.3`, `@scope/pkg@1.2.3`, `pkg==1.2`, a path or URL are pinned; `latest`, `*` and ranges are not. */
export function isPinned(spec: string, python: boolean): boolean {
  if (/^(?:\.{0,2}\/|[a-z]+:|git\+)/i.test(spec)) return true
  const version = python
    ? (/(?:==|@)([^=@\s]+)$/.exec(spec)?.[1] ?? undefined)
    : (/^(?:@[^/]+\/)?[^@]+@(.+)$/.exec(spec)?.[1] ?? undefined)
  if (version === undefined) return false
  return (
    /^v?\d+\.\d+\.\d+(?:[-+.][\w.-]*)?$/.test(version) ||
    (python && /^\d+(?:\.\d+)*$/.test(version))
  )
}

export const unpinnedPackageRunner: Rule = {
  id: 'unpinned-package-runner',
  severity: 'warning',
  title: 'Package runner without a pinned version',
  description:
    'A stdio server starts with npx, bunx, pnpm dlx, yarn dlx, uvx or pipx run and no exact version. ' +
    'Every start may download and run whatever the registry serves now, so a hijacked or ' +
    'malicious release runs with your permissions and sees your tokens.',
  fixHint:
    'Pin an exact version: `npx -y pkg@1.2.3`, `uvx pkg==1.2.3` (or install it and run the binary).',
  check(ctx) {
    const findings: Finding[] = []
    for (const server of ctx.file.servers) {
      const { command, args } = commandLine(server)
      if (command === undefined) continue
      const found = runnerOf(command, args)
      if (!found) continue
      const spec = packageSpec(found.rest)
      if (spec === undefined) continue
      const python = RUNNERS[found.runner]?.python === true
      if (isPinned(spec, python)) continue
      const node = child(server.node, 'args') ?? child(server.node, 'command')
      findings.push(
        findingAt(
          this,
          ctx,
          node,
          [...server.path, 'args'],
          `Server "${server.name}" runs ${found.runner} ${spec} without a pinned version.`,
        ),
      )
    }
    return findings
  },
}
