/**
 * X.509 certificates made at test time with the `openssl` CLI, returned as DER, for the unit
 * tests of subject DN matching and certificate binding. Keys go to a private temporary
 * directory that `remove()` deletes; nothing is committed.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface TestCertificates {
  /**
   * A self-signed certificate with `subject` in `openssl -subj` form (most general RDN first,
   * `+` joins a multi-valued RDN), as DER; `utf8` reads the subject as UTF-8.
   */
  der(subject: string, options?: { utf8?: boolean }): Promise<Uint8Array>
  /** The subject as `openssl x509 -nameopt RFC2253` prints it (RFC 4514 order). */
  rfc2253(der: Uint8Array): Promise<string>
  remove(): Promise<void>
}

export async function testCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-pa-cert-'))
  let count = 0
  return {
    async der(subject, options = {}) {
      count += 1
      const out = join(dir, `${count}.der`)
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-noenc',
        '-keyout',
        join(dir, `${count}.key`),
        '-outform',
        'DER',
        '-out',
        out,
        '-days',
        '1',
        '-multivalue-rdn',
        ...(options.utf8 === true ? ['-utf8'] : []),
        '-subj',
        subject,
      ])
      return new Uint8Array(await readFile(out))
    },
    async rfc2253(der) {
      count += 1
      const path = join(dir, `${count}.der`)
      await writeFile(path, der)
      const { stdout } = await run('openssl', [
        'x509',
        '-inform',
        'DER',
        '-in',
        path,
        '-noout',
        '-subject',
        '-nameopt',
        'RFC2253',
      ])
      return stdout.trim().replace(/^subject=/, '')
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}
