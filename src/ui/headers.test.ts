import { describe, expect, it } from 'vitest'
import { UI_STYLESHEET_PATH, uiSecurityHeaders } from './headers.js'

describe('uiSecurityHeaders', () => {
  it('sets the exact CSP and the other page headers', () => {
    expect(uiSecurityHeaders()).toEqual({
      'Content-Security-Policy':
        "default-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'same-origin',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Content-Type': 'text/html; charset=utf-8',
    })
  })

  it.each([
    [['https://app.example'], "form-action 'self' https://app.example;"],
    [['https://app.example/callback?x=1'], "form-action 'self' https://app.example;"],
    [['http://127.0.0.1:53123/cb'], "form-action 'self' http://127.0.0.1:53123;"],
    [['com.example.app:/oauth2redirect'], "form-action 'self' com.example.app:;"],
    [
      ['https://a.example', 'https://a.example/x', 'https://b.example'],
      "form-action 'self' https://a.example https://b.example;",
    ],
  ])('form-action lists %j', (formActionOrigins, directive) => {
    expect(uiSecurityHeaders({ formActionOrigins })['Content-Security-Policy']).toContain(directive)
  })

  it.each([
    ["https://app.example; script-src 'unsafe-inline'"],
    ['javascript:alert(1)'],
    ['data:text/html,x'],
    ['app.example'],
    [''],
  ])('refuses %j as a form-action source', (value) => {
    expect(() => uiSecurityHeaders({ formActionOrigins: [value] })).toThrow(TypeError)
  })

  it('serves the stylesheet from the same-origin path the pages link', () => {
    expect(UI_STYLESHEET_PATH).toBe('/oauth/assets/ui.css')
  })
})
