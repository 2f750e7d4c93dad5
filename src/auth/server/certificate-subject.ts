/**
 * The subject of an X.509 certificate read from its DER encoding (RFC 5280 §4.1): the sequence
 * of RDNs, each a set of (attribute OID, value). Read from the bytes rather than from Node's
 * `X509Certificate.subject`, a text rendering whose order, escaping and joining of multi-valued
 * RDNs are OpenSSL print options, not something to match a registered DN against (RFC 8705
 * §2.1.2). Anything this reader does not understand makes it return undefined: no match.
 */

/** One attribute of an RDN: its OID in dotted form and its value. */
export interface NameAttribute {
  readonly oid: string
  /**
   * The decoded string for the DirectoryString types (UTF8String, PrintableString, IA5String,
   * TeletexString as Latin-1, BMPString); undefined for any other type.
   */
  readonly text: string | undefined
  /** The whole DER encoding of the value (tag, length, contents), for RFC 4514 `#hex` values. */
  readonly der: Uint8Array
}

/** A distinguished name in encoding order (most general first, as in the certificate). */
export type Rdns = readonly (readonly NameAttribute[])[]

interface Tlv {
  tag: number
  /** Offset of the tag byte. */
  offset: number
  /** Offset of the first content byte. */
  start: number
  /** Offset just past the content. */
  end: number
}

const SEQUENCE = 0x30
const SET = 0x31
const OID = 0x06
/** `[0] EXPLICIT Version` of TBSCertificate. */
const VERSION = 0xa0
/** DER lengths over 16 MiB are not certificates. */
const MAX_LENGTH_BYTES = 3

/** One DER element at `offset`, inside `[offset, limit)`; undefined when malformed. */
function element(der: Uint8Array, offset: number, limit: number): Tlv | undefined {
  if (offset + 2 > limit) return undefined
  const tag = der[offset]!
  if ((tag & 0x1f) === 0x1f) return undefined
  const first = der[offset + 1]!
  let length = first
  let start = offset + 2
  if (first & 0x80) {
    const count = first & 0x7f
    // 0x80 is BER's indefinite length, never DER; a long form must not fit the short one.
    if (count === 0 || count > MAX_LENGTH_BYTES || start + count > limit) return undefined
    length = 0
    for (let i = 0; i < count; i += 1) length = length * 256 + der[start + i]!
    if (length < 0x80 || der[start] === 0) return undefined
    start += count
  }
  const end = start + length
  return end > limit ? undefined : { tag, offset, start, end }
}

/** The elements inside a constructed element, in order; undefined when one is malformed. */
function children(der: Uint8Array, parent: Tlv): Tlv[] | undefined {
  const out: Tlv[] = []
  let offset = parent.start
  while (offset < parent.end) {
    const child = element(der, offset, parent.end)
    if (child === undefined) return undefined
    out.push(child)
    offset = child.end
  }
  return out
}

/** Dotted form of an OBJECT IDENTIFIER's contents (X.690 §8.19). */
function oidText(bytes: Uint8Array): string | undefined {
  const arcs: number[] = []
  let value = 0
  let pending = false
  for (const byte of bytes) {
    if (!pending && byte === 0x80) return undefined
    value = value * 128 + (byte & 0x7f)
    if (value > Number.MAX_SAFE_INTEGER / 128) return undefined
    pending = (byte & 0x80) !== 0
    if (!pending) {
      arcs.push(value)
      value = 0
    }
  }
  if (pending || arcs.length === 0) return undefined
  const head = arcs[0]!
  const first = head < 40 ? 0 : head < 80 ? 1 : 2
  return [first, head - first * 40, ...arcs.slice(1)].join('.')
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** The string of a DirectoryString value (RFC 5280 §4.1.2.4), or undefined. */
function directoryString(tag: number, bytes: Uint8Array): string | undefined {
  try {
    switch (tag) {
      case 0x0c: // UTF8String
        return utf8.decode(bytes)
      case 0x13: // PrintableString
      case 0x16: // IA5String
        return bytes.every((b) => b < 0x80) ? String.fromCharCode(...bytes) : undefined
      case 0x14: // TeletexString, in practice Latin-1
        return String.fromCharCode(...bytes)
      case 0x1e: {
        // BMPString: UTF-16BE
        if (bytes.length % 2 !== 0) return undefined
        const swapped = Uint8Array.from(bytes, (_b, i) => bytes[i ^ 1]!)
        return new TextDecoder('utf-16le', { fatal: true }).decode(swapped)
      }
      default:
        return undefined
    }
  } catch {
    return undefined
  }
}

/** The RDNs of a DER `Name`, or undefined when it is not one. */
function parseName(der: Uint8Array, name: Tlv): Rdns | undefined {
  if (name.tag !== SEQUENCE) return undefined
  const sets = children(der, name)
  if (sets === undefined) return undefined
  const rdns: NameAttribute[][] = []
  for (const set of sets) {
    if (set.tag !== SET) return undefined
    const pairs = children(der, set)
    if (pairs === undefined || pairs.length === 0) return undefined
    const rdn: NameAttribute[] = []
    for (const pair of pairs) {
      const parts = pair.tag === SEQUENCE ? children(der, pair) : undefined
      if (parts?.length !== 2) return undefined
      const [type, value] = parts as [Tlv, Tlv]
      if (type.tag !== OID) return undefined
      const oid = oidText(der.subarray(type.start, type.end))
      if (oid === undefined) return undefined
      rdn.push({
        oid,
        text: directoryString(value.tag, der.subarray(value.start, value.end)),
        der: der.subarray(value.offset, value.end),
      })
    }
    rdns.push(rdn)
  }
  return rdns
}

/**
 * The subject of a DER certificate, in encoding order; undefined when the bytes are not an
 * X.509 certificate this reader understands (the caller then refuses the match).
 */
export function certificateSubject(der: Uint8Array): Rdns | undefined {
  const certificate = element(der, 0, der.length)
  if (certificate?.tag !== SEQUENCE || certificate.end !== der.length) return undefined
  const tbs = children(der, certificate)?.[0]
  if (tbs?.tag !== SEQUENCE) return undefined
  const fields = children(der, tbs)
  if (fields === undefined) return undefined
  // version?, serialNumber, signature, issuer, validity, subject
  const offset = fields[0]?.tag === VERSION ? 1 : 0
  const subject = fields[offset + 4]
  return subject === undefined ? undefined : parseName(der, subject)
}
