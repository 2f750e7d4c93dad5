import { readFile, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser'
import { gitState } from './git.js'
import { findServers, lineLocator } from './tree.js'
import type { Candidate, FileFacts, ParsedFile } from './types.js'

/** A file that could not be read or parsed, with where the problem is. */
export interface ReadFailure {
  candidate: Candidate
  message: string
  line: number
  column: number
}

export interface LoadOptions {
  home: string
  cwd: string
  platform: NodeJS.Platform
}

/** Reads and parses one config file (JSON with comments and trailing commas). */
export async function loadConfigFile(
  candidate: Candidate,
  options: LoadOptions,
): Promise<ParsedFile | ReadFailure> {
  let text: string
  try {
    text = await readFile(candidate.path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    const why = code === 'ENOENT' ? 'the file does not exist' : `it could not be read (${code})`
    return { candidate, message: `Not audited: ${why}.`, line: 1, column: 1 }
  }
  const errors: ParseError[] = []
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false })
  const first = errors[0]
  if (first || root === undefined) {
    const at = lineLocator(text)(first?.offset ?? 0)
    const what = first ? printParseErrorCode(first.error) : 'empty document'
    return { candidate, message: `Not audited: invalid JSON (${what}).`, ...at }
  }
  if (root.type !== 'object') {
    return {
      candidate,
      message: 'Not audited: the top level is not a JSON object.',
      line: 1,
      column: 1,
    }
  }
  return {
    candidate,
    text,
    root,
    servers: findServers(root),
    facts: await gatherFacts(candidate, options),
  }
}

export function isReadFailure(value: ParsedFile | ReadFailure): value is ReadFailure {
  return 'message' in value
}

async function gatherFacts(candidate: Candidate, options: LoadOptions): Promise<FileFacts> {
  const dir = dirname(candidate.path)
  const facts: FileFacts = {
    checkDir: ![resolve(options.home), resolve(options.cwd), resolve('/')].includes(resolve(dir)),
    dotenvNames: await dotenvNames(join(dir, '.env')),
  }
  if (options.platform !== 'win32') {
    facts.fileMode = (await stat(candidate.path)).mode & 0o777
    facts.dirMode = (await stat(dir)).mode & 0o777
  }
  facts.git = await gitState(candidate.path)
  return facts
}

/** Names defined in a dotenv file; values are not kept. */
export async function dotenvNames(path: string): Promise<Set<string>> {
  try {
    return new Set(parseDotenv(await readFile(path, 'utf8')).keys())
  } catch {
    return new Set()
  }
}

/** A minimal dotenv reader: `NAME=value`, optional `export `, single or double quotes. */
export function parseDotenv(text: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const raw of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(raw)
    if (!match?.[1]) continue
    let value = match[2] ?? ''
    if (/^'.*'$/.test(value)) value = value.slice(1, -1)
    else if (/^".*"$/.test(value)) value = JSON.parse(value) as string
    out.set(match[1], value)
  }
  return out
}
