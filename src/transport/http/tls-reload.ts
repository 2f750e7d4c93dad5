/**
 * Certificate rotation without a restart: on SIGHUP, load the certificate and key again (with
 * the startup checks) and swap the server's secure context. Connections already open keep
 * theirs; new handshakes get the new certificate. A reload that fails keeps the old context.
 */
import type { Server } from 'node:tls'
import { createTlsServerOptions, type TlsMaterial } from './tls-options.js'

/** Where SIGHUP comes from: `process`, or an EventEmitter in tests. */
export interface SignalSource {
  on(signal: 'SIGHUP', listener: () => void): unknown
  off(signal: 'SIGHUP', listener: () => void): unknown
}

export interface WatchTlsReloadOptions {
  /** The HTTPS server (node:https and node:tls servers both have `setSecureContext`). */
  readonly server: Pick<Server, 'setSecureContext'>
  /** Loads and checks the material, usually `() => loadTlsMaterial({ … })`. */
  readonly load: () => Promise<TlsMaterial>
  /** After the new context is in place; log `material.leaf` and `material.warnings`. */
  readonly onReload: (material: TlsMaterial) => void
  /** The reload failed and the previous certificate is still served. */
  readonly onError: (error: unknown) => void
  /** Default: the Node process. */
  readonly process?: SignalSource
}

/**
 * Reloads the TLS material on every SIGHUP. Signals that arrive during a reload are folded
 * into one more reload after it, so the last file contents always win. Listening for SIGHUP
 * replaces Node's default action (exit). Returns the function that stops listening.
 */
export function watchTlsReload(options: WatchTlsReloadOptions): () => void {
  const { server, load, onReload, onError } = options
  const signals = options.process ?? process
  let stopped = false
  let running = false
  let again = false

  async function reloadOnce(): Promise<void> {
    let material: TlsMaterial
    try {
      material = await load()
      if (stopped) return
      server.setSecureContext(createTlsServerOptions(material))
    } catch (error) {
      if (!stopped) onError(error)
      return
    }
    try {
      onReload(material)
    } catch (error) {
      onError(error)
    }
  }

  async function reload(): Promise<void> {
    if (running) {
      again = true
      return
    }
    running = true
    try {
      do {
        again = false
        await reloadOnce()
      } while (again && !stopped)
    } finally {
      running = false
    }
  }

  const listener = (): void => void reload()
  signals.on('SIGHUP', listener)
  return () => {
    stopped = true
    signals.off('SIGHUP', listener)
  }
}
