import type { AuditSink, Logger } from '../../audit/index.js'
import type { TokenVerifier } from '../../auth/guard/index.js'
import type { BuiltinAuthorizationServer } from '../../auth/server/index.js'
import type { Embedder } from '../../search/index.js'
import type { Storage } from '../../storage/ports.js'

/** The rate limit buckets. */
export type RateBucket = 'mcp' | 'ip' | 'oauth' | 'registration'

/** Per-token and per-IP rate limit decisions (rate-limit.ts). */
export interface RateDecision {
  allowed: boolean
  limit: number
  remaining: number
  resetSeconds: number
  retryAfterSeconds?: number
}

export interface RateLimiting {
  consumeMcp(fingerprint: string): Promise<RateDecision>
  consumeIp(ip: string): Promise<RateDecision>
  /** The built-in authorization server's routes, per IP (absent: no limit there). */
  consumeOauth?(ip: string): Promise<RateDecision>
  /** Dynamic client registration, per IP (absent: no limit there). */
  consumeRegistration?(ip: string): Promise<RateDecision>
  /** The `RateLimit-*` headers (with `RateLimit-Policy`) of a decision from that bucket. */
  headers(decision: RateDecision, bucket: RateBucket): Record<string, string>
}

/** What the app records for Prometheus (metrics.ts). */
export interface HttpMetrics {
  observeRequest(route: string, method: string, status: number, seconds: number): void
  authFailure(reason: string): void
  rateLimited(route: string): void
  contentType: string
  render(): Promise<string>
}

/** The OAuth side of the HTTP app; absent when authentication is off (loopback only). */
export interface HttpAuthOptions {
  verifier: TokenVerifier
  /** Issuer URLs published in the protected resource metadata. */
  authorizationServers: readonly string[]
  /** Scopes published in the metadata and in the 401 challenge. */
  scopesSupported: readonly string[]
  resourceName: string
  documentationUrl?: string
}

/** The built-in authorization server as the app mounts it. */
export interface BuiltinMount {
  server: BuiltinAuthorizationServer
  issuer: URL
  consentRememberDays: number
}

/** Everything the HTTP app needs, resolved from the configuration by the composition root. */
export interface HttpAppOptions {
  version: string
  /** The canonical URI of the MCP endpoint (the token audience by default). */
  resource: URL
  /** Whether the listener itself speaks TLS (HSTS, schemes). */
  tls: boolean
  trustProxy: boolean
  /** The listener is on a loopback address (loopback Host/Origin values are accepted). */
  loopback: boolean
  port: number
  allowedHosts: readonly string[]
  allowedOrigins: readonly string[]
  limits: { maxBodyBytes: number; maxBatch: number; requestTimeoutMs: number }
  auth: HttpAuthOptions | undefined
  /** The built-in authorization server, mounted under `/oauth/` with its pages (issue 4). */
  builtin?: BuiltinMount | undefined
  storage: Storage
  embedder?: Embedder | undefined
  audit: AuditSink
  logger: Logger
  rateLimits?: RateLimiting | undefined
  metrics?: HttpMetrics | undefined
}
