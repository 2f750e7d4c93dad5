import type { X509Certificate } from 'node:crypto'
import { TLSSocket } from 'node:tls'
import { subjectDnMatches } from './distinguished-name.js'

/**
 * The client certificate of a connection, only when its TLS handshake validated it against the
 * listener's client CA (`socket.authorized`): the listener asks for a certificate without
 * insisting (`rejectUnauthorized: false`), so a connection may carry none or one that does not
 * chain, and neither may authenticate a `tls_client_auth` client (RFC 8705 §2.1.1) nor bind a
 * token. Undefined on plain HTTP.
 */
export function verifiedClientCertificate(socket: unknown): X509Certificate | undefined {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined
  return socket.getPeerX509Certificate()
}

/** The part of the engine's context the mTLS hooks read: the raw Node request's socket. */
interface SocketContext {
  req: { socket: unknown }
}

/**
 * oidc-provider's `features.mTLS` hooks for `tls_client_auth` (PKI method) and certificate-bound
 * access tokens, over the raw socket (the edge's replayed request keeps it). Only the
 * `tls_client_auth_subject_dn` registration is matched; the SAN variants never authenticate.
 */
export function mtlsFeature(enabled: boolean): Record<string, unknown> {
  const certificate = (ctx: SocketContext) => verifiedClientCertificate(ctx.req.socket)
  return {
    enabled,
    tlsClientAuth: enabled,
    certificateBoundAccessTokens: enabled,
    selfSignedTlsClientAuth: false,
    getCertificate: certificate,
    certificateAuthorized: (ctx: SocketContext) => certificate(ctx) !== undefined,
    certificateSubjectMatches: (ctx: SocketContext, property: string, expected: unknown) => {
      const presented = certificate(ctx)
      if (property !== 'tls_client_auth_subject_dn' || typeof expected !== 'string') return false
      return presented !== undefined && subjectDnMatches(expected, presented.raw)
    },
  }
}
