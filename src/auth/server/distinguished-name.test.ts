/**
 * RFC 8705 §2.1.2 `tls_client_auth_subject_dn` matching against real certificates made by
 * openssl at test time: what matches (the RFC 4514 form OpenSSL prints, spacing, attribute-name
 * case, multi-valued RDNs in any order, escapes, `#hex`), and the negative cases that must never
 * authenticate a client (other values, case, order, missing or extra RDNs, prefixes, bad syntax,
 * bytes that are not a certificate).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testCertificates, type TestCertificates } from '../protocol/certificate-test-support.js'
import { certificateSubject } from './certificate-subject.js'
import { parseDistinguishedName, subjectDnMatches } from './distinguished-name.js'

let certs: TestCertificates
let app: Uint8Array
let multi: Uint8Array
let escaped: Uint8Array
let unicode: Uint8Array

beforeAll(async () => {
  certs = await testCertificates()
  ;[app, multi, escaped, unicode] = await Promise.all([
    certs.der('/DC=org/DC=example/O=Example/OU=Engineering/CN=app'),
    certs.der('/O=Example/OU=Eng+CN=app'),
    certs.der('/O=Example, Inc./CN=a\\+b=c;d "e"'),
    certs.der('/O=Exämple/CN=zoë', { utf8: true }),
  ])
})
afterAll(async () => {
  await certs?.remove()
})

describe('subject DN matching (RFC 8705 §2.1.2, RFC 4514)', () => {
  it('matches the DN exactly as `openssl x509 -nameopt RFC2253` prints it', async () => {
    for (const der of [app, multi, escaped, unicode]) {
      expect(subjectDnMatches(await certs.rfc2253(der), der)).toBe(true)
    }
  })

  it.each([
    ['RFC 4514 order, no spaces', 'CN=app,OU=Engineering,O=Example,DC=example,DC=org'],
    ['spaces after separators', 'CN=app, OU=Engineering, O=Example, DC=example, DC=org'],
    [
      'spaces around = and ,',
      'CN = app , OU = Engineering , O = Example , DC = example , DC = org',
    ],
    ['attribute names in any case', 'cn=app,ou=Engineering,o=Example,dc=example,dc=org'],
    ['numeric OIDs', '2.5.4.3=app,2.5.4.11=Engineering,2.5.4.10=Example,DC=example,DC=org'],
    ['hex escapes of plain characters', 'CN=\\61pp,OU=Engineering,O=Example,DC=example,DC=org'],
    // 0c 03 'app': the value as a DER UTF8String (openssl -subj writes UTF8String by default).
    ['#hex of the DER value', 'CN=#0c03617070,OU=Engineering,O=Example,DC=example,DC=org'],
  ])('matches: %s', (_name, dn) => {
    expect(subjectDnMatches(dn, app)).toBe(true)
  })

  it('matches a multi-valued RDN in either order', () => {
    expect(subjectDnMatches('CN=app+OU=Eng,O=Example', multi)).toBe(true)
    expect(subjectDnMatches('OU=Eng+CN=app,O=Example', multi)).toBe(true)
  })

  it('matches escaped special characters and UTF-8 (raw or hex-escaped)', () => {
    expect(subjectDnMatches('CN=a\\+b=c\\;d \\"e\\",O=Example\\, Inc.', escaped)).toBe(true)
    expect(subjectDnMatches('CN=zoë,O=Exämple', unicode)).toBe(true)
    expect(subjectDnMatches('CN=zo\\c3\\ab,O=Ex\\C3\\A4mple', unicode)).toBe(true)
  })

  it.each([
    ['another CN', 'CN=app2,OU=Engineering,O=Example,DC=example,DC=org'],
    ['a value in another case', 'CN=APP,OU=Engineering,O=Example,DC=example,DC=org'],
    [
      'encoding order instead of RFC 4514 order',
      'DC=org,DC=example,O=Example,OU=Engineering,CN=app',
    ],
    ['an RDN missing (a suffix of the subject)', 'CN=app,OU=Engineering,O=Example,DC=example'],
    ['an RDN missing (a prefix of the subject)', 'OU=Engineering,O=Example,DC=example,DC=org'],
    ['an extra RDN', 'CN=x,CN=app,OU=Engineering,O=Example,DC=example,DC=org'],
    ['only the CN', 'CN=app'],
    ['another attribute type', 'UID=app,OU=Engineering,O=Example,DC=example,DC=org'],
    ['a value prefix', 'CN=ap,OU=Engineering,O=Example,DC=example,DC=org'],
    [
      'an escaped (significant) trailing space',
      'CN=app\\ ,OU=Engineering,O=Example,DC=example,DC=org',
    ],
    ['#hex of another value', 'CN=#0c03617070ff,OU=Engineering,O=Example,DC=example,DC=org'],
    ['#hex with another string type', 'CN=#1303617070,OU=Engineering,O=Example,DC=example,DC=org'],
    ['two RDNs joined into one', 'CN=app+OU=Engineering,O=Example,DC=example,DC=org'],
  ])('does not match: %s', (_name, dn) => {
    expect(subjectDnMatches(dn, app)).toBe(false)
  })

  it('does not match a multi-valued RDN with a member missing, extra or duplicated', () => {
    expect(subjectDnMatches('CN=app,O=Example', multi)).toBe(false)
    expect(subjectDnMatches('CN=app+OU=Eng+L=x,O=Example', multi)).toBe(false)
    expect(subjectDnMatches('CN=app+CN=app,O=Example', multi)).toBe(false)
    expect(subjectDnMatches('CN=app,OU=Eng,O=Example', multi)).toBe(false)
  })

  it.each([
    ['empty', ''],
    ['no =', 'CN'],
    ['unknown attribute name', 'XX=app'],
    ['trailing comma', 'CN=app,'],
    ['empty RDN', 'CN=app,,O=Example'],
    ['unescaped ;', 'CN=a;b'],
    ['unescaped "', 'CN=a"b'],
    ['unescaped <', 'CN=a<b'],
    ['bad escape', 'CN=a\\qb'],
    ['dangling backslash', 'CN=a\\'],
    ['escaped bytes that are not UTF-8', 'CN=\\ff'],
    ['odd #hex', 'CN=#0c0'],
    ['control character', 'CN=a\nb'],
    ['leading-zero OID arc', '2.5.4.03=app'],
  ])('refuses a malformed DN: %s', (_name, dn) => {
    expect(parseDistinguishedName(dn)).toBeUndefined()
    expect(subjectDnMatches(dn, app)).toBe(false)
  })

  it('never matches bytes that are not a certificate', () => {
    const dn = 'CN=app,OU=Engineering,O=Example,DC=example,DC=org'
    expect(subjectDnMatches(dn, new Uint8Array())).toBe(false)
    expect(subjectDnMatches(dn, app.subarray(0, app.length - 1))).toBe(false)
    expect(subjectDnMatches(dn, Uint8Array.of(...app, 0))).toBe(false)
    // Indefinite length (BER, never DER).
    expect(subjectDnMatches(dn, Uint8Array.of(0x30, 0x80, ...app.subarray(2), 0, 0))).toBe(false)
    expect(certificateSubject(Uint8Array.from(Buffer.from('not a certificate')))).toBeUndefined()
  })

  it('reads the subject in encoding order with OIDs and decoded values', () => {
    const subject = certificateSubject(app)
    expect(subject?.map((rdn) => rdn.map((a) => [a.oid, a.text]))).toEqual([
      [['0.9.2342.19200300.100.1.25', 'org']],
      [['0.9.2342.19200300.100.1.25', 'example']],
      [['2.5.4.10', 'Example']],
      [['2.5.4.11', 'Engineering']],
      [['2.5.4.3', 'app']],
    ])
  })
})
