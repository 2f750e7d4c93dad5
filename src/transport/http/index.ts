/** HTTP mode: the Hono app, the listener, TLS, rate limits and metrics. */
export { createHttpApp } from './app.js'
export type { HttpApp } from './app.js'
export { startHttpServer } from './server.js'
export { resourceUri } from './resource-uri.js'
export type { ResourceUriInput } from './resource-uri.js'
export type { HttpServerOptions, RunningHttpServer } from './server.js'
export type {
  BuiltinMount,
  HttpAppOptions,
  HttpAuthOptions,
  HttpMetrics,
  RateDecision,
  RateLimiting,
} from './options.js'
export { createRateLimiters, rateLimitHeaders } from './rate-limit.js'
export { createMetrics } from './metrics.js'
export { loadTlsMaterial, TlsConfigError } from './tls.js'
export type { TlsMaterial } from './tls.js'
