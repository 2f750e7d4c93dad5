/**
 * Cross-app access (MCP's enterprise-managed authorization extension, SEP-990): the user's
 * identity provider vouches for them, no browser is involved.
 * 1. RFC 8693 token exchange at the IdP's token endpoint: the IdP ID token as `subject_token`
 *    (`subject_token_type` …:id_token), `requested_token_type` …:id-jag, `audience` = the
 *    MCP server's AS issuer, `resource` = the protected resource; the answer is an Identity
 *    Assertion JWT Authorization Grant (ID-JAG, `issued_token_type` …:id-jag);
 * 2. RFC 7523 jwt-bearer grant at the AS token endpoint with the ID-JAG as `assertion`, the
 *    client authenticated with its secret (Basic unless the AS lists only post) → access token.
 * The ID token, the ID-JAG and the secrets never appear in a message.
 * @see RFC 8693 §2
 * @see RFC 7523 §2.1
 * @see draft-ietf-oauth-identity-assertion-authz-grant
 */
import { AuthorizationError } from './authorize-errors.js'
import {
  postTokenRequest,
  refusal,
  requestAccessToken,
  secretAuthentication,
  secretValues,
} from './client-credentials.js'
import type { ClientAuth, GrantContext } from './client-credentials.js'
import type { StoredCredentials } from './store/index.js'

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token'
export const ID_JAG_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id-jag'

/** What cross-app access needs besides discovery. */
export interface CrossAppAccess {
  /** The IdP's token endpoint (where the token exchange happens). */
  readonly idpTokenEndpoint: string
  /** The client at the IdP; `idpClientSecret` absent: a public client (client_id in the body). */
  readonly idpClientId: string
  readonly idpClientSecret?: string
  /** The user's ID token from the IdP (the subject token). */
  readonly idToken: string
  /** The client at the MCP server's authorization server. */
  readonly clientId: string
  readonly clientSecret: string
}

/** Client authentication at the IdP: Basic with a secret, else the client_id in the body. */
function idpAuthentication(access: CrossAppAccess): ClientAuth {
  if (access.idpClientSecret === undefined) {
    return { headers: {}, params: { client_id: access.idpClientId } }
  }
  return secretAuthentication(access.idpClientId, access.idpClientSecret)
}

/**
 * Step 1: exchanges the ID token for an ID-JAG at the IdP (RFC 8693 §2.1). Returns the ID-JAG;
 * an answer without `issued_token_type` …:id-jag is refused.
 */
export async function requestIdJag(
  context: GrantContext,
  access: CrossAppAccess,
  scopes: readonly string[] | undefined,
): Promise<string> {
  const params = {
    grant_type: TOKEN_EXCHANGE_GRANT,
    requested_token_type: ID_JAG_TOKEN_TYPE,
    audience: context.authorizationServer.issuer,
    resource: context.resource,
    subject_token: access.idToken,
    subject_token_type: ID_TOKEN_TYPE,
    ...(scopes === undefined || scopes.length === 0 ? {} : { scope: scopes.join(' ') }),
  }
  const auth = idpAuthentication(access)
  const what = `the identity provider's token endpoint (${new URL(access.idpTokenEndpoint).origin})`
  const answer = await postTokenRequest(access.idpTokenEndpoint, what, params, auth, context.policy)
  if (answer.status !== 200) {
    throw refusal(answer, what, secretValues(auth, params), {
      invalidClient: 'The client credentials at the identity provider were refused',
    })
  }
  const { access_token: jag, issued_token_type: issued } = answer.json ?? {}
  if (issued !== ID_JAG_TOKEN_TYPE || typeof jag !== 'string' || jag === '') {
    throw new AuthorizationError(
      'invalid_token_response',
      `${what} did not answer with an identity assertion grant (issued_token_type ${ID_JAG_TOKEN_TYPE}); no token was stored`,
    )
  }
  return jag
}

/** Both steps: ID token → ID-JAG at the IdP → access token at the AS. */
export async function requestCrossAppAccessToken(
  context: GrantContext,
  access: CrossAppAccess,
  scopes: readonly string[] | undefined,
): Promise<StoredCredentials> {
  const assertion = await requestIdJag(context, access, scopes)
  const auth = secretAuthentication(
    access.clientId,
    access.clientSecret,
    context.authorizationServer,
  )
  return requestAccessToken(context, { grant_type: JWT_BEARER_GRANT, assertion }, auth, scopes)
}
