import { randomToken } from '../../protocol/index.js'
import { TokenStoreError } from './errors.js'
import type { Keyring } from './keyring.js'

/**
 * Values longer than one keychain entry can hold. Windows Credential Manager caps a credential
 * blob at 2,560 bytes (1,280 UTF-16 units), and a JWT access token plus a refresh token can pass
 * that, so long values are split: the parts go to entries named after a fresh generation, and
 * the head entry (`chunks:<generation>:<count>`) is written last, so it commits the write.
 * Old parts are removed after the new head is in place; a reader that raced with that removal
 * reads the head again. Values are ASCII (see `asciiJson`), so a split never cuts a character.
 */

export const CHUNK_CHARS = 1000
const HEAD = /^chunks:([A-Za-z0-9_-]{16,64}):([1-9][0-9]{0,3})$/

function partName(account: string, generation: string, index: number): string {
  return `${account}~${generation}~${index}`
}

function parseHead(value: string | undefined): { generation: string; count: number } | undefined {
  const match = value === undefined ? null : HEAD.exec(value)
  return match ? { generation: match[1] ?? '', count: Number(match[2]) } : undefined
}

/** JSON with every non-ASCII character escaped, so it splits anywhere and survives any keychain. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** Reads a possibly chunked value; undefined when absent. */
export function readValue(keyring: Keyring, account: string): string | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    const head = keyring.get(account)
    const chunked = parseHead(head)
    if (chunked === undefined) return head
    const parts: string[] = []
    for (let i = 0; i < chunked.count; i++) {
      const part = keyring.get(partName(account, chunked.generation, i))
      if (part === undefined) break
      parts.push(part)
    }
    if (parts.length === chunked.count) return parts.join('')
  }
  throw new TokenStoreError(
    'corrupt',
    `the keychain entry ${account} is missing some of its parts; log in again to replace it`,
  )
}

function removeParts(keyring: Keyring, account: string, head: string | undefined): void {
  const chunked = parseHead(head)
  if (chunked === undefined) return
  for (let i = 0; i < chunked.count; i++) {
    keyring.delete(partName(account, chunked.generation, i))
  }
}

/** Writes `value` (ASCII) under `account`, split when it is long. */
export function writeValue(keyring: Keyring, account: string, value: string): void {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new TypeError('keychain values must be printable ASCII')
  const previous = keyring.get(account)
  if (value.length <= CHUNK_CHARS) {
    keyring.set(account, value)
  } else {
    const generation = randomToken(16)
    const count = Math.ceil(value.length / CHUNK_CHARS)
    for (let i = 0; i < count; i++) {
      const part = value.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS)
      keyring.set(partName(account, generation, i), part)
    }
    keyring.set(account, `chunks:${generation}:${count}`)
  }
  removeParts(keyring, account, previous)
}

/** Deletes a value and its parts; true when something was there. */
export function deleteValue(keyring: Keyring, account: string): boolean {
  const head = keyring.get(account)
  if (head === undefined) return false
  keyring.delete(account)
  removeParts(keyring, account, head)
  return true
}
