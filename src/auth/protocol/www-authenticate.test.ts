import { describe, expect, it } from 'vitest'
import { parseWwwAuthenticate } from './www-authenticate.js'

const PRM = 'https://mcp.example/.well-known/oauth-protected-resource/mcp'

type Expected = { scheme: string; params: Record<string, string>; token68?: string }[]

const bearer = (params: Record<string, string>) => ({ scheme: 'bearer', params })

/** Plain objects, so `toEqual` compares the prototype-less params by content only. */
function plain(header: string | null | undefined) {
  return parseWwwAuthenticate(header).map((c) => ({ ...c, params: { ...c.params } }))
}

describe('parseWwwAuthenticate: challenges MCP servers send (PRM-7, ERR-3, ERR-5, RFC 9728 §5.1)', () => {
  it.each<[string, string, Expected]>([
    [
      'resource_metadata only',
      `Bearer resource_metadata="${PRM}"`,
      [bearer({ resource_metadata: PRM })],
    ],
    [
      'reordered, with scope and error',
      `Bearer scope="a b", error="insufficient_scope", resource_metadata="${PRM}"`,
      [bearer({ scope: 'a b', error: 'insufficient_scope', resource_metadata: PRM })],
    ],
    [
      'a token (unquoted) value',
      `Bearer error=invalid_token, resource_metadata="${PRM}"`,
      [bearer({ error: 'invalid_token', resource_metadata: PRM })],
    ],
    [
      'escapes and a comma inside quotes',
      String.raw`Bearer error_description="say \"hi\", \\ bye", scope="x"`,
      [bearer({ error_description: 'say "hi", \\ bye', scope: 'x' })],
    ],
    [
      'an equals sign and a scheme name inside quotes',
      'Bearer error_description="Basic realm=x, a=b", realm="r"',
      [bearer({ error_description: 'Basic realm=x, a=b', realm: 'r' })],
    ],
    [
      'upper- and mixed-case scheme and names (values keep their case)',
      `BEARER Resource_Metadata="${PRM}", SCOPE="Read"`,
      [bearer({ resource_metadata: PRM, scope: 'Read' })],
    ],
    [
      'odd whitespace around = and commas',
      `Bearer   resource_metadata =  "${PRM}"  ,scope\t=\t"a" ,  realm = r`,
      [bearer({ resource_metadata: PRM, scope: 'a', realm: 'r' })],
    ],
    [
      'empty elements and a trailing comma',
      `, ,Bearer realm="a",, scope="b",,`,
      [bearer({ realm: 'a', scope: 'b' })],
    ],
    ['an empty quoted value', 'Bearer scope=""', [bearer({ scope: '' })]],
    ['a repeated name keeps the first', 'Bearer scope="a", scope="b"', [bearer({ scope: 'a' })]],
    ['a scheme with no params', 'Bearer', [bearer({})]],
  ])('%s', (_name, header, expected) => {
    expect(plain(header)).toEqual(expected)
  })
})

describe('parseWwwAuthenticate: several challenges (PRM-7, RFC 9110 §11.6.1)', () => {
  it.each<[string, string, Expected]>([
    [
      'RFC 9110 §11.6.1 example',
      String.raw`Basic realm="simple", Newauth realm="apps", type=1, title="Login to \"apps\""`,
      [
        { scheme: 'basic', params: { realm: 'simple' } },
        { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      ],
    ],
    [
      'DPoP then Bearer (two header lines joined by fetch)',
      `DPoP algs="ES256 EdDSA", error="invalid_token", Bearer resource_metadata="${PRM}", scope="a"`,
      [
        { scheme: 'dpop', params: { algs: 'ES256 EdDSA', error: 'invalid_token' } },
        bearer({ resource_metadata: PRM, scope: 'a' }),
      ],
    ],
    [
      'bare schemes between others',
      'Negotiate, Bearer realm="a", Basic',
      [
        { scheme: 'negotiate', params: {} },
        bearer({ realm: 'a' }),
        { scheme: 'basic', params: {} },
      ],
    ],
    [
      'token68 forms',
      'Negotiate YIIB/wYJ+Kw==, NTLM abc, Bearer realm="x"',
      [
        { scheme: 'negotiate', params: {}, token68: 'YIIB/wYJ+Kw==' },
        { scheme: 'ntlm', params: {}, token68: 'abc' },
        bearer({ realm: 'x' }),
      ],
    ],
    [
      'a name with no value reads as token68',
      'Bearer error=',
      [{ scheme: 'bearer', params: {}, token68: 'error=' }],
    ],
  ])('%s', (_name, header, expected) => {
    expect(plain(header)).toEqual(expected)
  })
})

describe('parseWwwAuthenticate: garbage gives what can be read, never throws (PRM-7)', () => {
  it.each<[string, string | null | undefined, Expected]>([
    ['null', null, []],
    ['undefined', undefined, []],
    ['empty', '', []],
    ['commas only', ' , ,, ', []],
    ['a param with no scheme', 'error="invalid_token", scope="a"', []],
    ['separators only', '@@@ ;;; ===', []],
    ['tchar symbols are a valid (odd) scheme', '%%%', [{ scheme: '%%%', params: {} }]],
    ['an unterminated quote drops the param', 'Bearer realm="unclosed, scope=a', [bearer({})]],
    [
      'an unterminated quote after good params keeps them',
      'Bearer scope="a", realm="open',
      [bearer({ scope: 'a' })],
    ],
    ['a missing equals sign', 'Bearer error"invalid_token"', [bearer({})]],
    [
      'junk after a value is skipped to the next comma',
      'Bearer scope="a" ??? junk, realm="r"',
      [bearer({ scope: 'a', realm: 'r' })],
    ],
    [
      'a param after a token68 is not attached to it',
      'Negotiate abc==, realm="ignored", Bearer scope="s"',
      [{ scheme: 'negotiate', params: {}, token68: 'abc==' }, bearer({ scope: 's' })],
    ],
    [
      'backslashes in a token value',
      String.raw`Bearer realm=\f\o\o, scope="s"`,
      [bearer({ scope: 's' })],
    ],
    [
      'control characters',
      'Bearer\u0000 realm="a"\r\n, Basic',
      [
        { scheme: 'bearer', params: {} },
        { scheme: 'basic', params: {} },
      ],
    ],
    ['a lone quote', '"', []],
    ['a lone backslash in quotes', 'Bearer realm="\\', [bearer({})]],
  ])('%s', (_name, header, expected) => {
    expect(plain(header)).toEqual(expected)
  })

  it('keeps __proto__ and constructor as ordinary parameter names', () => {
    const [challenge] = parseWwwAuthenticate('Bearer __proto__="x", constructor="y"')
    expect(challenge?.params.__proto__).toBe('x')
    expect(challenge?.params.constructor).toBe('y')
    expect(Object.getPrototypeOf(challenge?.params)).toBeNull()
    expect(challenge?.params.toString).toBeUndefined()
  })

  it('stays fast on pathological input', () => {
    const nasty = `Bearer ${'a="\\'.repeat(4000)}, ${',"'.repeat(4000)}`
    const started = performance.now()
    expect(() => parseWwwAuthenticate(nasty)).not.toThrow()
    expect(performance.now() - started).toBeLessThan(500)
  })
})
