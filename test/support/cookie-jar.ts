/**
 * The smallest cookie jar that carries oidc-provider's interaction and session cookies across
 * manually followed redirects: one origin, names only (paths and flags are ignored).
 */
export class CookieJar {
  readonly #cookies = new Map<string, string>()

  /** Records every `Set-Cookie` of a response; an expired or emptied cookie is dropped. */
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const eq = pair.indexOf('=')
      if (eq <= 0) continue
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = attributes.some((a) => {
        const [key = '', val = ''] = a.split('=').map((s) => s.trim())
        if (/^max-age$/i.test(key)) return Number(val) <= 0
        if (/^expires$/i.test(key)) return Date.parse(val) <= Date.now()
        return false
      })
      if (expired || value === '') this.#cookies.delete(name)
      else this.#cookies.set(name, value)
    }
  }

  /** The `Cookie` request header, or an empty object when the jar is empty. */
  headers(): Record<string, string> {
    if (this.#cookies.size === 0) return {}
    const cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    return { cookie }
  }
}
