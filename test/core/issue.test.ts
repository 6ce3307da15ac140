// Issuing a key pair and its certificate (reference §2.10): CA roles only, the issue variant of the
// key-length rule (requested key_type/key_bits, exact match, no `ec` alias), Vault's generation
// errors, then the sign pipeline on the generated key; the private key type is echoed. Core takes the
// key pair as an input: `issue` below runs the server's order (check, generate, sign).

import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';
import { parseFields } from '../../core/fields.js';
import {
  ISSUE_FIELDS,
  checkIssueRequest,
  issueRequestFromFields,
  issueWithKeyPair,
  parseIssueRequest,
} from '../../core/issue.js';
import type { CaKey } from '../../core/keys/ca-key.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { parseSshPublicKey } from '../../core/keys/public-key.js';
import { parseRoleWrite, type Role } from '../../core/role.js';
import { FIXED_NOW, caRole, caught, fixedNonce } from './fixtures.js';

let ca: CaKey;
beforeAll(() => {
  ca = generateKeyPair('ed25519', 0).caKey;
});

/** What `issue/:role` does: Vault's checks, then the key of the requested type and size, then the signature. */
function issue(role: Role, body: Record<string, unknown>) {
  const { request } = parseIssueRequest(body);
  checkIssueRequest(role, request);
  const pair = generateKeyPair(request.keyType, request.keyBits);
  return issueWithKeyPair(
    {
      roleName: 'dev',
      role,
      request,
      mount: { defaultLeaseTtl: 3600, maxLeaseTtl: 3600 },
      requester: { displayName: 'root' },
      ca,
      now: FIXED_NOW,
      serial: 42n,
      nonce: fixedNonce(),
    },
    pair,
  );
}

describe('parseIssueRequest', () => {
  it('knows the sign parameters minus public_key, plus key_type (default rsa) and key_bits (default 0)', () => {
    expect(Object.keys(ISSUE_FIELDS).sort()).toEqual(
      [
        'cert_type',
        'critical_options',
        'extensions',
        'key_bits',
        'key_id',
        'key_type',
        'ttl',
        'valid_principals',
      ].sort(),
    );
    expect(parseIssueRequest({ public_key: 'x' })).toMatchObject({
      request: { keyType: 'rsa', keyBits: 0, certType: 'user' },
      unknown: ['public_key'],
    });
  });

  it('builds the request from fields ISSUE_FIELDS already coerced (what the server hands over)', () => {
    const { values } = parseFields(ISSUE_FIELDS, { key_type: 'ec', key_bits: '384', ttl: '1h', extensions: { x: 1 } });
    expect(issueRequestFromFields(values)).toEqual({
      publicKey: '',
      certType: 'user',
      keyId: '',
      ttl: 3600,
      criticalOptions: {},
      extensions: { x: '1' },
      keyType: 'ec',
      keyBits: 384,
    });
    expect(parseIssueRequest({ key_type: 'ec', key_bits: '384', ttl: '1h', extensions: { x: 1 } }).request).toEqual(
      issueRequestFromFields(values),
    );
  });
});

describe('checkIssueRequest, then issueWithKeyPair', () => {
  const role = caRole({ allowed_users: 'ubuntu', default_user: 'ubuntu' });

  it('generates the key, signs it, and echoes the requested key type', () => {
    const result = issue(role, { key_type: 'ed25519' });
    expect(result.privateKeyType).toBe('ed25519');
    expect(result.privateKey.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----\n')).toBe(true);
    expect(result.serialNumber).toBe('2a');
    const cert = parseCertificate(result.signedKey);
    expect(cert.principals).toEqual(['ubuntu']);
    expect(parseSshPublicKey(cert.subjectBlob.toString('base64')).algorithm).toBe('ssh-ed25519');
  });

  it('refuses an OTP role', () => {
    expect(caught(() => issue(parseRoleWrite({ key_type: 'otp', default_user: 'u' }), {}))).toEqual({
      message: "role key type 'otp' not allowed to issue key pairs",
      name: 'RequestError',
      status: 400,
    });
  });

  it.each<[Record<string, unknown>, Record<string, unknown>, string]>([
    [{ ed25519: [0] }, { key_type: 'rsa', key_bits: 2048 }, 'provided key_type value not in allowed_user_key_types'],
    // `ec` has no alias entry: with any restriction map it can never pass
    [
      { ec: [256], ecdsa: [256] },
      { key_type: 'ec', key_bits: 256 },
      'provided key_type value not in allowed_user_key_types',
    ],
    [{ rsa: [2048] }, { key_type: 'ssh-rsa', key_bits: 2048 }, 'provided key_type value not in allowed_user_key_types'],
    // the implicit key_bits 0 does not match 2048
    [{ rsa: [2048] }, { key_type: 'rsa' }, "provided key_bits value not in list of role's allowed_user_key_types"],
    [
      { 'ssh-ed25519': [0] },
      { key_type: 'ed25519', key_bits: 256 },
      "provided key_bits value not in list of role's allowed_user_key_types",
    ],
  ])('with allowed_user_key_lengths %j refuses %j', (lengths, body, message) => {
    const restricted = caRole({ allowed_users: '*', default_user: 'u', allowed_user_key_lengths: lengths });
    expect(caught(() => issue(restricted, body))).toEqual({ message, name: 'RequestError', status: 400 });
  });

  it('passes exact matches of the requested key type and bits', () => {
    const restricted = caRole({
      allowed_users: '*',
      default_user: 'u',
      allowed_user_key_lengths: { 'ssh-ed25519': [0] },
    });
    expect(issue(restricted, { key_type: 'ed25519' }).privateKeyType).toBe('ed25519');
  });

  it.each<[Record<string, unknown>, string]>([
    [{ key_type: 'rsa', key_bits: 1024 }, 'refusing to generate weak rsa key: 1024 bits < 2048 bits'],
    [{ key_type: 'ec', key_bits: 300 }, 'unknown ECDSA key pair algorithm and bits: ec / 300'],
    [{ key_type: 'dsa' }, 'unknown ssh key pair algorithm: dsa'],
  ])('answers a generation failure %j with a 500', (body, message) => {
    expect(caught(() => issue(role, body))).toEqual({ message, name: 'InternalError', status: 500 });
  });

  it('then runs the sign pipeline (key id before cert type)', () => {
    expect(caught(() => issue(role, { key_type: 'ed25519', key_id: 'x', cert_type: 'host' })).message).toBe(
      'setting key_id is not allowed by role',
    );
    expect(caught(() => issue(role, { key_type: 'ed25519', valid_principals: 'root' })).message).toBe(
      'root is not a valid value for valid_principals',
    );
  });
});
