// CA keys (reference §3.7): parsing of every private-key format a user may import, cross-checked with
// ssh-keygen. Generation (Vault's key_type/key_bits rules) is tested with the generators, in
// test/server/ssh/generate-key-pair.test.ts.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCaPrivateKey } from '../../../core/keys/ca-key.js';
import { KeyDir, blobOf, type KeyKind } from '../fixtures.js';

let keys: KeyDir;

beforeAll(() => {
  keys = new KeyDir('cakey');
});

afterAll(() => keys.dispose());

describe('parseCaPrivateKey', () => {
  it.each<[KeyKind, string[], string, string]>([
    ['ed25519', [], 'OpenSSH', 'ssh-ed25519'],
    ['rsa2048', [], 'OpenSSH', 'ssh-rsa'],
    ['ecdsa256', [], 'OpenSSH', 'ecdsa-sha2-nistp256'],
    ['ecdsa384', [], 'OpenSSH', 'ecdsa-sha2-nistp384'],
    ['ecdsa521', [], 'OpenSSH', 'ecdsa-sha2-nistp521'],
    ['rsa2048', ['-m', 'PEM'], 'PKCS#1 PEM', 'ssh-rsa'],
    ['ecdsa384', ['-m', 'PEM'], 'SEC1 PEM', 'ecdsa-sha2-nistp384'],
    ['rsa2048', ['-m', 'PKCS8'], 'PKCS#8 PEM', 'ssh-rsa'],
    ['ecdsa256', ['-m', 'PKCS8'], 'PKCS#8 PEM', 'ecdsa-sha2-nistp256'],
  ])('%s in %s format (%s)', (kind, args, label, algorithm) => {
    const { publicLine, privatePath } = keys.key(kind, `${kind}-${label.replace(/\W/g, '')}`, args);
    const ca = parseCaPrivateKey(execFileSync('cat', [privatePath], { encoding: 'utf8' }));
    expect(ca.algorithm).toBe(algorithm);
    expect(ca.publicBlob).toEqual(blobOf(publicLine));
  });

  it('refuses a passphrase-protected key', () => {
    const path = join(keys.dir, 'protected');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret', '-C', '', '-f', path]);
    const text = execFileSync('cat', [path], { encoding: 'utf8' });
    expect(() => parseCaPrivateKey(text)).toThrow(new Error('ssh: this private key is passphrase protected'));
  });

  it('refuses text that is not a key', () => {
    expect(() => parseCaPrivateKey('hello')).toThrow(/^ssh: no key found/);
  });
});
