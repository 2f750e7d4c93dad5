import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'
import type { ArtifactStore } from '../../storage/ports.js'

/**
 * The refresh grace window (issue 4, DESIGN §5). A refresh token is rotated on every use, and
 * using a rotated one again revokes the whole grant (OAuth 2.1 §4.3.1, reuse detection). A client
 * that sends the same refresh request twice — a retry after a lost response, or two tabs racing —
 * would then lose its grant through no fault of its own. Within a short window after the rotation
 * a repeat of the request gets the *same* new token pair instead:
 *
 * - the winning request stores its token response under the SHA-256 of the old refresh token,
 *   encrypted (AES-256-GCM) under a key derived from the old refresh token itself, so only a
 *   holder of that token can read it, and the database never holds a usable token;
 * - a request that finds the token consumed within the window, or loses the race to consume it,
 *   waits for that answer (it may still be being written) and returns it;
 * - after the window, reuse is reuse: the engine revokes the grant.
 *
 * The entry is grant-bound: revoking the grant deletes it. It lives in the shared database, so a
 * retry landing on another instance behaves the same.
 */
export const GRACE_MODEL = 'RefreshGrace'

/** What the engine's storage adapter records while one token request runs. */
export interface GraceState {
  /** The refresh token was already consumed within the window: answer from the stored response. */
  raced: boolean
  /** A consumed refresh token was presented after the window (the engine revokes the grant). */
  reuse: boolean
  /** A consumed authorization code was presented (the engine revokes what it issued). */
  codeReplay: boolean
}

const STATE = Symbol('mcp-pa refresh grace state')

/**
 * Runs one token request with a fresh state the adapter hooks can mark, kept on `request`: the
 * engine's context of the request, which its own AsyncLocalStorage hands back to the adapter
 * (`Provider.ctx`). A second AsyncLocalStorage of ours cost every token request more than the
 * rest of this bookkeeping.
 */
export function withGraceState<T>(
  request: object,
  work: (state: GraceState) => Promise<T>,
): Promise<T> {
  const state: GraceState = { raced: false, reuse: false, codeReplay: false }
  Object.defineProperty(request, STATE, { value: state, configurable: true })
  return work(state)
}

/** The state of the token request `request` (the engine's current context), if any. */
export function currentGraceState(request: object | undefined): GraceState | undefined {
  if (request === undefined || request === null) return undefined
  return (request as { [STATE]?: GraceState })[STATE]
}

const GRACE_SALT = 'mcp-pa'
const GRACE_INFO = Buffer.from('refresh grace response v1\x01', 'latin1')

/**
 * HKDF-SHA256 (RFC 5869) of the refresh token, salt `mcp-pa`, info `refresh grace response v1`,
 * 32 bytes: one block, so Extract and Expand are one HMAC each (T(1) = HMAC(PRK, info ‖ 0x01)).
 * Written out with `createHmac` because `hkdfSync` cost several times as much per call; the
 * bytes are the same (refresh-grace.test.ts compares them).
 */
export function graceKey(refreshToken: string): Buffer {
  const prk = createHmac('sha256', GRACE_SALT).update(refreshToken, 'utf8').digest()
  return createHmac('sha256', prk).update(GRACE_INFO).digest()
}

const NONCE_BYTES = 12
const NONCE_POOL_BYTES = NONCE_BYTES * 340
let noncePool = Buffer.alloc(0)
let nonceOffset = 0

/**
 * A fresh random 96-bit AES-GCM nonce: consecutive slices of a pooled random buffer, never
 * reused or written to, so one call into the system's random generator serves 340 seals
 * (calling it per seal was the most expensive step of sealing).
 */
function nonce(): Buffer {
  if (nonceOffset + NONCE_BYTES > noncePool.length) {
    noncePool = randomBytes(NONCE_POOL_BYTES)
    nonceOffset = 0
  }
  const iv = noncePool.subarray(nonceOffset, nonceOffset + NONCE_BYTES)
  nonceOffset += NONCE_BYTES
  return iv
}

/** Encrypts a token response under a key only the old refresh token's holder can derive. */
export function sealResponse(refreshToken: string, response: unknown): string {
  const iv = nonce()
  const cipher = createCipheriv('aes-256-gcm', graceKey(refreshToken), iv)
  const body = Buffer.concat([cipher.update(JSON.stringify(response), 'utf8'), cipher.final()])
  return [
    'v1',
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    body.toString('base64url'),
  ].join('.')
}

/** Decrypts what {@link sealResponse} made; undefined when it does not open. */
export function openResponse(refreshToken: string, sealed: string): unknown {
  const [version, iv, tag, body] = sealed.split('.')
  if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined)
    return undefined
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      graceKey(refreshToken),
      Buffer.from(iv, 'base64url'),
    )
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()])
    return JSON.parse(text.toString('utf8'))
  } catch {
    return undefined
  }
}

export interface GraceStoreOptions {
  store: ArtifactStore
  /** The window in seconds (0: off). */
  seconds: number
  /** How long a raced request waits for the winner's answer (ms). */
  waitMs?: number
  pollMs?: number
}

/** Storing and finding the winner's answer. */
export function graceResponses(options: GraceStoreOptions) {
  const { store, seconds } = options
  const waitMs = options.waitMs ?? 3000
  const pollMs = options.pollMs ?? 20
  return {
    enabled: seconds > 0,
    seconds,
    async remember(
      refreshToken: string,
      clientId: string,
      grantId: string | undefined,
      response: unknown,
    ): Promise<void> {
      if (seconds <= 0) return
      const sealed = sealResponse(refreshToken, response)
      await store.upsert(GRACE_MODEL, refreshToken, { clientId, grantId, sealed }, seconds)
    },
    /** The winner's answer for this client, waiting up to `waitMs` for it to be written. */
    async await(refreshToken: string, clientId: string): Promise<unknown> {
      const deadline = Date.now() + waitMs
      for (;;) {
        const found = await store.find(GRACE_MODEL, refreshToken)
        if (found !== undefined) {
          if (found.payload.clientId !== clientId) return undefined
          const sealed = found.payload.sealed
          return typeof sealed === 'string' ? openResponse(refreshToken, sealed) : undefined
        }
        if (Date.now() >= deadline) return undefined
        await new Promise((resolve) => setTimeout(resolve, pollMs))
      }
    },
  }
}

export type GraceResponses = ReturnType<typeof graceResponses>
