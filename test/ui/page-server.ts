import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import {
  UI_STYLESHEET,
  UI_STYLESHEET_PATH,
  uiSecurityHeaders,
  uiStylesheetHeaders,
} from '../../src/ui/index.js'

/** One page the server answers with: its HTML and the form targets its CSP allows. */
export interface ServedPage {
  html: string
  formActionOrigins?: string[]
}

/** A form POST the server received. */
export interface Posted {
  path: string
  fields: Record<string, string[]>
}

export interface PageServer {
  origin: string
  /** GET `/page/<name>` answers with the page under `uiSecurityHeaders`. */
  pages: Map<string, ServedPage>
  /** Every POST, in order. */
  posted: Posted[]
  /** POST paths answered with a 303 to this URL (e.g. a client's redirect URI). */
  redirects: Map<string, string>
  close(): Promise<void>
}

async function readForm(req: IncomingMessage): Promise<Record<string, string[]>> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const fields: Record<string, string[]> = {}
  for (const [key, value] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) {
    ;(fields[key] ??= []).push(value)
  }
  return fields
}

/**
 * A tiny node:http server on 127.0.0.1 (port 0) that serves the UI pages with their real
 * headers and the stylesheet at `UI_STYLESHEET_PATH`, records form posts and answers them with
 * a plain page (or a 303 to a configured URL).
 */
export async function startPageServer(): Promise<PageServer> {
  const pages = new Map<string, ServedPage>()
  const redirects = new Map<string, string>()
  const posted: Posted[] = []
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    if (req.method === 'GET' && path === UI_STYLESHEET_PATH) {
      res.writeHead(200, uiStylesheetHeaders()).end(UI_STYLESHEET)
      return
    }
    const page = pages.get(path.replace(/^\/page\//, ''))
    if (req.method === 'GET' && path.startsWith('/page/') && page !== undefined) {
      const headers = uiSecurityHeaders(
        page.formActionOrigins === undefined ? {} : { formActionOrigins: page.formActionOrigins },
      )
      res.writeHead(200, headers).end(page.html)
      return
    }
    if (req.method === 'POST') {
      void readForm(req).then((fields) => {
        posted.push({ path, fields })
        const location = redirects.get(path)
        if (location !== undefined) res.writeHead(303, { Location: location }).end()
        else res.writeHead(200, uiSecurityHeaders()).end('<!doctype html><title>posted</title>')
      })
      return
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    origin: `http://127.0.0.1:${port}`,
    pages,
    posted,
    redirects,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
