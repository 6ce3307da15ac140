// OpenSSH certificate encoding (reference §3.8): for every CA family and subject key, a round trip
// through parseCertificate, options sorted by name, and `ssh-keygen -L` (which also verifies the CA
// signature) printing byte for byte what renderCertificateText renders.

import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certificateAlgorithm,
  encodeToBeSigned,
  formatCertificate,
  parseCertificate,
  signCertificate,
  type CertificateFields,
  type SignatureAlgorithm,
} from '../../../core/cert/certificate.js';
import { renderCertificateText } from '../../../core/cert/certificate-text.js';
import type { CaKey } from '../../../core/keys/ca-key.js';
import { generateKeyPair } from '../../../server/ssh/generate-key-pair.js';
import { parseSshPublicKey } from '../../../core/keys/public-key.js';
import { FIXED_NOW, KeyDir, blobOf, fixedNonce, type KeyKind } from '../fixtures.js';

let keys: KeyDir;
const cas: Record<string, CaKey> = {};

beforeAll(() => {
  keys = new KeyDir('cert');
  cas.ed25519 = generateKeyPair('ed25519', 0).caKey;
  cas['ecdsa-p256'] = generateKeyPair('ec', 256).caKey;
  cas['ecdsa-p384'] = generateKeyPair('ec', 384).caKey;
  cas['ecdsa-p521'] = generateKeyPair('ec', 521).caKey;
  cas.rsa = generateKeyPair('rsa', 2048).caKey;
});

afterAll(() => keys.dispose());

/** `ssh-keygen -L -f <file>` with TZ=UTC, after writing the certificate line to <file>. */
function sshKeygenList(certLine: string, name: string): string {
  const file = join(keys.dir, `${name}-cert.pub`);
  writeFileSync(file, certLine);
  return execFileSync('ssh-keygen', ['-L', '-f', file], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
}

const FIELDS: CertificateFields = {
  certType: 'user',
  keyId: 'vault-root-0123abcd',
  principals: ['alice', 'bob'],
  validAfter: BigInt(FIXED_NOW - 30),
  validBefore: BigInt(FIXED_NOW + 3600),
  // deliberately not in name order: the encoding sorts them
  criticalOptions: { 'source-address': '10.0.0.0/8,192.168.1.1/32', 'force-command': '/usr/bin/uptime' },
  extensions: {
    'permit-pty': '',
    'login@example.com': 'alice',
    'permit-agent-forwarding': '',
    'permit-X11-forwarding': '',
  },
  serial: 0xfedc_ba98_7654_3210n,
  nonce: fixedNonce(9),
};

const CA_ALGORITHMS: ReadonlyArray<[string, SignatureAlgorithm]> = [
  ['ed25519', 'ssh-ed25519'],
  ['ecdsa-p256', 'ecdsa-sha2-nistp256'],
  ['ecdsa-p384', 'ecdsa-sha2-nistp384'],
  ['ecdsa-p521', 'ecdsa-sha2-nistp521'],
  ['rsa', 'rsa-sha2-256'],
  ['rsa', 'rsa-sha2-512'],
  ['rsa', 'ssh-rsa'],
];
const SUBJECTS: readonly KeyKind[] = ['ed25519', 'ecdsa256', 'ecdsa384', 'ecdsa521', 'rsa2048', 'dsa'];

describe('signCertificate: every CA × every subject key', () => {
  for (const [caName, algorithm] of CA_ALGORITHMS) {
    it.each(SUBJECTS)(`${caName} CA (${algorithm}) signing a %s key: round trip and ssh-keygen -L`, (kind) => {
      const ca = cas[caName]!;
      const subject = parseSshPublicKey(keys.pub(kind));
      const blob = signCertificate(subject, ca, FIELDS, algorithm);
      const line = formatCertificate(blob);
      const certAlgorithm = certificateAlgorithm(subject.algorithm);
      expect(line).toBe(`${certAlgorithm} ${blob.toString('base64')}\n`);

      const cert = parseCertificate(line);
      expect(cert).toEqual({
        algorithm: certAlgorithm,
        certType: 'user',
        keyId: FIELDS.keyId,
        principals: ['alice', 'bob'],
        validAfter: FIELDS.validAfter,
        validBefore: FIELDS.validBefore,
        criticalOptions: FIELDS.criticalOptions,
        extensions: FIELDS.extensions,
        serial: FIELDS.serial,
        nonce: fixedNonce(9),
        subjectBlob: blobOf(keys.pub(kind)),
        signatureKeyBlob: ca.publicBlob,
        signatureAlgorithm: algorithm,
      });
      // options are encoded in name order
      expect(Object.keys(cert.criticalOptions)).toEqual(['force-command', 'source-address']);
      expect(Object.keys(cert.extensions)).toEqual([
        'login@example.com',
        'permit-X11-forwarding',
        'permit-agent-forwarding',
        'permit-pty',
      ]);
      // the signature covers exactly the fields before it
      expect(blob.subarray(0, encodeToBeSigned(subject, ca, FIELDS).length)).toEqual(
        encodeToBeSigned(subject, ca, FIELDS),
      );

      const name = `${caName}-${algorithm}-${kind}`;
      const file = join(keys.dir, `${name}-cert.pub`);
      expect(sshKeygenList(line, name)).toBe(`${file}:\n${renderCertificateText(cert)}`);
    });
  }
});

describe('renderCertificateText against ssh-keygen -L: layout variants', () => {
  const subject = () => parseSshPublicKey(keys.pub('ed25519'));

  it.each<[string, Partial<CertificateFields>]>([
    [
      'a host certificate with no principals, options or extensions',
      {
        certType: 'host',
        principals: [],
        criticalOptions: {},
        extensions: {},
      },
    ],
    [
      'one principal and the flag critical option verify-required',
      {
        principals: ['only'],
        criticalOptions: { 'verify-required': '' },
        extensions: { 'permit-port-forwarding': '', 'permit-user-rc': '', 'no-touch-required': '' },
      },
    ],
    [
      'unknown critical options with and without data',
      {
        criticalOptions: { 'custom@example.com': 'some data', 'empty@example.com': '' },
        extensions: { 'flag@example.com': '' },
      },
    ],
    ['valid forever', { validAfter: 0n, validBefore: 0xffff_ffff_ffff_ffffn }],
    ['valid after a time, forever', { validAfter: BigInt(FIXED_NOW), validBefore: 0xffff_ffff_ffff_ffffn }],
    ['valid from the epoch to a time', { validAfter: 0n, validBefore: BigInt(FIXED_NOW) }],
    ['serial 0 and an empty key id', { serial: 0n, keyId: '' }],
  ])('%s', (label, over) => {
    const fields = { ...FIELDS, ...over };
    const line = formatCertificate(signCertificate(subject(), cas.ed25519!, fields, 'ssh-ed25519'));
    const name = label.replace(/\W+/g, '-');
    const file = join(keys.dir, `${name}-cert.pub`);
    expect(sshKeygenList(line, name)).toBe(`${file}:\n${renderCertificateText(parseCertificate(line))}`);
  });

  it('renders the exact text for a known certificate', () => {
    const line = formatCertificate(signCertificate(subject(), cas.ed25519!, FIELDS, 'ssh-ed25519'));
    const text = renderCertificateText(parseCertificate(line));
    expect(text.split('\n').slice(0, 1)).toEqual(['        Type: ssh-ed25519-cert-v01@openssh.com user certificate']);
    expect(text.split('\n').slice(3)).toEqual([
      '        Key ID: "vault-root-0123abcd"',
      `        Serial: ${0xfedc_ba98_7654_3210n}`,
      '        Valid: from 2027-01-15T07:59:30 to 2027-01-15T09:00:00',
      '        Principals: ',
      '                alice',
      '                bob',
      '        Critical Options: ',
      '                force-command /usr/bin/uptime',
      '                source-address 10.0.0.0/8,192.168.1.1/32',
      '        Extensions: ',
      '                login@example.com UNKNOWN OPTION: 00000005616c696365 (len 9)',
      '                permit-X11-forwarding',
      '                permit-agent-forwarding',
      '                permit-pty',
      '',
    ]);
  });
});

describe('the CA signature', () => {
  it('is refused by ssh-keygen when a signed byte changes', () => {
    const subject = parseSshPublicKey(keys.pub('ed25519'));
    const blob = Buffer.from(signCertificate(subject, cas.ed25519!, FIELDS, 'ssh-ed25519'));
    const at = blob.indexOf(Buffer.from('alice'));
    blob[at] = 'A'.charCodeAt(0);
    const file = join(keys.dir, 'tampered-cert.pub');
    writeFileSync(file, formatCertificate(blob));
    const r = spawnSync('ssh-keygen', ['-L', '-f', file], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
  });
});

describe('parseCertificate', () => {
  it('accepts a line with a comment and the bare base64', () => {
    const line = formatCertificate(
      signCertificate(parseSshPublicKey(keys.pub('ed25519')), cas.ed25519!, FIELDS, 'ssh-ed25519'),
    );
    const b64 = line.split(' ')[1]!.trim();
    expect(parseCertificate(`${line.trim()} me@laptop`).keyId).toBe(FIELDS.keyId);
    expect(parseCertificate(b64).keyId).toBe(FIELDS.keyId);
  });

  it('refuses a plain public key', () => {
    expect(() => parseCertificate(keys.pub('ed25519'))).toThrow(new Error('not an OpenSSH certificate: ssh-ed25519'));
  });
});
