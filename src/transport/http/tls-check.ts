/**
 * The startup checks of the HTTPS certificate and key, as pure functions over PEM text and a
 * clock: parse the chain (server certificate first), parse the key, prove that the key belongs
 * to the certificate, and refuse a certificate outside its validity period. Every failure is a
 * TlsConfigError that names the key to change and the fix; no message ever quotes the key.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto'
import { ConfigError } from '../../config/index.js'

/** The configuration keys a TLS problem can concern. */
export type TlsConfigField =
  'server.tls_cert' | 'server.tls_key' | 'authentication.authorization_server.client_certificate_ca'

/**
 * A certificate or key that cannot serve HTTPS. A ConfigError, so the CLI reports it like any
 * other configuration problem (exit code 3): `<source>: <field>: <problem>. Fix: <fix>.`
 */
export class TlsConfigError extends ConfigError {
  readonly field: TlsConfigField

  constructor(field: TlsConfigField, problem: string, fix: string, source: string) {
    super([{ path: field, problem, fix }], source)
    this.field = field
  }
}

/** What the server presents, for logs and `doctor`. */
export interface TlsLeafInfo {
  /** Subject DN, RDNs joined by `, ` (e.g. `CN=mcp.example.com`). */
  readonly subject: string
  readonly issuer: string
  readonly validFrom: Date
  readonly validTo: Date
  /** SHA-256 fingerprint, colon-separated hex as OpenSSL prints it. */
  readonly fingerprint256: string
  /** As Node prints it (`DNS:localhost, IP Address:127.0.0.1`); undefined when absent. */
  readonly subjectAltName: string | undefined
}

const CERT_FIX = 'point server.tls_cert (MCP_TLS_CERT) at a readable PEM certificate chain file'
const PEM_CERT = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/g
const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/
const PEM_ENCRYPTED = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/
const DAY_MS = 24 * 60 * 60 * 1000

function oneLine(dn: string): string {
  return dn.split('\n').join(', ')
}

/** The fields of a parsed certificate that we report. */
export function describeCertificate(cert: X509Certificate): TlsLeafInfo {
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    validFrom: new Date(cert.validFrom),
    validTo: new Date(cert.validTo),
    fingerprint256: cert.fingerprint256,
    subjectAltName: cert.subjectAltName,
  }
}

/**
 * The certificates of a PEM chain file, in file order. Anything else in the file (a private
 * key pasted in by mistake) is left out of the returned PEM, so it is never served or echoed.
 */
export function parseCertificateChain(
  text: string,
  source: string,
): { pem: string; chain: X509Certificate[]; hasPrivateKey: boolean } {
  const blocks = text.match(PEM_CERT) ?? []
  if (blocks.length === 0) {
    throw new TlsConfigError(
      'server.tls_cert',
      'the file does not hold a PEM certificate (no -----BEGIN CERTIFICATE----- block)',
      `${CERT_FIX}, the server certificate first, then its intermediates`,
      source,
    )
  }
  const chain = blocks.map((block, index) => {
    try {
      return new X509Certificate(block)
    } catch {
      throw new TlsConfigError(
        'server.tls_cert',
        `certificate ${index + 1} of the file is not a valid X.509 certificate`,
        `${CERT_FIX}; re-export it from your certificate authority`,
        source,
      )
    }
  })
  return { pem: `${blocks.join('\n')}\n`, chain, hasPrivateKey: PEM_KEY.test(text) }
}

/** Parses the key PEM; the error never carries OpenSSL's message or the text. */
export function parsePrivateKey(pem: string, source: string): KeyObject {
  try {
    return createPrivateKey(pem)
  } catch (error) {
    // The code differs across Node and OpenSSL versions; the PEM header does not.
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ERR_MISSING_PASSPHRASE' || PEM_ENCRYPTED.test(pem)) {
      throw new TlsConfigError(
        'server.tls_key',
        'server.tls_key holds an encrypted private key, and the server has no passphrase for it',
        'store it unencrypted in a file only the server user can read (openssl pkey -in enc.pem -out key.pem; chmod 600 key.pem)',
        source,
      )
    }
    throw new TlsConfigError(
      'server.tls_key',
      'server.tls_key does not hold a PEM private key',
      'point server.tls_key (MCP_TLS_KEY) at the PEM private key (-----BEGIN PRIVATE KEY-----) of the certificate',
      source,
    )
  }
}

/** Throws unless `key` is the private key of the first certificate of the chain. */
export function checkKeyMatches(chain: readonly X509Certificate[], key: KeyObject, source: string) {
  const [leaf, ...rest] = chain
  if (leaf === undefined || leaf.checkPrivateKey(key)) return
  const subject = oneLine(leaf.subject)
  if (rest.some((cert) => cert.checkPrivateKey(key))) {
    throw new TlsConfigError(
      'server.tls_cert',
      `the private key in server.tls_key belongs to a later certificate of server.tls_cert, not to the first one (subject ${subject})`,
      'put the server certificate first in the file, then its intermediates',
      source,
    )
  }
  throw new TlsConfigError(
    'server.tls_key',
    `the private key in server.tls_key does not belong to the certificate in server.tls_cert (subject ${subject})`,
    'set server.tls_key to the key the certificate was issued for, or server.tls_cert to the certificate of this key',
    source,
  )
}

/**
 * Refuses a server certificate that is expired or not yet valid at `now`; returns a warning
 * when it expires within `warnDays` days.
 */
export function checkValidity(
  leaf: TlsLeafInfo,
  now: Date,
  warnDays: number,
  source: string,
): string[] {
  const { subject, validFrom, validTo } = leaf
  if (Number.isNaN(validFrom.getTime()) || Number.isNaN(validTo.getTime())) {
    throw new TlsConfigError(
      'server.tls_cert',
      `the certificate (subject ${subject}) has validity dates Node cannot read`,
      `${CERT_FIX}; re-issue the certificate`,
      source,
    )
  }
  if (validTo.getTime() <= now.getTime()) {
    throw new TlsConfigError(
      'server.tls_cert',
      `the certificate (subject ${subject}) expired on ${validTo.toISOString()}`,
      'renew it, then restart the server or send it SIGHUP',
      source,
    )
  }
  if (validFrom.getTime() > now.getTime()) {
    throw new TlsConfigError(
      'server.tls_cert',
      `the certificate (subject ${subject}) is not valid before ${validFrom.toISOString()}`,
      'check the system clock, or use a certificate that is valid now',
      source,
    )
  }
  const daysLeft = (validTo.getTime() - now.getTime()) / DAY_MS
  if (daysLeft > warnDays) return []
  const days = Math.floor(daysLeft)
  const left = days === 0 ? 'less than a day' : days === 1 ? '1 day' : `${days} days`
  return [
    `${source}: server.tls_cert: the certificate (subject ${subject}) expires on ${validTo.toISOString()}, in ${left}. Renew it and send the server SIGHUP.`,
  ]
}

const CA_FIELD = 'authentication.authorization_server.client_certificate_ca'
const CA_FIX = `point ${CA_FIELD} at a PEM file of the CA certificate(s) that issue the client certificates`

/**
 * The CA bundle that `tls_client_auth` client certificates must chain to: PEM certificates,
 * each a CA (basicConstraints CA:TRUE). A CA outside its validity period gives a warning (the
 * handshake then refuses every certificate under it).
 */
export function parseClientCaBundle(
  text: string,
  source: string,
  now: Date,
): { pem: string; warnings: string[] } {
  const blocks = text.match(PEM_CERT) ?? []
  if (blocks.length === 0) {
    throw new TlsConfigError(
      CA_FIELD,
      'the file does not hold a PEM certificate (no -----BEGIN CERTIFICATE----- block)',
      CA_FIX,
      source,
    )
  }
  const warnings: string[] = []
  blocks.forEach((block, index) => {
    let cert: X509Certificate
    try {
      cert = new X509Certificate(block)
    } catch {
      throw new TlsConfigError(
        CA_FIELD,
        `certificate ${index + 1} of the file is not a valid X.509 certificate`,
        CA_FIX,
        source,
      )
    }
    const subject = oneLine(cert.subject)
    if (!cert.ca) {
      throw new TlsConfigError(
        CA_FIELD,
        `certificate ${index + 1} of the file (subject ${subject}) is not a CA certificate (no basicConstraints CA:TRUE)`,
        `${CA_FIX}, not the client certificates themselves`,
        source,
      )
    }
    const validTo = new Date(cert.validTo)
    if (validTo.getTime() <= now.getTime() || new Date(cert.validFrom).getTime() > now.getTime()) {
      warnings.push(
        `${source}: ${CA_FIELD}: the CA certificate (subject ${subject}) is not valid now (valid to ${validTo.toISOString()}); no client certificate under it will be accepted.`,
      )
    }
  })
  return { pem: `${blocks.join('\n')}\n`, warnings }
}
