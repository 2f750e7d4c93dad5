import { createHash } from 'node:crypto'

/** SHA-256 prefix of a token: the only form in which a token may appear in a log. */
export function fingerprint(value: string): string {
  return `sha256:${createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 16)}`
}
