/**
 * `mcp-pa conformance <server-url>` (not in --help): the CLI OAuth client as the MCP conformance
 * suite drives it (issue 5, item 6; ../shared/spec/conformance.md §3). It reads
 * MCP_CONFORMANCE_SCENARIO and MCP_CONFORMANCE_CONTEXT, logs in headless with the same
 * connection code as `login`, `tools` and `call`, from an empty token store in a temporary
 * directory (deleted at exit), then initialize → tools/list → the scenario's tools/calls
 * (conformance-scenarios.ts). Exit 0 on success.
 * The extension scenarios' context (client secret or private key, IdP ID token) selects a
 * non-interactive grant instead of the login; those values come only from the environment.
 * Never prints a token: only what the scenario did and, on failure, why.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MachineGrant, PreRegisteredClient } from '../auth/client/index.js'
import { openTokenStore } from '../auth/client/store/index.js'
import { connectClient } from './client/connection.js'
import { acceptWithDefaults } from './client/elicitation.js'
import { callTool } from './client/tool-call.js'
import { scenarioPlan, type PlannedCall } from './conformance-scenarios.js'
import { CliError, EXIT } from './exit-codes.js'
import type { CliEnv } from './load.js'

/** The client ID metadata document URL the suite's basic-cimd scenario expects. */
export const CONFORMANCE_CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json'

interface ScenarioContext {
  name?: string
  client_id?: string
  client_secret?: string
  [field: string]: unknown
}

function readContext(raw: string | undefined): ScenarioContext {
  if (raw === undefined || raw === '') return {}
  try {
    const parsed: unknown = JSON.parse(raw)
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as ScenarioContext
    }
  } catch {
    // reported below
  }
  throw new CliError('MCP_CONFORMANCE_CONTEXT is not a JSON object', EXIT.usage)
}

const text = (value: unknown): value is string => typeof value === 'string' && value !== ''

/**
 * The extension scenarios' non-interactive grants: cross-app access when the context names an
 * IdP (`idp_*`), client_credentials with a private key (`private_key_pem` +
 * `signing_algorithm`) or, in a client-credentials scenario, with `client_secret`.
 */
export function grantFrom(scenario: string, context: ScenarioContext): MachineGrant | undefined {
  const clientId = context.client_id
  if (!text(clientId)) return undefined
  const { client_secret: secret } = context
  if (
    text(context.idp_token_endpoint) &&
    text(context.idp_id_token) &&
    text(context.idp_client_id) &&
    text(secret)
  ) {
    return {
      type: 'cross_app_access',
      idpTokenEndpoint: context.idp_token_endpoint,
      idpClientId: context.idp_client_id,
      ...(text(context.idp_client_secret) ? { idpClientSecret: context.idp_client_secret } : {}),
      idToken: context.idp_id_token,
      clientId,
      clientSecret: secret,
    }
  }
  if (text(context.private_key_pem)) {
    const algorithm = text(context.signing_algorithm) ? context.signing_algorithm : 'ES256'
    return {
      type: 'client_credentials',
      clientId,
      privateKey: { privateKeyPem: context.private_key_pem, algorithm },
    }
  }
  if (scenario.startsWith('auth/client-credentials') && text(secret)) {
    return { type: 'client_credentials', clientId, clientSecret: secret }
  }
  return undefined
}

function preRegisteredFrom(context: ScenarioContext): PreRegisteredClient | undefined {
  if (typeof context.client_id !== 'string') return undefined
  return {
    clientId: context.client_id,
    ...(typeof context.client_secret === 'string' ? { clientSecret: context.client_secret } : {}),
  }
}

/** Runs one conformance scenario against `serverUrl` (the last argument). */
export async function conformance(argv: string[], env: CliEnv): Promise<number> {
  const serverUrl = argv.at(-1)
  if (serverUrl === undefined || argv.length !== 1) {
    throw new CliError('usage: mcp-pa conformance <server-url>', EXIT.usage)
  }
  const scenario = env.vars.MCP_CONFORMANCE_SCENARIO ?? '(none)'
  const context = readContext(env.vars.MCP_CONFORMANCE_CONTEXT)
  const print = (line: string) => console.error(`conformance ${scenario}: ${line}`)
  const dir = await mkdtemp(join(tmpdir(), 'mcp-pa-conformance-'))
  try {
    const store = await openTokenStore({ dir, preferKeychain: false })
    const grant = grantFrom(scenario, context)
    const preRegistered = grant === undefined ? preRegisteredFrom(context) : undefined
    const { client, close } = await connectClient({
      serverUrl,
      store,
      mode: 'headless',
      print,
      // The 0.2 line's mock servers speak 2026-07-28; the 0.1 ones answer the probe as legacy.
      versionNegotiation: 'auto',
      clientMetadataUrl: CONFORMANCE_CLIENT_METADATA_URL,
      // Headless: a form elicitation is accepted with its defaults (also MRTR rounds, SEP-2322).
      elicitation: acceptWithDefaults,
      ...(preRegistered === undefined ? {} : { preRegistered }),
      ...(grant === undefined ? {} : { grant }),
    })
    try {
      const { tools } = await client.listTools()
      print(`tools/list: ${tools.map((t) => t.name).join(', ') || '(none)'}`)
      const plan = scenarioPlan(scenario, tools, context)
      const run = async ({ name, arguments: args }: PlannedCall) => {
        const definition = tools.find((t) => t.name === name)
        const result = await callTool(client, name, args, definition)
        print(`tools/call ${name}: ${result.isError === true ? 'error result' : 'ok'}`)
      }
      if (plan.parallel) {
        // Every call finishes before the connection closes; the first failure is reported.
        const failed = (await Promise.allSettled(plan.calls.map(run))).find(
          (outcome) => outcome.status === 'rejected',
        )
        if (failed !== undefined) throw failed.reason
      } else {
        for (const call of plan.calls) await run(call)
      }
    } finally {
      await close()
    }
    return EXIT.ok
  } catch (error) {
    if (error instanceof CliError) throw error
    const message = error instanceof Error ? error.message : String(error)
    console.error(`mcp-pa conformance ${scenario}: ${message}`)
    return EXIT.failure
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
