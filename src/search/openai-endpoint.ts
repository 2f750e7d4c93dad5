function isLoopbackHost(hostname: string): boolean {
  // WHATWG URL parsing has already canonicalised IPv4 (127.1 → 127.0.0.1) and IPv6 ([::1]).
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  )
}

/** `${url}/embeddings`, after checking the base URL. Throws TypeError with the fix. */
export function embeddingsEndpoint(url: string): URL {
  let base: URL
  try {
    base = new URL(url)
  } catch {
    throw new TypeError(
      'embeddings.url is not a URL: set it to the API base, e.g. https://api.openai.com/v1',
    )
  }
  if (base.protocol !== 'https:' && !(base.protocol === 'http:' && isLoopbackHost(base.hostname))) {
    throw new TypeError(
      'embeddings.url must use https (http only on localhost, 127.0.0.0/8 or [::1]): the API key would travel in clear text',
    )
  }
  if (base.username !== '' || base.password !== '') {
    throw new TypeError(
      'embeddings.url must not contain credentials: put the key in embeddings.api_key',
    )
  }
  if (base.search !== '' || base.hash !== '') {
    throw new TypeError(
      'embeddings.url must not have a query or fragment: set it to the API base, e.g. https://api.openai.com/v1',
    )
  }
  return new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}/embeddings`)
}
