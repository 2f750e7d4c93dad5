import { describe, expect, it } from 'vitest'
import { check, fake, server } from '../test-support.js'
import { hardcodedCredential } from './hardcoded-credential.js'

const secrets = {
  github: fake.github(),
  githubPat: fake.githubPat(),
  stripe: fake.stripe(),
  stripeTest: fake.stripeTest(),
  openai: fake.openai(),
  anthropic: fake.anthropic(),
  slack: fake.slack(),
  aws: fake.aws(),
  google: fake.google(),
  jwt: fake.jwt(),
  pem: fake.pem(),
  entropy: fake.entropy(),
}

describe('hardcoded-credential', () => {
  it.each<[string, unknown, string | undefined]>([
    ['GitHub token in env', server({ env: { GITHUB_TOKEN: secrets.github } }), 'GitHub token'],
    [
      'fine-grained PAT in env',
      server({ env: { GH: secrets.githubPat } }),
      'GitHub fine-grained token',
    ],
    ['Stripe live key in env', server({ env: { STRIPE: secrets.stripe } }), 'Stripe key'],
    ['Stripe test key in args', server({ args: ['--key', secrets.stripeTest] }), 'Stripe key'],
    ['OpenAI key', server({ env: { OPENAI: secrets.openai } }), 'OpenAI API key'],
    ['Anthropic key', server({ env: { X: secrets.anthropic } }), 'Anthropic API key'],
    ['Slack token', server({ env: { SLACK: secrets.slack } }), 'Slack token'],
    ['AWS key id', server({ env: { AWS_ACCESS_KEY_ID: secrets.aws } }), 'AWS access key id'],
    ['Google API key', server({ env: { MAPS: secrets.google } }), 'Google API key'],
    [
      'JWT in a header',
      server({ url: 'https://h.example', headers: { 'X-Auth': secrets.jwt } }),
      'JSON Web Token',
    ],
    [
      'Bearer token in a header',
      server({ headers: { Authorization: 'Bearer ' + secrets.entropy } }),
      'credential in an Authorization value',
    ],
    ['PEM private key in env', server({ env: { KEY_PEM: secrets.pem } }), 'private key'],
    [
      'high entropy under a secret name',
      server({ env: { DB_PASSWORD: secrets.entropy } }),
      'high-entropy value under "DB_PASSWORD"',
    ],
    [
      '--api-key=value in args',
      server({ args: ['--api-key=' + secrets.entropy] }),
      'high-entropy value under "--api-key"',
    ],
    [
      'password in a URL',
      server({ url: `https://user:${secrets.entropy}@h.example/mcp` }),
      'password in the URL',
    ],
    ['${VAR} reference', server({ env: { GITHUB_TOKEN: '${GITHUB_TOKEN}' } }), undefined],
    [
      '${env:VAR} in a Bearer header',
      server({ headers: { Authorization: 'Bearer ${env:TOKEN}' } }),
      undefined,
    ],
    ['env: reference', server({ env: { API_KEY: 'env:API_KEY' } }), undefined],
    ['file: reference', server({ env: { API_KEY: 'file:/run/secrets/key' } }), undefined],
    ['high entropy under a plain name', server({ env: { REGION_ID: secrets.entropy } }), undefined],
    [
      'low entropy under a secret name',
      server({ env: { AUTH_MODE: 'aaaaaaaaaaaaaaaaaaaa' } }),
      undefined,
    ],
    [
      'a path under a secret name',
      server({ env: { KEY_FILE: '/home/me/.config/some-long-path/key.pem' } }),
      undefined,
    ],
  ])('%s', (_name, config, kind) => {
    const findings = check(hardcodedCredential, config)
    if (kind === undefined) {
      expect(findings).toEqual([])
      return
    }
    expect(findings).toHaveLength(1)
    expect(findings[0]?.message).toContain(kind)
    expect(findings[0]?.severity).toBe('error')
  })

  it('masks the value, locates it, and plans a move to a named variable', () => {
    const text = `{\n  // c\n  "mcpServers": { "gh": { "env": { "GITHUB_TOKEN": "${secrets.github}" } } }\n}`
    const [finding] = check(hardcodedCredential, text)
    expect(finding).toMatchObject({
      jsonPath: 'mcpServers.gh.env.GITHUB_TOKEN',
      line: 3,
      column: 52,
      fixable: true,
      maskedValue: `${secrets.github.slice(0, 4)}…(40 chars)`,
      fix: { kind: 'move-secret', suggestedName: 'GITHUB_TOKEN' },
    })
    expect(JSON.stringify({ ...finding, fix: undefined })).not.toContain(secrets.github)
  })

  it('finds servers under projects.*.mcpServers (~/.claude.json) and VS Code servers', () => {
    const config = {
      projects: { '/work/p': { mcpServers: { a: { env: { T: secrets.github } } } } },
      servers: { b: { env: { T: secrets.github } } },
    }
    const paths = check(hardcodedCredential, config).map((f) => f.jsonPath)
    expect(paths).toEqual(['servers.b.env.T', 'projects["/work/p"].mcpServers.a.env.T'])
  })
})
