import { TLSSocket } from 'node:tls'

/**
 * The DER of the client certificate presented in the TLS handshake of `socket`, or undefined
 * (plain HTTP, or no certificate). Chain validation is not required here: the handshake proved
 * possession of the certificate's key, which is what a certificate-bound token asks of the
 * resource (RFC 8705 §3); the authorization server validated the chain when it bound the token.
 */
export function presentedClientCertificate(socket: unknown): Uint8Array | undefined {
  if (!(socket instanceof TLSSocket)) return undefined
  const raw = socket.getPeerX509Certificate()?.raw
  return raw === undefined || raw.length === 0 ? undefined : raw
}
