/**
 * Token revocation on logout (RFC 7009), when the AS has a `revocation_endpoint`: the refresh
 * token first (revoking it should end the grant, RFC 7009 §2.1), then the access token, each
 * with its `token_type_hint` and the client authentication of the token endpoint. A failure is
 * reported, never thrown: logging out still deletes the local copy.
 * @see RFC 7009 §2
 */
import { describeOAuthError } from './authorize-errors.js'
import type { StoredCredentials } from './store/index.js'
import type { TokenContext } from './tokens.js'
import { clientAuthentication, clientAuthMethod, postForm } from './tokens-request.js'
import { ClientFetchError } from './url-policy.js'

/** What happened to one token. */
export type RevocationOutcome = 'revoked' | 'failed' | 'absent'

export interface RevocationResult {
  /** False when the AS has no revocation endpoint: nothing was sent. */
  readonly supported: boolean
  readonly refresh_token: RevocationOutcome
  readonly access_token: RevocationOutcome
  /** One line per failure, for the user; no token value. */
  readonly problems: readonly string[]
}

/** Revokes what `credentials` hold at the AS that issued them. */
export async function revokeCredentials(
  context: Omit<TokenContext, 'resource'>,
  credentials: Pick<StoredCredentials, 'access_token' | 'refresh_token'>,
): Promise<RevocationResult> {
  const { issuer, metadata } = context.authorizationServer
  const endpoint = metadata.revocation_endpoint
  const refreshPresent = credentials.refresh_token !== undefined
  if (endpoint === undefined) {
    return {
      supported: false,
      refresh_token: refreshPresent ? 'failed' : 'absent',
      access_token: 'failed',
      problems: [`${issuer} has no revocation endpoint; its tokens stay valid until they expire`],
    }
  }
  const auth = clientAuthentication(
    context.client,
    clientAuthMethod(context.client, metadata, 'revocation'),
  )
  const secrets = [
    credentials.access_token,
    credentials.refresh_token ?? '',
    context.client.client_secret ?? '',
  ]
  const problems: string[] = []
  const revoke = async (token: string, hint: 'refresh_token' | 'access_token') => {
    try {
      const what = `the revocation endpoint of ${issuer}`
      const params = { token, token_type_hint: hint }
      const answer = await postForm(endpoint, what, params, auth, context.policy)
      // RFC 7009 §2.2: 200 also for tokens that were already invalid.
      if (answer.status === 200) return 'revoked' as const
      const error = answer.json?.error
      const said =
        typeof error === 'string'
          ? describeOAuthError(error, answer.json?.error_description, secrets)
          : `HTTP ${answer.status}`
      problems.push(`${issuer} did not revoke the ${hint.replace('_', ' ')} (${said})`)
    } catch (error) {
      if (!(error instanceof ClientFetchError)) throw error
      problems.push(`could not revoke the ${hint.replace('_', ' ')}: ${error.message}`)
    }
    return 'failed' as const
  }
  const refresh =
    credentials.refresh_token === undefined
      ? ('absent' as const)
      : await revoke(credentials.refresh_token, 'refresh_token')
  const access = await revoke(credentials.access_token, 'access_token')
  return { supported: true, refresh_token: refresh, access_token: access, problems }
}
