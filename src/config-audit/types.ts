import type { Node } from 'jsonc-parser'

/** How bad a finding is; SARIF levels use the same words. */
export type Severity = 'error' | 'warning' | 'note'

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { note: 1, warning: 2, error: 3 }

/** A path into a JSON document, as jsonc-parser understands it. */
export type JsonPath = (string | number)[]

/** Where a config file comes from: a user-level file, one in the project, or named on the command line. */
export type Scope = 'user' | 'project' | 'explicit'

/** A config file the auditor looks at. */
export interface Candidate {
  path: string
  client: string
  scope: Scope
}

/** What `--fix` can do about a finding. Internal: never serialised (it may hold a secret). */
export type FixAction =
  | { kind: 'chmod'; target: string; mode: number }
  | { kind: 'move-secret'; jsonPath: JsonPath; secret: string; suggestedName: string }
  | { kind: 'gitignore'; target: string }

/** One problem found in one config file. */
export interface Finding {
  ruleId: string
  severity: Severity
  file: string
  /** Dotted path to the value, e.g. `mcpServers.github.env.GITHUB_TOKEN`. */
  jsonPath: string
  line: number
  column: number
  message: string
  fixHint: string
  fixable: boolean
  /** A secret shown safely: its first 4 characters, an ellipsis and its length. */
  maskedValue?: string
  /** Internal plan for `--fix`; reporters never print it. */
  fix?: FixAction
}

/** One MCP server entry inside a config file. */
export interface ServerEntry {
  name: string
  path: JsonPath
  node: Node
}

/** Facts gathered about a file before the (synchronous) rules run. */
export interface FileFacts {
  /** Permission bits of the file and its directory (POSIX only). */
  fileMode?: number
  dirMode?: number
  /** Whether the directory's mode should be checked (not for home, cwd or the filesystem root). */
  checkDir: boolean
  /** Git state; `undefined` when the file is outside a work tree. */
  git?: { available: false } | { available: true; tracked: boolean; ignored: boolean; root: string }
  /** Variable names defined in the `.env` file next to the config. */
  dotenvNames: ReadonlySet<string>
}

/** A config file as read and parsed, with its facts. */
export interface ParsedFile {
  candidate: Candidate
  text: string
  root: Node
  servers: ServerEntry[]
  facts: FileFacts
}

/** What every rule sees. */
export interface RuleContext {
  file: ParsedFile
  env: Readonly<Record<string, string | undefined>>
  platform: NodeJS.Platform
  /** The locator: 1-based line and column of an offset in the file. */
  locate(node: Node): { line: number; column: number }
}

/** One check, in one file under rules/. */
export interface Rule {
  id: string
  severity: Severity
  title: string
  description: string
  fixHint: string
  check(ctx: RuleContext): Finding[]
}
