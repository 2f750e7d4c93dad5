/**
 * HTTPS from `server.tls_cert` / `server.tls_key` (MCP_TLS_CERT / MCP_TLS_KEY): load and check
 * the certificate chain and key (and the client CA bundle of tls_client_auth, when configured)
 * at startup and on every reload. This file is the face of the
 * TLS feature: the checks are in tls-check.ts, the server options in tls-options.ts, the
 * SIGHUP reload in tls-reload.ts.
 */
import { readFile } from 'node:fs/promises'
import { createSecureContext } from 'node:tls'
import { Secret } from '../../config/index.js'
import {
  checkKeyMatches,
  checkValidity,
  describeCertificate,
  parseCertificateChain,
  parseClientCaBundle,
  parsePrivateKey,
  TlsConfigError,
  type TlsConfigField,
  type TlsLeafInfo,
} from './tls-check.js'
import { createTlsServerOptions, type TlsMaterial } from './tls-options.js'

export { TlsConfigError } from './tls-check.js'
export type { TlsConfigField, TlsLeafInfo } from './tls-check.js'
export {
  createTlsServerOptions,
  hstsHeaderValue,
  TLS_CIPHERS,
  TLS12_CIPHERS,
  TLS13_CIPHERSUITES,
} from './tls-options.js'
export type { TlsMaterial, TlsServerOptions } from './tls-options.js'
export { watchTlsReload } from './tls-reload.js'
export type { SignalSource, WatchTlsReloadOptions } from './tls-reload.js'

/** Days before expiry from which loading the certificate gives a warning. */
export const DEFAULT_EXPIRY_WARNING_DAYS = 14

export interface LoadTlsMaterialOptions {
  /** `server.tls_cert`: the PEM chain file, server certificate first. */
  readonly certPath: string
  /** Gives the PEM private key, e.g. `() => resolveSecret(config.server.tls_key, …)`. */
  readonly key: () => Promise<string | Secret> | string | Secret
  /** Where the key came from, for messages: its secret reference (default `TLS key`). */
  readonly keySource?: string
  /** The clock (default: now). */
  readonly now?: Date
  /** Warn when the certificate expires within this many days (default 14). */
  readonly expiryWarningDays?: number
  /**
   * `authentication.authorization_server.client_certificate_ca`: the PEM CA bundle client
   * certificates must chain to (tls_client_auth); the listener then asks for client certificates.
   */
  readonly clientCaPath?: string | undefined
}

/**
 * Reads the certificate chain and the key, and checks that they can serve HTTPS now: the key
 * parses and belongs to the first certificate, the certificate is within its validity period,
 * and OpenSSL accepts both under the server's settings. Throws a TlsConfigError that says what
 * to fix; a certificate that expires soon gives a warning instead. Errors from the key loader
 * (a ConfigError from `resolveSecret`) are passed through.
 */
export async function loadTlsMaterial(options: LoadTlsMaterialOptions): Promise<TlsMaterial> {
  const { certPath } = options
  const text = await readPemFile(certPath, 'server.tls_cert')
  const { pem, chain, hasPrivateKey } = parseCertificateChain(text, certPath)
  const loaded = await options.key()
  const key = loaded instanceof Secret ? loaded : new Secret(loaded)
  const keyObject = parsePrivateKey(key.reveal(), options.keySource ?? 'TLS key')
  checkKeyMatches(chain, keyObject, certPath)
  // parseCertificateChain returns at least one certificate.
  const leaf = describeCertificate(chain[0]!)
  const now = options.now ?? new Date()
  const warningDays = options.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS
  const warnings = [
    ...checkValidity(leaf, now, warningDays, certPath),
    ...fileWarnings(certPath, leaf, hasPrivateKey),
  ]
  const clientCa =
    options.clientCaPath === undefined
      ? undefined
      : parseClientCaBundle(
          await readPemFile(
            options.clientCaPath,
            'authentication.authorization_server.client_certificate_ca',
          ),
          options.clientCaPath,
          now,
        )
  const material: TlsMaterial = {
    cert: pem,
    key,
    leaf,
    warnings: [...warnings, ...(clientCa?.warnings ?? [])],
    ...(clientCa === undefined ? {} : { clientCa: clientCa.pem }),
  }
  checkSecureContext(material, certPath)
  return material
}

function fileWarnings(certPath: string, leaf: TlsLeafInfo, hasPrivateKey: boolean): string[] {
  const warnings: string[] = []
  if (hasPrivateKey) {
    warnings.push(
      `${certPath}: server.tls_cert: the file also holds a private key, which the server ignores. Keep the key only in server.tls_key, in a file only the server user can read.`,
    )
  }
  if (leaf.subjectAltName === undefined) {
    warnings.push(
      `${certPath}: server.tls_cert: the certificate (subject ${leaf.subject}) has no subjectAltName, and clients ignore the CN. Re-issue it with the server's host names in subjectAltName.`,
    )
  }
  return warnings
}

async function readPemFile(path: string, field: TlsConfigField): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    const problem = code === 'ENOENT' ? 'file not found (ENOENT)' : `cannot read the file (${code})`
    throw new TlsConfigError(
      field,
      problem,
      field === 'server.tls_cert'
        ? 'point server.tls_cert (MCP_TLS_CERT) at a PEM certificate chain file the server user can read'
        : `point ${field} at a PEM file of CA certificates the server user can read`,
      path,
    )
  }
}

/** What OpenSSL refuses only when the context is built (a key too small for SECLEVEL 2 …). */
function checkSecureContext(material: TlsMaterial, source: string): void {
  try {
    createSecureContext(createTlsServerOptions(material))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    if (code === 'ERR_SSL_EE_KEY_TOO_SMALL' || code === 'ERR_SSL_CA_MD_TOO_WEAK') {
      throw new TlsConfigError(
        'server.tls_cert',
        `OpenSSL refuses the certificate or its key as too weak (${code})`,
        'use an EC P-256 key, or RSA of at least 2048 bits, signed with SHA-256 or better',
        source,
      )
    }
    throw new TlsConfigError(
      'server.tls_cert',
      `OpenSSL cannot build a TLS context from server.tls_cert and server.tls_key (${code})`,
      'check that both files are the PEM certificate chain and key of this server',
      source,
    )
  }
}
