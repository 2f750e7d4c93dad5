/**
 * The node:https / node:tls settings of the HTTPS listener: TLS 1.2 minimum, ECDHE + AEAD
 * suites only, the server's suite order, and the HSTS header value sent over HTTPS.
 */
import type { Secret } from '../../config/index.js'
import type { TlsLeafInfo } from './tls-check.js'

/**
 * `Strict-Transport-Security` on every HTTPS response: two years, subdomains included. No
 * `preload`: it asks browsers to hard-code HTTPS for the whole registrable domain and every
 * subdomain, is slow to undo (removal from the preload lists takes months), and is a decision
 * for whoever owns the domain, not for one service on it. Operators who want it add it at
 * their proxy. Never sent over plain HTTP, where browsers ignore it (RFC 6797 §7.2).
 */
export const hstsHeaderValue = 'max-age=63072000; includeSubDomains'

/** TLS 1.2 suites: forward secrecy (ECDHE) and AEAD only, ECDSA before RSA, AES-GCM first. */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const

/**
 * TLS 1.3 suites. They must be listed: Node passes the `TLS_*` entries of `ciphers` to OpenSSL
 * as the TLS 1.3 list, and an empty list turns TLS 1.3 off.
 */
export const TLS13_CIPHERSUITES = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
] as const

/**
 * The `ciphers` option. `@SECLEVEL=2` makes OpenSSL refuse RSA keys under 2048 bits, EC keys
 * under 224 bits and SHA-1 signatures when the context is built, so at startup.
 */
export const TLS_CIPHERS = [...TLS13_CIPHERSUITES, ...TLS12_CIPHERS, '@SECLEVEL=2'].join(':')

/** A checked certificate chain and its private key, ready for `createTlsServerOptions`. */
export interface TlsMaterial {
  /** The PEM chain as served: the certificates of the file, server certificate first. */
  readonly cert: string
  /** The PEM private key; `reveal()` only where it is handed to node:tls. */
  readonly key: Secret
  /** The server certificate. */
  readonly leaf: TlsLeafInfo
  /** Problems that do not stop the server (expiry is near …), each a full sentence to log. */
  readonly warnings: readonly string[]
  /**
   * PEM CA bundle for `tls_client_auth` (RFC 8705): when present, the listener asks every
   * connection for a client certificate and validates it against these CAs, but does not insist
   * (`rejectUnauthorized: false`): an MCP client or a browser without one still connects, and
   * the authorization server decides from `socket.authorized`.
   */
  readonly clientCa?: string | undefined
}

/** The node:https / node:tls server options (and `setSecureContext` argument) for `material`. */
export function createTlsServerOptions(material: TlsMaterial): TlsServerOptions {
  return {
    cert: material.cert,
    key: material.key.reveal(),
    minVersion: 'TLSv1.2',
    ciphers: TLS_CIPHERS,
    honorCipherOrder: true,
    ...(material.clientCa === undefined
      ? {}
      : { ca: material.clientCa, requestCert: true, rejectUnauthorized: false }),
  }
}

/** Assignable to `https.ServerOptions` and `tls.SecureContextOptions`. */
export interface TlsServerOptions {
  readonly cert: string
  readonly key: string
  readonly minVersion: 'TLSv1.2'
  readonly ciphers: string
  readonly honorCipherOrder: true
  /** Client certificate CAs (with `requestCert`); `setSecureContext` swaps them on reload. */
  readonly ca?: string
  readonly requestCert?: true
  readonly rejectUnauthorized?: false
}
