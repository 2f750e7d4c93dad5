/**
 * Certificates made at test time with the `openssl` CLI, in a private temporary directory
 * (0700, keys 0600) that `remove()` deletes. No certificate or key is committed to the repo.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Paths of a certificate and its key. */
export interface CertPair {
  readonly cert: string
  readonly key: string
}

export interface CertOptions {
  /** Common name (default `localhost`). */
  readonly cn?: string
  /** subjectAltName, or `null` for none (default localhost and 127.0.0.1). */
  readonly san?: string | null
  /** Key algorithm for `openssl req -newkey` (default EC P-256). */
  readonly newkey?: readonly string[]
}

const EC_P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']

/** A minimal `openssl ca` configuration: the only way in OpenSSL 3.0 to set both dates. */
const CA_CONFIG = `[ca]
default_ca = d
[d]
dir = .
database = ./index.txt
new_certs_dir = ./certs
serial = ./serial
default_md = sha256
policy = p
copy_extensions = copy
unique_subject = no
[p]
commonName = supplied
`

export class CertFactory {
  readonly dir: string

  private constructor(dir: string) {
    this.dir = dir
  }

  static async create(): Promise<CertFactory> {
    return new CertFactory(await mkdtemp(join(tmpdir(), 'mcp-pa-tls-')))
  }

  /** A self-signed certificate valid from now for `days` days. */
  async selfSigned(name: string, days: number, options: CertOptions = {}): Promise<CertPair> {
    const pair = this.paths(name)
    await this.openssl([
      'req',
      '-x509',
      ...(options.newkey ?? EC_P256),
      '-noenc',
      '-keyout',
      pair.key,
      '-out',
      pair.cert,
      '-days',
      String(days),
      ...subjectArgs(options),
    ])
    await chmod(pair.key, 0o600)
    return pair
  }

  /**
   * A self-signed certificate with the given validity dates (`YYYYMMDDHHMMSSZ`), through
   * `openssl ca -selfsign -startdate -enddate` (OpenSSL 3.0 has no `-not_before` on req/x509).
   */
  async withDates(name: string, start: string, end: string): Promise<CertPair> {
    const pair = this.paths(name)
    const ca = join(this.dir, `${name}.ca`)
    await mkdir(join(ca, 'certs'), { recursive: true })
    await writeFile(join(ca, 'index.txt'), '')
    await writeFile(join(ca, 'ca.cnf'), CA_CONFIG)
    const csr = join(ca, 'request.csr')
    await this.openssl([
      'req',
      '-new',
      ...EC_P256,
      '-noenc',
      '-keyout',
      pair.key,
      '-out',
      csr,
      ...subjectArgs({}),
    ])
    await chmod(pair.key, 0o600)
    await this.openssl(
      ['ca', '-batch', '-config', 'ca.cnf', '-selfsign', '-keyfile', pair.key, '-in', csr]
        .concat(['-out', pair.cert, '-startdate', start, '-enddate', end, '-rand_serial'])
        .concat(['-notext']),
      ca,
    )
    return pair
  }

  /** A CA certificate (basicConstraints CA:TRUE, keyCertSign), self-signed, for `days` days. */
  async ca(name: string, subject = `/CN=${name} test CA`, days = 30): Promise<CertPair> {
    const pair = this.paths(name)
    await this.openssl(
      ['req', '-x509', ...EC_P256, '-noenc', '-keyout', pair.key, '-out', pair.cert]
        .concat(['-days', String(days), '-subj', subject])
        .concat(['-addext', 'basicConstraints=critical,CA:TRUE'])
        .concat(['-addext', 'keyUsage=critical,keyCertSign,cRLSign']),
    )
    await chmod(pair.key, 0o600)
    return pair
  }

  /**
   * A certificate signed by `ca`: a server certificate (serverAuth, SAN localhost and
   * 127.0.0.1), or with `client` a TLS client certificate (clientAuth EKU, no SAN) for
   * tls_client_auth. `subject` is the `openssl -subj` form (`/O=Example/CN=app`, most general
   * first).
   */
  async signed(
    name: string,
    ca: CertPair,
    options: { subject?: string; client?: boolean; days?: number } = {},
  ): Promise<CertPair> {
    const pair = this.paths(name)
    const csr = join(this.dir, `${name}.csr`)
    const extensions = join(this.dir, `${name}.ext`)
    await this.openssl(
      ['req', '-new', ...EC_P256, '-noenc', '-keyout', pair.key, '-out', csr].concat([
        '-subj',
        options.subject ?? `/CN=${name}`,
      ]),
    )
    await chmod(pair.key, 0o600)
    await writeFile(
      extensions,
      options.client === true
        ? 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n'
        : 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n',
    )
    await this.openssl(
      ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key]
        .concat(['-set_serial', `0x${randomBytes(12).toString('hex')}`])
        .concat(['-days', String(options.days ?? 30), '-sha256', '-extfile', extensions])
        .concat(['-out', pair.cert]),
    )
    return pair
  }

  /** A lone EC P-256 private key (belongs to no certificate). */
  async key(name: string): Promise<string> {
    const path = join(this.dir, `${name}.key`)
    await this.openssl([
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      path,
    ])
    await chmod(path, 0o600)
    return path
  }

  /** `key` encrypted with AES-256 under a passphrase. */
  async encrypted(key: string, name: string): Promise<string> {
    const path = join(this.dir, `${name}.key`)
    await this.openssl(['pkey', '-in', key, '-aes256', '-passout', 'pass:test', '-out', path])
    await chmod(path, 0o600)
    return path
  }

  /** Writes a file in the directory (0600). */
  async file(name: string, text: string): Promise<string> {
    const path = join(this.dir, name)
    await writeFile(path, text, { mode: 0o600 })
    return path
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true })
  }

  private paths(name: string): CertPair {
    return { cert: join(this.dir, `${name}.crt`), key: join(this.dir, `${name}.key`) }
  }

  private async openssl(args: readonly string[], cwd = this.dir): Promise<void> {
    await run('openssl', args, { cwd, timeout: 20_000 })
  }
}

function subjectArgs(options: CertOptions): string[] {
  const san = options.san === undefined ? 'DNS:localhost,IP:127.0.0.1' : options.san
  const args = ['-subj', `/CN=${options.cn ?? 'localhost'}`]
  return san === null ? args : [...args, '-addext', `subjectAltName=${san}`]
}

/** Runs `openssl s_client` against a local port; resolves with its exit code and output. */
export function sClient(
  port: number,
  args: readonly string[],
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const argv = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args]
    const child = execFile('openssl', argv, { timeout: 10_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null
      resolve({ code, output: `${stdout}\n${stderr}` })
    })
    child.stdin?.end()
  })
}
