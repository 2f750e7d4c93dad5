/**
 * The building blocks of the configuration schema: the enumerations, and the field kinds with
 * rules of their own (secret references, the connection string, https URLs).
 */
import { z } from 'zod'
import {
  httpsUrlProblem,
  isPasswordlessPostgresUrl,
  isPasswordlessRedisUrl,
  isSecretRef,
  SECRET_REF_FIX,
  secretRefProblem,
} from './refs.js'
import type { PostgresUrl, SecretRef } from './refs.js'

export const MODES = ['local', 'http'] as const
export const TRANSPORTS = ['stdio', 'streamable-http'] as const
export const DATABASE_TYPES = ['sqlite', 'postgresql'] as const
export const CLIENT_AUTH_METHODS = [
  'none',
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'tls_client_auth',
] as const
export const AUTH_PROVIDERS = ['builtin', 'external'] as const
export const TOKEN_VERIFICATIONS = ['jwt', 'introspection'] as const
/**
 * Asymmetric JWS algorithms only (TOK-3): `none` and HMAC are not in the enumeration. Config
 * imports nothing from src, so this copies `auth/protocol`'s list; a test keeps them equal.
 */
export const JWS_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
] as const
export const EMBEDDING_PROVIDERS = ['builtin', 'openai'] as const
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** The default SQLite file; `~` is expanded against the loader's HOME. */
export const DEFAULT_DATABASE_PATH = '~/.config/mcp-pa/database.sqlite'

/** A secret field: a reference (`env:`, `file:`, `gcp-sm://`), never a value. */
export const secretRef = () =>
  z
    .string()
    .refine(isSecretRef, {
      error: (iss) => secretRefProblem(iss.input),
      params: { fix: SECRET_REF_FIX },
    })
    .meta({ secret: true })

/** A secret reference, or a `postgres://` URL without a password. */
export const connectionString = () =>
  z
    .string()
    .refine((v): v is SecretRef | PostgresUrl => isSecretRef(v) || isPasswordlessPostgresUrl(v), {
      error: (iss) => secretRefProblem(iss.input),
      params: {
        fix: `${SECRET_REF_FIX}; a postgres:// URL without a password may be written as is, or set MCP_DATABASE_URL`,
      },
    })
    .meta({ secret: true, expected: 'a secret reference or a postgres:// URL without a password' })

/** A secret reference, or a `redis://`/`rediss://` URL without a password. */
export const redisUrl = () =>
  z
    .string()
    .refine((v) => isSecretRef(v) || isPasswordlessRedisUrl(v), {
      error: (iss) => secretRefProblem(iss.input),
      params: {
        fix: `${SECRET_REF_FIX}; a redis:// URL without a password may be written as is, or set MCP_REDIS_URL`,
      },
    })
    .meta({ secret: true, expected: 'a secret reference or a redis:// URL without a password' })

/** An https URL; with `allowLoopbackHttp`, http for loopback hosts too. */
export const httpsUrl = (allowLoopbackHttp: boolean) =>
  z
    .string()
    .superRefine((value, ctx) => {
      const problem = httpsUrlProblem(value, allowLoopbackHttp)
      if (problem)
        ctx.addIssue({ code: 'custom', message: problem, params: { fix: 'give an https URL' } })
    })
    .meta({ expected: allowLoopbackHttp ? 'an https URL (http only on loopback)' : 'an https URL' })
