// Key generation (reference §2.5, §3.7), the synchronous generator (CLI, tests) and the server's
// asynchronous one alike: Vault's key_type/key_bits rules and 500 error texts, the public line format
// and the private key formats, cross-checked with ssh-keygen and with core's own key parser.

import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCaPrivateKey } from '../../../core/keys/ca-key.js';
import { parseSshPublicKey } from '../../../core/keys/public-key.js';
import { generateKeyPair, generateKeyPairAsync } from '../../../server/ssh/generate-key-pair.js';
import { KeyDir, blobOf } from '../../core/fixtures.js';

let keys: KeyDir;

beforeAll(() => {
  keys = new KeyDir('keygen');
});

afterAll(() => keys.dispose());

/** The public line ssh-keygen derives from a private key text. */
function sshKeygenPublicOf(privateKey: string, name: string): string {
  const path = join(keys.dir, name);
  writeFileSync(path, privateKey, { mode: 0o600 });
  chmodSync(path, 0o600);
  return execFileSync('ssh-keygen', ['-y', '-f', path], { encoding: 'utf8' });
}

describe.each([
  // The synchronous generator, called inside an async function so both run through the same table.
  ['generateKeyPair', async (keyType: string, keyBits: number) => generateKeyPair(keyType, keyBits)],
  ['generateKeyPairAsync', generateKeyPairAsync],
] as const)('%s', (name, generate) => {
  it.each<[string, number, string, number, string]>([
    ['ed25519', 0, 'ssh-ed25519', 256, 'OPENSSH PRIVATE KEY'],
    ['ssh-ed25519', 0, 'ssh-ed25519', 256, 'OPENSSH PRIVATE KEY'],
    ['ec', 0, 'ecdsa-sha2-nistp256', 256, 'EC PRIVATE KEY'],
    ['ec', 256, 'ecdsa-sha2-nistp256', 256, 'EC PRIVATE KEY'],
    ['ec', 384, 'ecdsa-sha2-nistp384', 384, 'EC PRIVATE KEY'],
    ['ec', 521, 'ecdsa-sha2-nistp521', 521, 'EC PRIVATE KEY'],
    ['ecdsa-sha2-nistp384', 0, 'ecdsa-sha2-nistp384', 384, 'EC PRIVATE KEY'],
    // the curve named by key_type wins over key_bits
    ['ecdsa-sha2-nistp521', 256, 'ecdsa-sha2-nistp521', 521, 'EC PRIVATE KEY'],
    ['rsa', 2048, 'ssh-rsa', 2048, 'RSA PRIVATE KEY'],
    ['ssh-rsa', 3072, 'ssh-rsa', 3072, 'RSA PRIVATE KEY'],
  ])('%s/%i → %s %i bits, private key PEM %s', async (keyType, keyBits, algorithm, bits, pemLabel) => {
    const pair = await generate(keyType, keyBits);
    // authorized_keys line, no comment, trailing newline
    expect(pair.publicKey).toMatch(new RegExp(`^${algorithm} [A-Za-z0-9+/]+=*\\n$`));
    expect(pair.privateKey.startsWith(`-----BEGIN ${pemLabel}-----\n`)).toBe(true);
    expect(pair.caKey).toMatchObject({ algorithm, bits });
    expect(pair.caKey.publicBlob).toEqual(blobOf(pair.publicKey));
    expect(parseSshPublicKey(pair.publicKey)).toMatchObject({ algorithm, bits: bits });
    // the private key is readable by OpenSSH and by our own parser, and matches the public half
    // (ssh-keygen -y appends the key's comment, if the container has one: compare type and key only)
    const derived = sshKeygenPublicOf(pair.privateKey, `gen-${name}-${keyType}-${keyBits}`)
      .trim()
      .split(' ')
      .slice(0, 2)
      .join(' ');
    expect(derived).toBe(pair.publicKey.trim());
    expect(parseCaPrivateKey(pair.privateKey).publicBlob).toEqual(pair.caKey.publicBlob);
  });

  it('generates 4096-bit RSA keys when key_bits is 0', async () => {
    const pair = await generate('rsa', 0);
    expect(pair.caKey.bits).toBe(4096);
    expect(parseSshPublicKey(pair.publicKey).bits).toBe(4096);
  });

  it.each<[string, number, string]>([
    ['rsa', 1024, 'refusing to generate weak rsa key: 1024 bits < 2048 bits'],
    ['ssh-rsa', 2047, 'refusing to generate weak ssh-rsa key: 2047 bits < 2048 bits'],
    ['ec', 300, 'unknown ECDSA key pair algorithm and bits: ec / 300'],
    ['ec', 224, 'unknown ECDSA key pair algorithm and bits: ec / 224'],
    ['dsa', 0, 'unknown ssh key pair algorithm: dsa'],
    ['RSA', 0, 'unknown ssh key pair algorithm: RSA'],
    ['', 0, 'unknown ssh key pair algorithm: '],
  ])('%j/%i is a 500: %s', async (keyType, keyBits, message) => {
    await expect(generate(keyType, keyBits)).rejects.toMatchObject({ message, name: 'InternalError', status: 500 });
  });
});
