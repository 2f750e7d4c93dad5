/**
 * Recognises hardcoded credentials: well-known token formats, bearer tokens, JWTs, PEM private
 * keys, and high-entropy values under secret-looking names. References (`${VAR}`, `${env:VAR}`,
 * `env:NAME`, `file:/path`, `gcp-sm://…`) are never secrets.
 */
import { isSecretRef } from '../config/index.js'

/** Well-known formats; each is anchored on a word boundary and needs a realistic length. */
const KNOWN: { kind: string; pattern: RegExp }[] = [
  { kind: 'Stripe key', pattern: /\b[sr]k_(?:live|test)_[0-9A-Za-z]{16,}/ },
  { kind: 'Anthropic API key', pattern: /\bsk-ant-[\w-]{20,}/ },
  { kind: 'OpenAI API key', pattern: /\bsk-(?:proj-)?[\w-]{20,}/ },
  { kind: 'GitHub token', pattern: /\bgh[opsu]_[0-9A-Za-z]{30,}/ },
  { kind: 'GitHub fine-grained token', pattern: /\bgithub_pat_\w{30,}/ },
  { kind: 'Slack token', pattern: /\bxox[abprs]-[\w-]{10,}/ },
  { kind: 'AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { kind: 'Google API key', pattern: /\bAIza[\w-]{35}(?![\w-])/ },
  { kind: 'JSON Web Token', pattern: /\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}/ },
  // Assembled so that this source file does not itself contain a PEM header.
  { kind: 'private key', pattern: new RegExp('-----BEGIN (?:[A-Z]+ )*PRIVATE' + ' KEY-----') },
]

/** `Bearer <token>` or `Basic <credentials>` with a literal value. */
const AUTH_SCHEME = /\b(?:Bearer|Basic|Token)\s+([^\s$][^\s]{7,})/i

/** Names that suggest the value is secret. */
const SECRET_NAME =
  /token|secret|passw(?:or)?d|pwd|api[-_]?key|apikey|auth|credential|private[-_]?key|access[-_]?key|(?:^|[-_])key$|(?:^|[-_])pat$/i

/** `${VAR}` / `${env:VAR}` / `${input:x}` expansions. */
const EXPANSION = /\$\{[^}]*\}/g

export const ENTROPY_MIN_LENGTH = 16
export const ENTROPY_THRESHOLD = 3.5

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>()
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1)
  let bits = 0
  for (const count of counts.values()) {
    const p = count / value.length
    bits -= p * Math.log2(p)
  }
  return bits
}

export function looksSecretName(name: string | undefined): boolean {
  return name !== undefined && SECRET_NAME.test(name)
}

/** A detected secret: what it is, and the exact substring to move out of the file. */
export interface SecretMatch {
  kind: string
  secret: string
}

/**
 * Finds a hardcoded secret in `value`; `name` is the key (env var, header, flag) it sits under.
 * Returns the secret substring so a fix can replace just that part (`Bearer <token>`).
 */
export function detectSecret(value: string, name?: string): SecretMatch | undefined {
  if (isSecretRef(value)) return undefined
  const literal = value.replace(EXPANSION, ' ')
  for (const { kind, pattern } of KNOWN) {
    const match = pattern.exec(literal)
    if (match) return { kind, secret: kind === 'private key' ? value : match[0] }
  }
  const scheme = AUTH_SCHEME.exec(literal)
  if (scheme?.[1]) return { kind: 'credential in an Authorization value', secret: scheme[1] }
  if (!looksSecretName(name)) return undefined
  const candidate = literal.trim()
  if (candidate !== value.trim() || /\s/.test(candidate)) return undefined
  if (candidate.length < ENTROPY_MIN_LENGTH) return undefined
  if (/^(?:https?|wss?):\/\//i.test(candidate) || candidate.startsWith('/')) return undefined
  if (shannonEntropy(candidate) < ENTROPY_THRESHOLD) return undefined
  return { kind: `high-entropy value under "${name}"`, secret: candidate }
}
