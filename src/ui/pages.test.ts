import { describe, expect, it } from 'vitest'
import type { ClientView } from './client-view.js'
import { renderConsentPage } from './consent-page.js'
import { renderLoginPage } from './login-page.js'
import { renderMessagePage } from './message-pages.js'
import { describeScopes } from './scopes.js'
import { ALL_SCOPES, HOSTILE, allPages, exampleClient, hostileClient } from './test-support.js'

const consent = (over: Partial<Parameters<typeof renderConsentPage>[0]> = {}) =>
  renderConsentPage({
    action: '/interaction/abc/confirm',
    csrfToken: 'csrf-1',
    client: exampleClient,
    redirectHost: 'notes.example',
    allRedirectsLoopback: false,
    scopes: describeScopes(ALL_SCOPES),
    accountName: 'alice',
    ...over,
  })

/** Every `<form …>…</form>` of a page. */
const forms = (html: string) => html.match(/<form\b[\s\S]*?<\/form>/g) ?? []

describe.each(allPages())('%s page', (_name, html) => {
  it('is a complete English document with a viewport and the stylesheet', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true)
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">')
    expect(html).toContain('<link rel="stylesheet" href="/oauth/assets/ui.css">')
    expect(html).toContain('mcp-pa')
  })

  it('has no script and no inline style', () => {
    expect(html).not.toMatch(/<script/i)
    expect(html).not.toMatch(/\sstyle=/i)
    expect(html).not.toMatch(/<style/i)
    // No event-handler attribute in any tag (quoted values, which hold escaped text, aside).
    const tags = (html.match(/<[a-z][^>]*>/gi) ?? []).map((t) => t.replace(/"[^"]*"/g, '""'))
    for (const tag of tags) expect(tag).not.toMatch(/\son[a-z]+=|\sstyle=/i)
  })

  it('escapes every hostile value', () => {
    expect(html).not.toContain(HOSTILE)
    expect(html).not.toContain('<img src=x>')
    expect(html).not.toContain('javascript:')
    expect(html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&quot;alert(1)',
    )
  })

  it('puts the CSRF field in every form', () => {
    for (const form of forms(html)) {
      expect(form).toMatch(/^<form method="post" action="[^"]*"/)
      expect(form).toContain('<input type="hidden" name="csrf" value="csrf-1">')
    }
  })

  it('binds every label to an input', () => {
    const fors = [...html.matchAll(/<label for="([^"]+)"/g)].map((m) => m[1])
    for (const id of fors) expect(html).toContain(`id="${id}"`)
    const inputs = [...html.matchAll(/<input (?!type="hidden")[^>]*\bid="([^"]+)"/g)].map(
      (m) => m[1],
    )
    expect(fors.sort()).toEqual(inputs.sort())
  })
})

describe('consent page', () => {
  it.each([
    [true, true],
    [false, false],
  ])('allRedirectsLoopback=%s shows the loopback warning: %s', (loopback, shown) => {
    const html = consent({ allRedirectsLoopback: loopback })
    expect(html.includes('class="box box-warning"')).toBe(shown)
    expect(html.includes('this computer (localhost)')).toBe(shown)
  })

  it('shows the host large and first, the redirect host, the account and every scope', () => {
    const html = consent({ redirectHost: '127.0.0.1', resource: 'https://pa.example/mcp' })
    const main = html.slice(html.indexOf('<main'))
    expect(main.indexOf('<h1 class="client-host">notes.example</h1>')).toBeLessThan(
      main.indexOf('<h2'),
    )
    expect(html).toContain('<dt>Sends you back to</dt><dd class="break">127.0.0.1</dd>')
    expect(html).toContain('<dt>Signed in as</dt><dd class="break">alice</dd>')
    expect(html).toContain('https://pa.example/mcp')
    for (const { description } of describeScopes(ALL_SCOPES)) expect(html).toContain(description)
  })

  it('posts csrf, decision=allow|deny and remember=on', () => {
    const [form] = forms(consent({ rememberDefault: true }))
    expect(form).toContain('action="/interaction/abc/confirm"')
    expect(form).toContain('<button type="submit" name="decision" value="allow"')
    expect(form).toContain('<button type="submit" name="decision" value="deny"')
    expect(form).toContain('name="remember" value="on" checked>')
    expect(consent()).not.toContain(' checked>')
  })

  it.each<[ClientView['kind'], string, string]>([
    ['metadata-document', 'identified by its metadata document at', 'claims to be'],
    ['registered', 'registered itself with this server', 'claims to be'],
    ['pre-registered', 'set up by the administrator', 'Notes Desktop'],
  ])('a %s client: "%s", name as "%s"', (kind, source, name) => {
    const html = consent({ client: { ...exampleClient, kind } })
    expect(html.toLowerCase()).toContain(source.toLowerCase())
    expect(html).toContain(name)
    expect(html.includes('claims to be')).toBe(kind !== 'pre-registered')
  })

  it('omits a name that is empty or the host itself', () => {
    for (const name of ['', '  ', 'NOTES.example']) {
      expect(consent({ client: { ...exampleClient, name } })).not.toContain('client-name')
    }
  })
})

describe('logos and links', () => {
  it.each([
    ['https://notes.example/logo.png', true],
    ['http://notes.example/logo.png', false],
    ['javascript:alert(1)', false],
    ['data:image/png;base64,AAAA', false],
    ['//notes.example/logo.png', false],
    ['https://user:pw@notes.example/logo.png', false],
    ['not a url', false],
  ])('logo %s rendered: %s', (logoUri, shown) => {
    const html = consent({ client: { ...exampleClient, logoUri } })
    expect(html.includes('<img')).toBe(shown)
    if (shown) expect(html).toContain(`src="${logoUri}"`)
  })

  it.each([
    ['/account', true],
    ['https://pa.example/account', true],
    ['javascript:alert(1)', false],
    ['//evil.example/', false],
    ['/\\evil.example/', false],
    ['data:text/html,x', false],
  ])('message link %s rendered: %s', (href, shown) => {
    const html = renderMessagePage({ title: 't', message: 'm', link: { href, text: 'Go' } })
    expect(html.includes('>Go</a>')).toBe(shown)
  })

  it('never renders a hostile client logo or home page', () => {
    const html = renderLoginPage({ action: '/l', csrfToken: 'c', client: hostileClient })
    expect(html).not.toContain('<img')
    expect(html).not.toContain('javascript:')
  })
})

describe('sign-in and setup forms', () => {
  it.each([
    ['login', 'username', 'username'],
    ['login', 'password', 'current-password'],
    ['setup', 'username', 'username'],
    ['setup', 'password', 'new-password'],
    ['setup', 'password_confirm', 'new-password'],
    ['setup', 'display_name', 'name'],
  ])('%s field %s has autocomplete=%s', (page, field, autocomplete) => {
    const html = allPages(exampleClient).find(([name]) => name === page)?.[1] ?? ''
    expect(html).toMatch(
      new RegExp(`<input id="${field}" name="${field}"[^>]* autocomplete="${autocomplete}"`),
    )
  })
})
