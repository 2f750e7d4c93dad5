import { z } from 'zod'
import { secretRef } from './kinds.js'

/** `authentication.authorization_server`: the built-in authorization server's keys (issue 4). */
const DAY = 86_400

export const authorizationServer = z
  .strictObject({
    key_encryption_key: secretRef()
      .optional()
      .meta({
        defaultText:
          'SQLite: a key generated on first start into `oauth-kek` beside the database (0600); PostgreSQL: required',
      })
      .describe(
        'Secret reference to the 32-byte key (base64 or hex) that encrypts the signing keys at rest and derives the cookie keys. Every instance sharing a database needs the same one.',
      ),
    signing_alg: z
      .enum(['ES256', 'EdDSA'])
      .default('ES256')
      .describe('Algorithm of newly generated signing keys (access tokens are RFC 9068 JWTs).'),
    refresh_token_expiry: z
      .number()
      .int()
      .min(3600)
      .max(90 * DAY)
      .default(30 * DAY)
      .describe(
        'Refresh token lifetime in seconds (default 30 days, at most 90). Rotated on every use.',
      ),
    refresh_grace_period: z
      .number()
      .int()
      .min(0)
      .max(60)
      .default(10)
      .describe(
        'Seconds after a rotation in which a retry with the just-rotated refresh token gets the same new token pair instead of revoking the grant (0 = off).',
      ),
    code_expiry: z
      .number()
      .int()
      .min(10)
      .max(60)
      .default(60)
      .describe('Authorization code lifetime in seconds (single use, at most 60).'),
    session_idle_timeout: z
      .number()
      .int()
      .min(300)
      .max(30 * DAY)
      .default(DAY)
      .describe('A login session ends after this many seconds without use.'),
    consent_remember_days: z
      .number()
      .int()
      .min(0)
      .max(365)
      .default(90)
      .describe('How long a remembered consent lasts, in days (0 = ask every time).'),
    client_id_metadata_documents: z
      .boolean()
      .default(true)
      .describe(
        'Accept clients identified by an https URL to their metadata document (the MCP-preferred registration).',
      ),
    client_id_metadata_document_hosts: z
      .array(z.string().min(1).max(253))
      .default([])
      .meta({ defaultText: 'any public host' })
      .describe(
        'Only these hosts may identify clients by metadata document (exact host names, or `*.example.com`).',
      ),
    client_certificate_ca: z
      .string()
      .min(1)
      .optional()
      .meta({ expected: 'a file path' })
      .describe(
        'PEM file of the CA certificate(s) that `tls_client_auth` client certificates must chain to (RFC 8705 §2.1.1). Required with `tls_client_auth` in `authentication.client_auth_methods`, which needs the server’s own TLS listener (`server.tls_cert`); reloaded on SIGHUP with the certificate. A leading `~` is the home directory.',
      ),
    registration_initial_access_token: secretRef()
      .optional()
      .describe(
        'Secret reference to a token that dynamic registration requires as a bearer token; open registration when unset.',
      ),
    registrations_per_ip_per_hour: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(20)
      .describe('Dynamic registrations allowed per client IP per hour.'),
    registration_unused_expiry: z
      .number()
      .int()
      .min(3600)
      .max(365 * DAY)
      .default(7 * DAY)
      .describe(
        'A dynamically registered client that has not completed an authorization within this many seconds is removed.',
      ),
  })
  .prefault({})
  .describe('The built-in authorization server (`provider` `builtin`).')
