import { describe, expect, it } from 'vitest'
import { AuthorizationError } from './authorize-errors.js'
import { browserCommand, checkBrowserUrl, openBrowser, runWithoutShell } from './browser.js'

/** URLs built to run commands if a shell ever saw them (CVE-2025-6514, URL-1, URL-2). */
const HOSTILE = [
  'https://as.example.com/authorize?x=$(touch%20/tmp/pwned)&y=`id`',
  'https://as.example.com/authorize?a=1&calc.exe&b=%PATH%',
  "https://as.example.com/authorize?q=';rm -rf ~;'",
  'https://as.example.com/a b"c|d>e',
]

describe('checkBrowserUrl: only https, or http on loopback (URL-1)', () => {
  it.each([
    'https://as.example.com/authorize?x=1',
    'http://127.0.0.1:8080/authorize',
    'http://localhost:8080/authorize',
    'http://[::1]:8080/authorize',
  ])('accepts %s', (url) => {
    expect(checkBrowserUrl(url).href).toBe(new URL(url).href)
  })

  it.each([
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'vbscript:msgbox(1)',
    'ms-settings:',
    'http://as.example.com/authorize',
    'https://user:pass@as.example.com/authorize',
    'not a url',
  ])('refuses %s', (url) => {
    expect(() => checkBrowserUrl(url)).toThrow(TypeError)
  })
})

describe('browserCommand: the platform opener, no shell, the URL as one argument (URL-2)', () => {
  it.each([
    ['darwin', 'open', []],
    ['win32', 'rundll32', ['url.dll,FileProtocolHandler']],
    ['linux', 'xdg-open', []],
    ['freebsd', 'xdg-open', []],
  ] as const)('%s: %s', (platform, file, before) => {
    for (const url of HOSTILE) {
      const command = browserCommand(new URL(url), platform)
      expect(command.file).toBe(file)
      expect(command.args).toHaveLength(before.length + 1)
      expect(command.args.slice(0, -1)).toEqual(before)
      const arg = command.args.at(-1) ?? ''
      // Only RFC 3986 characters other than quotes: no space, quote, backtick, pipe, caret.
      expect(arg).toMatch(/^[A-Za-z0-9\-._~:/?#[\]@!$&()*+,;=%]+$/)
      // Same URL once decoded: the path, and the query as the AS reads it (form decoding).
      const [sent, given] = [new URL(arg), new URL(url)]
      expect(decodeURIComponent(sent.pathname)).toBe(decodeURIComponent(given.pathname))
      expect([...sent.searchParams]).toEqual([...given.searchParams])
    }
    expect(() => browserCommand(new URL('file:///etc/passwd'), platform)).toThrow(TypeError)
  })
})

describe('openBrowser', () => {
  it('runs the opener with the checked URL', async () => {
    const calls: [string, readonly string[]][] = []
    const run = async (file: string, args: readonly string[]) => {
      calls.push([file, args])
    }
    await openBrowser('https://as.example.com/authorize?x=$(id)', { platform: 'linux', run })
    expect(calls).toEqual([['xdg-open', ['https://as.example.com/authorize?x=$(id)']]])
    await openBrowser("https://as.example.com/authorize?q='`id`'", { platform: 'win32', run })
    expect(calls[1]).toEqual([
      'rundll32',
      ['url.dll,FileProtocolHandler', 'https://as.example.com/authorize?q=%27%60id%60%27'],
    ])
  })

  it('refuses a javascript: URL without running anything', async () => {
    let ran = false
    const run = async () => {
      ran = true
    }
    const error = await openBrowser('javascript:alert(1)', { run }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AuthorizationError)
    expect(error).toMatchObject({ code: 'browser_failed' })
    expect(ran).toBe(false)
  })

  it('a missing opener is browser_failed, naming the opener and not the URL', async () => {
    const run = async () => {
      throw Object.assign(new Error('spawn xdg-open ENOENT'), { code: 'ENOENT' })
    }
    const error = await openBrowser('https://as.example.com/authorize?state=s3cr3t', {
      platform: 'linux',
      run,
    }).catch((e: unknown) => e as AuthorizationError)
    expect(error).toMatchObject({
      code: 'browser_failed',
      message: 'could not open a browser (xdg-open is not installed); open the URL yourself',
    })
  })
})

describe('runWithoutShell: execFile, arguments passed literally', () => {
  it('passes shell syntax through as plain text (no shell expands it)', async () => {
    const script = 'process.exit(process.argv[1] === "$(echo hi) & %PATH% `id`" ? 0 : 3)'
    await expect(
      runWithoutShell(process.execPath, ['-e', script, '$(echo hi) & %PATH% `id`']),
    ).resolves.toBeUndefined()
  })

  it('rejects when the program fails or does not exist', async () => {
    await expect(runWithoutShell(process.execPath, ['-e', 'process.exit(3)'])).rejects.toThrow()
    await expect(runWithoutShell('mcp-pa-no-such-opener', [])).rejects.toMatchObject({
      code: 'ENOENT',
    })
  })
})
