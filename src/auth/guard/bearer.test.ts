import { describe, expect, it } from 'vitest'
import { OAuthError } from '../protocol/index.js'
import { extractBearerToken, MissingCredentialsError } from './bearer.js'

const URL_ = 'https://mcp.example/mcp'

function request(headers: [string, string][], url = URL_, body?: string): Request {
  const init: RequestInit = { method: 'POST', headers }
  if (body !== undefined) init.body = body
  return new Request(url, init)
}

describe('extractBearerToken: accepted header forms (RFC 6750 §2.1, TOK-1)', () => {
  it.each([
    ['Bearer abc.def-ghi_jkl~mno+pqr/stu', 'abc.def-ghi_jkl~mno+pqr/stu'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['Bearer abc==', 'abc=='],
    ['Bearer   abc', 'abc'], // RFC 7235 §2.1: 1*SP between scheme and token68
    ['  Bearer abc  ', 'abc'], // surrounding whitespace is stripped by Headers (Fetch)
  ])('%j → %j', (header, token) => {
    expect(extractBearerToken(request([['Authorization', header]]))).toBe(token)
  })
})

describe('extractBearerToken: refused forms → 400 invalid_request (ERR-1)', () => {
  it.each([
    ['empty header', [['Authorization', '']]],
    ['scheme only', [['Authorization', 'Bearer']]],
    ['scheme and space only', [['Authorization', 'Bearer ']]],
    ['two tokens', [['Authorization', 'Bearer abc def']]],
    ['tab separator', [['Authorization', 'Bearer\tabc']]],
    ['Basic scheme', [['Authorization', 'Basic YTpi']]],
    ['no scheme', [['Authorization', 'abc']]],
    ['padding inside', [['Authorization', 'Bearer ab=c']]],
    ['quoted token', [['Authorization', 'Bearer "abc"']]],
    ['comma in token', [['Authorization', 'Bearer abc,def']]],
    [
      'two Authorization headers',
      [
        ['Authorization', 'Bearer abc'],
        ['Authorization', 'Bearer def'],
      ],
    ],
    [
      'two methods in two headers',
      [
        ['Authorization', 'Bearer abc'],
        ['Authorization', 'Basic YTpi'],
      ],
    ],
    ['oversized token', [['Authorization', `Bearer ${'a'.repeat(16_385)}`]]],
  ] as [string, [string, string][]][])('%s', (_name, headers) => {
    const call = () => extractBearerToken(request(headers))
    expect(call).toThrow(OAuthError)
    expect(call).toThrow(expect.objectContaining({ code: 'invalid_request', status: 400 }))
  })
})

describe('extractBearerToken: tokens outside the header are refused (TOK-2, RFC 6750 §2.2/§2.3)', () => {
  it.each([
    ['query string alone', request([], `${URL_}?access_token=secret-in-query`)],
    [
      'query string and header',
      request([['Authorization', 'Bearer abc']], `${URL_}?access_token=other`),
    ],
    ['empty query parameter', request([], `${URL_}?access_token=`)],
    [
      'form body',
      request(
        [['Content-Type', 'application/x-www-form-urlencoded']],
        URL_,
        'access_token=secret-in-body',
      ),
    ],
    [
      'form body with charset and a header',
      request(
        [
          ['Content-Type', 'Application/X-WWW-Form-Urlencoded; charset=utf-8'],
          ['Authorization', 'Bearer abc'],
        ],
        URL_,
        'access_token=secret-in-body',
      ),
    ],
  ])('%s → 400 invalid_request, the token is never echoed', (_name, req) => {
    let caught: unknown
    try {
      extractBearerToken(req)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(OAuthError)
    const error = caught as OAuthError
    expect([error.code, error.status]).toEqual(['invalid_request', 400])
    expect(`${error.description} ${error.detail}`).not.toMatch(/secret|other/)
    expect(req.bodyUsed).toBe(false)
  })
})

describe('extractBearerToken: no credentials (RFC 6750 §3.1, ERR-2)', () => {
  it('throws MissingCredentialsError, not an OAuthError', () => {
    const call = () =>
      extractBearerToken(request([['Content-Type', 'application/json']], URL_, '{}'))
    expect(call).toThrow(MissingCredentialsError)
    expect(call).not.toThrow(OAuthError)
  })
})
