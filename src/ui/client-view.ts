import { escapeHtml, httpsUrl } from './escape.js'
import { logoImage } from './layout.js'

/**
 * What the pages know about an OAuth client. Everything except `kind` may come from the client
 * itself (a metadata document or a registration request), so the pages treat it as hostile:
 * escaped, names shown as claims unless the administrator set the client up.
 */
export interface ClientView {
  /** The `client_name` it gave (unverified unless `kind` is `pre-registered`). */
  name: string
  /**
   * The host that identifies it: the host of the metadata document URL (its `client_id`) for
   * `metadata-document`, else the host of its redirect URI or home page. Shown big.
   */
  host: string
  /** Its `client_uri` (home page); linked only when `https:`. */
  uri?: string
  /** Its `logo_uri`; shown only when `https:`. */
  logoUri?: string
  clientId: string
  /**
   * `metadata-document`: the client ID is an HTTPS URL of its metadata (CIMD);
   * `registered`: dynamic client registration (anyone can register any name);
   * `pre-registered`: set up by the administrator of this server.
   */
  kind: 'metadata-document' | 'registered' | 'pre-registered'
}

/** Whether the name adds anything next to the host (not empty, not the host itself). */
function showsName(client: ClientView): boolean {
  const name = client.name.trim()
  return name.length > 0 && name.toLowerCase() !== client.host.trim().toLowerCase()
}

/** The name line: a claim for self-described clients, the plain name for pre-registered ones. */
export function clientNameLine(client: ClientView): string {
  if (!showsName(client)) return ''
  const name = escapeHtml(client.name.trim())
  if (client.kind === 'pre-registered') return `<p class="client-name">${name}</p>`
  return `<p class="client-name">claims to be <span class="claimed">“${name}”</span></p>`
}

/** One sentence on how this server knows the client (HTML). */
export function clientSource(client: ClientView): string {
  switch (client.kind) {
    case 'metadata-document':
      return `Identified by its metadata document at <strong class="break">${escapeHtml(client.host)}</strong>. Its name is not verified.`
    case 'registered':
      return 'Registered itself with this server. Its name and details are not verified.'
    case 'pre-registered':
      return 'Set up by the administrator of this server.'
  }
}

/**
 * The client's identity block: logo (https only), its host in large type (as `tag`, `h1` on
 * the consent page), and its name or claimed name.
 */
export function clientIdentity(client: ClientView, tag: 'h1' | 'h2' | 'h3' = 'h2'): string {
  const logo = logoImage(client.logoUri)
  const size = tag === 'h1' ? 'client-large' : 'client-small'
  return `<div class="client ${size}">${logo}<div class="client-text">
<${tag} class="client-host">${escapeHtml(client.host)}</${tag}>
${clientNameLine(client)}
</div></div>`
}

/** The client's home page as a link when it is `https:`, else ''. */
export function clientHomeLink(client: ClientView): string {
  const href = httpsUrl(client.uri)
  if (href === undefined) return ''
  return `<a href="${escapeHtml(href)}" rel="noopener noreferrer nofollow" class="break">${escapeHtml(href)}</a>`
}
