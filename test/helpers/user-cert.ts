// A user certificate for tests, signed by the core signer under a permissive test role, or by a test
// server's SSH mount: the key pair and its certificate written to files an `ssh -i … -o
// CertificateFile=…` login can use.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratedKeyPair } from '../../core/keys/ca-key.js';
import { parseRoleWrite } from '../../core/role.js';
import { parseSignRequest, signWithRole } from '../../core/sign.js';
import type { TestServer } from './vault-server.js';

/** Files for one login. */
export interface UserCertificate {
  readonly identityFile: string;
  readonly certificateFile: string;
}

let counter = 0;

/** A fresh ed25519 key in `dir`, certified by `ca` for `principals` for ten minutes. */
export function issueUserCertificate(
  dir: string,
  ca: GeneratedKeyPair,
  principals: readonly string[],
): UserCertificate {
  const identityFile = join(dir, `id_test_${++counter}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityFile]);
  const role = parseRoleWrite({
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: principals.join(','),
    ttl: '10m',
  });
  const { request } = parseSignRequest({
    public_key: readFileSync(`${identityFile}.pub`, 'utf8'),
    valid_principals: principals.join(','),
  });
  const { signedKey } = signWithRole({
    roleName: 'test',
    role,
    request,
    mount: { defaultLeaseTtl: 3600, maxLeaseTtl: 86400 },
    requester: { displayName: 'test' },
    ca: ca.caKey,
    now: Math.floor(Date.now() / 1000),
    serial: randomBytes(8).readBigUInt64BE(0),
    nonce: randomBytes(32),
  });
  const certificateFile = `${identityFile}-cert.pub`;
  writeFileSync(certificateFile, signedKey);
  return { identityFile, certificateFile };
}

/** A certificate signed by a test server, with its serial in decimal. */
export interface ServerCertificate extends UserCertificate {
  readonly serial: string;
  /** When the audit log shows it signed, once a test has read it there. */
  signedAt?: string;
}

/** `server.request`, failing on an answer of 300 or above. */
export async function requestOk(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
  token?: string | null,
): Promise<Awaited<ReturnType<TestServer['request']>>> {
  const r = await server.request(method, path, body, token);
  if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${r.body}`);
  return r;
}

/** A fresh ed25519 key pair without comment in `dir`; returns the private key's file. */
export function newKeyFile(dir: string): string {
  const identityFile = join(dir, `id_${++counter}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', identityFile]);
  return identityFile;
}

/** The decimal serial of a certificate file, as `ssh-keygen -L` prints it. */
export const serialOf = (certificateFile: string): string =>
  /Serial: (\d+)/.exec(execFileSync('ssh-keygen', ['-L', '-f', certificateFile], { encoding: 'utf8' }))![1]!;

/** A fresh key in `dir` signed through `server` by `mount`'s `role` for `principal` with `token`. */
export async function signThroughServer(
  server: TestServer,
  dir: string,
  token: string,
  mount: string,
  role: string,
  principal: string,
): Promise<ServerCertificate> {
  const identityFile = newKeyFile(dir);
  const r = await requestOk(
    server,
    'POST',
    `/v1/${mount}/sign/${role}`,
    { public_key: readFileSync(`${identityFile}.pub`, 'utf8'), valid_principals: principal },
    token,
  );
  const certificateFile = `${identityFile}-cert.pub`;
  writeFileSync(certificateFile, r.json.data.signed_key);
  return { identityFile, certificateFile, serial: serialOf(certificateFile) };
}

/** A certificate with serial 42 for principal ubuntu, signed by a throw-away CA made in `dir`. */
export function rogueCertificate(dir: string): { caPublicKey: string; certificate: ServerCertificate } {
  const ca = newKeyFile(dir);
  const key = newKeyFile(dir);
  execFileSync('ssh-keygen', ['-q', '-s', ca, '-I', 'rogue', '-n', 'ubuntu', '-z', '42', '-V', '+10m', `${key}.pub`]);
  return {
    caPublicKey: readFileSync(`${ca}.pub`, 'utf8').trim(),
    certificate: { identityFile: key, certificateFile: `${key}-cert.pub`, serial: '42' },
  };
}
