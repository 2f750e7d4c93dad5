/**
 * Helpers for the auditor's tests: configs parsed in memory with chosen facts, and secret-shaped
 * values assembled at run time (so that no secret-looking literal is ever committed).
 */
import { randomBytes } from 'node:crypto'
import { parseTree } from 'jsonc-parser'
import { runRules } from './run.js'
import { findServers } from './tree.js'
import type { Candidate, FileFacts, Finding, ParsedFile, Rule } from './types.js'

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** `length` random characters from `alphabet`. */
export function randomText(length: number, alphabet = ALNUM): string {
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('')
}

/** Secret-shaped values of each known format, built at run time. */
export const fake = {
  github: () => 'gh' + 'p_' + randomText(36),
  githubPat: () => 'github' + '_pat_' + randomText(40),
  stripe: () => 'sk' + '_live_' + randomText(24),
  stripeTest: () => 'sk' + '_test_' + randomText(24),
  openai: () => 'sk' + '-proj-' + randomText(40),
  anthropic: () => 'sk' + '-ant-api03-' + randomText(40),
  slack: () => 'xo' + 'xb-' + randomText(12, '0123456789') + '-' + randomText(24),
  aws: () => 'AK' + 'IA' + randomText(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'),
  google: () => 'AI' + 'za' + randomText(35),
  jwt: () => ['eyJ' + randomText(20), 'eyJ' + randomText(30), randomText(43)].join('.'),
  pem: () =>
    ['-----BEGIN', 'PRIVATE', 'KEY-----'].join(' ') +
    '\n' +
    randomText(64) +
    '\n' +
    ['-----END', 'PRIVATE', 'KEY-----'].join(' ') +
    '\n',
  entropy: () => randomText(32),
}

export const NO_FACTS: FileFacts = { checkDir: true, dotenvNames: new Set() }

/** A config parsed from text, as the loader would produce, with the facts given. */
export function parsed(
  text: string,
  options: { candidate?: Partial<Candidate>; facts?: Partial<FileFacts> } = {},
): ParsedFile {
  const root = parseTree(text, [], { allowTrailingComma: true })
  if (!root) throw new TypeError('fixture does not parse')
  return {
    candidate: {
      path: '/project/.mcp.json',
      client: 'Claude Code',
      scope: 'project',
      ...options.candidate,
    },
    text,
    root,
    servers: findServers(root),
    facts: { ...NO_FACTS, ...options.facts },
  }
}

/** Runs one rule over a config object (or text). */
export function check(
  rule: Rule,
  config: unknown,
  options: Parameters<typeof parsed>[1] & {
    env?: Record<string, string>
    platform?: NodeJS.Platform
  } = {},
): Finding[] {
  const text = typeof config === 'string' ? config : JSON.stringify(config, null, 2)
  return runRules(
    parsed(text, options),
    { env: options.env ?? {}, platform: options.platform ?? 'linux' },
    [rule],
  )
}

/** `{ mcpServers: { s: server } }`. */
export function server(entry: Record<string, unknown>, name = 's'): unknown {
  return { mcpServers: { [name]: entry } }
}
