import { readFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { applyEdits, findNodeAtLocation, modify, parseTree } from 'jsonc-parser'
import { gitState } from '../git.js'
import type { AuditResult } from '../run.js'
import type { Finding, JsonPath, ParsedFile } from '../types.js'
import { allocateNames, type MovedSecret } from './dotenv.js'

/** Everything `--fix` would change for one config file. */
export interface FilePlan {
  configPath: string
  original: string
  updated: string
  dotenvPath: string
  dotenvOriginal: string | undefined
  moved: MovedSecret[]
  /** Newly written to the .env (a subset of `moved`: reused names are not written again). */
  additions: MovedSecret[]
  chmods: { target: string; mode: number }[]
  gitignore: { path: string; original: string | undefined; entries: string[] }[]
  /** Where moved secrets go: the .env next to the config, or the OS keychain. */
  secretsTo: SecretsTo
}

export type SecretsTo = 'env' | 'keychain'

/** `${env:NAME}` for VS Code and Cursor, `${NAME}` for the others. */
export function referenceFor(file: ParsedFile, name: string): string {
  const p = file.candidate.path.replaceAll('\\', '/')
  const vscodeStyle =
    /\/\.(?:vscode|cursor)\//.test(p) ||
    /\/Code\/User\//.test(p) ||
    file.candidate.client === 'Cursor'
  return vscodeStyle ? `\${env:${name}}` : `\${${name}}`
}

const FORMAT = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } }

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** Builds the plan for one file from its fixable findings. Reads, writes nothing. */
export async function planFile(
  file: ParsedFile,
  findings: readonly Finding[],
  secretsTo: SecretsTo = 'env',
): Promise<FilePlan> {
  const configPath = file.candidate.path
  const dotenvPath = join(dirname(configPath), '.env')
  const dotenvOriginal = secretsTo === 'env' ? await readOptional(dotenvPath) : undefined
  const moves = findings.flatMap((f) => (f.fix?.kind === 'move-secret' ? [f.fix] : []))
  const { names, additions } = allocateNames(
    dotenvOriginal ?? '',
    moves.map((move) => ({ suggestedName: move.suggestedName, value: move.secret })),
  )
  let updated = file.text
  const moved: MovedSecret[] = []
  moves.forEach((move, index) => {
    const name = names[index] as string
    const tree = parseTree(updated)
    const current = tree ? findNodeAtLocation(tree, move.jsonPath)?.value : undefined
    if (typeof current !== 'string') return
    const next = current.split(move.secret).join(referenceFor(file, name))
    updated = applyEdits(updated, modify(updated, move.jsonPath as JsonPath, next, FORMAT))
    moved.push({ name, value: move.secret })
  })
  const chmods = findings.flatMap((f) =>
    f.fix?.kind === 'chmod' ? [{ target: f.fix.target, mode: f.fix.mode }] : [],
  )
  const ignoreTargets =
    moves.length > 0
      ? []
      : findings.flatMap((f) => (f.fix?.kind === 'gitignore' ? [f.fix.target] : []))
  if (secretsTo === 'env' && additions.length > 0) {
    ignoreTargets.push(dotenvPath)
    chmods.push({ target: dotenvPath, mode: 0o600 })
  }
  return {
    configPath,
    original: file.text,
    updated,
    dotenvPath,
    dotenvOriginal,
    moved,
    additions,
    chmods,
    gitignore: await planGitignore(ignoreTargets),
    secretsTo,
  }
}

/** `.gitignore` entries (anchored at the repository root) for files git would not ignore. */
async function planGitignore(targets: string[]): Promise<FilePlan['gitignore']> {
  const byFile = new Map<
    string,
    { path: string; original: string | undefined; entries: string[] }
  >()
  for (const target of targets) {
    const git = await gitState(target)
    if (!git?.available || git.ignored || git.tracked) continue
    const path = join(git.root, '.gitignore')
    const plan = byFile.get(path) ?? { path, original: await readOptional(path), entries: [] }
    plan.entries.push('/' + relative(git.root, target).split('\\').join('/'))
    byFile.set(path, plan)
  }
  return [...byFile.values()]
}

/** The gitignore text with the plan's entries appended. */
export function gitignoreText(plan: FilePlan['gitignore'][number]): string {
  const original = plan.original ?? ''
  const lead = original === '' || original.endsWith('\n') ? '' : '\n'
  return `${original}${lead}# MCP client secrets (added by mcp-pa audit --fix)\n${plan.entries.join('\n')}\n`
}

/** The files with fixable findings, each with those findings. */
export function fixableFiles(result: AuditResult): { file: ParsedFile; findings: Finding[] }[] {
  return result.files.flatMap((file) => {
    const findings = result.findings.filter(
      (f) => f.file === file.candidate.path && f.fix !== undefined,
    )
    return findings.length > 0 ? [{ file, findings }] : []
  })
}
