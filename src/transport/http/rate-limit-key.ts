import { isIPv4, isIPv6 } from 'node:net'

/** The IPv6 prefix that counts as one client: a single host is normally given a whole /64. */
const IPV6_PREFIX_GROUPS = 4

/** The eight 16-bit groups of a valid IPv6 address, as numbers. */
function ipv6Groups(address: string): number[] {
  let text = address
  const tail = text.slice(text.lastIndexOf(':') + 1)
  if (isIPv4(tail)) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split('.').map(Number)
    text = `${text.slice(0, text.length - tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', rest] = text.split('::')
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)))
  const left = parse(head)
  const right = rest === undefined ? [] : parse(rest)
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right]
}

/**
 * The rate-limit key of a client address. IPv4 addresses, and IPv4-mapped IPv6 addresses
 * (`::ffff:192.0.2.1`, how a dual-stack socket reports IPv4 peers), key on the address. Other
 * IPv6 addresses key on their /64, since one host can rotate through 2^64 addresses of its
 * own. Anything that is not an IP address (an empty or garbled value) shares one bucket,
 * `unknown`, so malformed input cannot mint fresh budgets.
 */
export function ipRateLimitKey(ip: string): string {
  const address = ip
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/%.*$/, '')
  if (isIPv4(address)) return address
  if (!isIPv6(address)) return 'unknown'
  const groups = ipv6Groups(address)
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6)
    return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.')
  }
  const prefix = groups.slice(0, IPV6_PREFIX_GROUPS).map((g) => g.toString(16))
  return `${prefix.join(':')}::/64`
}
