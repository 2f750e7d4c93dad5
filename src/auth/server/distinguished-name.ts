/**
 * `tls_client_auth_subject_dn` (RFC 8705 §2.1.2): the registered RFC 4514 string, parsed, and
 * the match against the subject of a presented certificate (PKI method, §2.1.1). Security
 * critical, so deliberately strict: every RDN in order (RFC 4514 writes the most specific first,
 * the reverse of the encoding), the same attributes in each (a multi-valued RDN in any order),
 * attribute names case-insensitive, values equal exactly as decoded from the certificate
 * (no case folding or space folding: a DN that differs only in case does not match). Whatever
 * fails to parse never matches.
 */
import { certificateSubject, type NameAttribute, type Rdns } from './certificate-subject.js'

/** One attribute of a registered DN: a string, or RFC 4514 `#hex` (the value's DER encoding). */
export type ExpectedAttribute =
  | { readonly oid: string; readonly value: string }
  | { readonly oid: string; readonly der: Uint8Array }

/** Attribute type names of RFC 4514 §3 and those OpenSSL prints (`-nameopt RFC2253`). */
const ATTRIBUTE_TYPES: Readonly<Record<string, string>> = {
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  SURNAME: '2.5.4.4',
  SERIALNUMBER: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  STREET: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  TITLE: '2.5.4.12',
  GN: '2.5.4.42',
  GIVENNAME: '2.5.4.42',
  ORGANIZATIONIDENTIFIER: '2.5.4.97',
  DC: '0.9.2342.19200300.100.1.25',
  UID: '0.9.2342.19200300.100.1.1',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
}

const MAX_RDNS = 64
const DESCR = /^[A-Za-z][A-Za-z0-9-]*/
const NUMERIC_OID = /^(?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*))+/
/** Characters that may follow a backslash as themselves (RFC 4514 §2.4 `escaped` and `special`). */
const ESCAPABLE = new Set([' ', '"', '#', '+', ',', ';', '<', '=', '>', '\\'])
/** Characters not allowed unescaped in a value. */
const MUST_ESCAPE = new Set(['"', ';', '<', '>', '\\'])
const HEX_PAIR = /^[0-9A-Fa-f]{2}/
const utf8 = new TextDecoder('utf-8', { fatal: true })
const encoder = new TextEncoder()

class Cursor {
  index = 0
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
  get done(): boolean {
    return this.index >= this.text.length
  }
  peek(): string {
    return this.text[this.index] ?? ''
  }
  skipSpaces(): void {
    while (this.peek() === ' ') this.index += 1
  }
  take(pattern: RegExp): string | undefined {
    const match = pattern.exec(this.text.slice(this.index))
    if (match === null) return undefined
    this.index += match[0].length
    return match[0]
  }
}

function attributeType(cursor: Cursor): string | undefined {
  const numeric = cursor.take(NUMERIC_OID)
  if (numeric !== undefined) return numeric
  const name = cursor.take(DESCR)
  return name === undefined ? undefined : ATTRIBUTE_TYPES[name.toUpperCase()]
}

/** `#` 1*hexpair: the BER (here DER) encoding of the value. */
function hexValue(cursor: Cursor): Uint8Array | undefined {
  cursor.index += 1
  const hex = cursor.take(/^(?:[0-9A-Fa-f]{2})+/)
  return hex === undefined ? undefined : Uint8Array.from(Buffer.from(hex, 'hex'))
}

/** An RFC 4514 `string` value up to the next unescaped `,` or `+`. */
function stringValue(cursor: Cursor): string | undefined {
  const bytes: number[] = []
  let trailingSpaces = 0
  while (!cursor.done) {
    const c = cursor.peek()
    if (c === ',' || c === '+') break
    if (c === '\\') {
      const next = cursor.text[cursor.index + 1] ?? ''
      cursor.index += 1
      const pair = cursor.take(HEX_PAIR)
      if (pair !== undefined) bytes.push(Number.parseInt(pair, 16))
      else if (ESCAPABLE.has(next)) {
        bytes.push(next.charCodeAt(0))
        cursor.index += 1
      } else return undefined
      trailingSpaces = 0
      continue
    }
    const point = cursor.text.codePointAt(cursor.index) ?? 0
    if (MUST_ESCAPE.has(c) || point < 0x20 || point === 0x7f) return undefined
    const char = String.fromCodePoint(point)
    bytes.push(...encoder.encode(char))
    cursor.index += char.length
    trailingSpaces = c === ' ' ? trailingSpaces + 1 : 0
  }
  // RFC 4514 escapes significant trailing spaces; unescaped ones (before ", ") are layout.
  bytes.length -= trailingSpaces
  try {
    return utf8.decode(Uint8Array.from(bytes))
  } catch {
    return undefined
  }
}

/**
 * Parses an RFC 4514 distinguished name into RDNs in encoding order (the string's last RDN
 * first). Spaces around `,`, `+` and `=` are allowed (`CN=app, O=Example`). Undefined when the
 * text is not a DN this server can match: empty, an unknown attribute name, a bad escape, an
 * unescaped `"` `;` `<` `>` `\` or control character, or more than 64 RDNs.
 */
export function parseDistinguishedName(text: string): ExpectedAttribute[][] | undefined {
  const cursor = new Cursor(text)
  const rdns: ExpectedAttribute[][] = []
  let rdn: ExpectedAttribute[] = []
  for (;;) {
    cursor.skipSpaces()
    const oid = attributeType(cursor)
    if (oid === undefined) return undefined
    cursor.skipSpaces()
    if (cursor.peek() !== '=') return undefined
    cursor.index += 1
    cursor.skipSpaces()
    if (cursor.peek() === '#') {
      const der = hexValue(cursor)
      if (der === undefined) return undefined
      cursor.skipSpaces()
      rdn.push({ oid, der })
    } else {
      const value = stringValue(cursor)
      if (value === undefined) return undefined
      rdn.push({ oid, value })
    }
    if (cursor.done) break
    const separator = cursor.peek()
    cursor.index += 1
    if (separator === ',') {
      rdns.push(rdn)
      rdn = []
      if (rdns.length >= MAX_RDNS) return undefined
    } else if (separator !== '+') return undefined
  }
  rdns.push(rdn)
  return rdns.reverse()
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}

function attributeMatches(expected: ExpectedAttribute, actual: NameAttribute): boolean {
  if (expected.oid !== actual.oid) return false
  if ('der' in expected) return bytesEqual(expected.der, actual.der)
  return actual.text !== undefined && actual.text === expected.value
}

/** Every attribute pairs with exactly one on the other side (a set, in any order). */
function rdnMatches(expected: readonly ExpectedAttribute[], actual: readonly NameAttribute[]) {
  if (expected.length !== actual.length) return false
  const used = new Set<number>()
  return actual.every((attribute) => {
    const index = expected.findIndex((e, i) => !used.has(i) && attributeMatches(e, attribute))
    if (index === -1) return false
    used.add(index)
    return true
  })
}

/** Whether a subject (encoding order) is the registered DN. */
export function namesMatch(expected: readonly ExpectedAttribute[][], actual: Rdns): boolean {
  if (expected.length === 0 || expected.length !== actual.length) return false
  return expected.every((rdn, i) => rdnMatches(rdn, actual[i] ?? []))
}

/**
 * Whether the certificate (DER) has exactly the registered subject DN (RFC 4514 text). False
 * when either does not parse: a DN or certificate this server cannot read never authenticates.
 */
export function subjectDnMatches(registered: string, certificateDer: Uint8Array): boolean {
  const expected = parseDistinguishedName(registered)
  const actual = certificateSubject(certificateDer)
  return expected !== undefined && actual !== undefined && namesMatch(expected, actual)
}
