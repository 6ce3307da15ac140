// Public-key parsing as Vault's sign path does it (reference §2.9 step 3): split on single spaces,
// Go base64, x/crypto/ssh ParsePublicKey, with Go's error texts. Real keys come from ssh-keygen.

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fingerprint,
  formatAuthorizedKey,
  keyBodyOf,
  parseSshPublicKey,
  parseSshPublicKeyBlob,
  publicKeyHash,
} from '../../../core/keys/public-key.js';
import { WireWriter } from '../../../core/keys/wire.js';
import { KeyDir, base64Of, blobOf, caught, goTruncationOffset, type KeyKind } from '../fixtures.js';

let keys: KeyDir;

beforeAll(() => {
  keys = new KeyDir('pubkey');
});

afterAll(() => keys.dispose());

const refused = (cause: string) => ({
  message: `failed to parse public_key as SSH key: ${cause}`,
  name: 'RequestError',
  status: 400,
});

describe('parseSshPublicKey: valid keys from ssh-keygen', () => {
  it.each<[KeyKind, string, string, number, string | undefined]>([
    ['ed25519', 'ssh-ed25519', 'ed25519', 256, undefined],
    ['rsa2048', 'ssh-rsa', 'rsa', 2048, undefined],
    ['rsa1024', 'ssh-rsa', 'rsa', 1024, undefined],
    ['rsa3072', 'ssh-rsa', 'rsa', 3072, undefined],
    ['ecdsa256', 'ecdsa-sha2-nistp256', 'ecdsa', 256, 'nistp256'],
    ['ecdsa384', 'ecdsa-sha2-nistp384', 'ecdsa', 384, 'nistp384'],
    ['ecdsa521', 'ecdsa-sha2-nistp521', 'ecdsa', 521, 'nistp521'],
    ['dsa', 'ssh-dss', 'dsa', 1024, undefined],
  ])('%s: the .pub line (comment, trailing newline) is %s, %s, %i bits', (kind, algorithm, family, bits, curve) => {
    const line = keys.pub(kind);
    expect(line).toMatch(new RegExp(`^${algorithm} [A-Za-z0-9+/]+=* ${kind}@test\\n$`));
    const key = parseSshPublicKey(line);
    expect(key).toEqual({ algorithm, family, bits, ...(curve ? { curve } : {}), blob: blobOf(line) });
  });

  it('accepts the bare base64, with or without a trailing newline', () => {
    const line = keys.pub('ed25519');
    expect(parseSshPublicKey(base64Of(line)).blob).toEqual(blobOf(line));
    expect(parseSshPublicKey(`${base64Of(line)}\n`).blob).toEqual(blobOf(line));
  });

  it('accepts a line without a comment and a comment with spaces', () => {
    const b64 = base64Of(keys.pub('ecdsa256'));
    expect(parseSshPublicKey(`ecdsa-sha2-nistp256 ${b64}`).algorithm).toBe('ecdsa-sha2-nistp256');
    expect(parseSshPublicKey(`ecdsa-sha2-nistp256 ${b64} Alice Example <alice@example.com>\n`).bits).toBe(256);
  });

  it('tolerates newlines inside the base64', () => {
    const b64 = base64Of(keys.pub('rsa2048'));
    const wrapped = b64.match(/.{1,60}/g)!.join('\n');
    expect(parseSshPublicKey(`ssh-rsa ${wrapped}\n`).bits).toBe(2048);
  });

  it('ignores a wrong type prefix: only the blob counts, as in Vault', () => {
    const b64 = base64Of(keys.pub('ed25519'));
    expect(parseSshPublicKey(`ssh-rsa ${b64}`).algorithm).toBe('ssh-ed25519');
    expect(parseSshPublicKey(`anything ${b64} comment`).family).toBe('ed25519');
  });
});

describe('parseSshPublicKey: refusals with Go error texts', () => {
  it('a leading space makes the type name the base64 field', () => {
    // parts = ["", "ssh-ed25519", "AAAA…"]: "ssh-" has "-" at byte 3
    expect(caught(() => parseSshPublicKey(` ${keys.pub('ed25519')}`))).toEqual(
      refused('illegal base64 data at input byte 3'),
    );
  });

  it('two spaces after the type leave an empty base64 field', () => {
    const b64 = base64Of(keys.pub('ed25519'));
    expect(caught(() => parseSshPublicKey(`ssh-ed25519  ${b64}`))).toEqual(refused('ssh: short read'));
  });

  it.each<[string, string]>([
    ['not a key', 'illegal base64 data at input byte 0'],
    ['garbage!', 'illegal base64 data at input byte 7'],
    ['ssh-ed25519 AAAA!AAA', 'illegal base64 data at input byte 4'],
    ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5-', 'illegal base64 data at input byte 20'],
    ['ssh-ed25519', 'illegal base64 data at input byte 3'],
    ['AAAA', 'ssh: short read'],
    ['====', 'illegal base64 data at input byte 0'],
  ])('%j: %s', (text, cause) => {
    expect(caught(() => parseSshPublicKey(text))).toEqual(refused(cause));
  });

  it.each<KeyKind>(['ed25519', 'rsa2048', 'ecdsa384'])(
    '%s: truncated base64 fails at the offset Go computes, or with ssh: short read',
    (kind) => {
      const line = keys.pub(kind);
      const [type, b64] = line.split(' ') as [string, string];
      const unpadded = b64.replace(/=+$/, '');
      for (const length of [1, 2, 3, 5, 17, 30, unpadded.length - 3, unpadded.length - 2, unpadded.length - 1]) {
        const cut = unpadded.slice(0, length);
        const offset = goTruncationOffset(length);
        const expected =
          offset === undefined ? refused('ssh: short read') : refused(`illegal base64 data at input byte ${offset}`);
        expect(
          caught(() => parseSshPublicKey(`${type} ${cut}`)),
          `${kind} cut to ${length}`,
        ).toEqual(expected);
      }
    },
  );

  it('a well-formed base64 of a truncated blob is ssh: short read', () => {
    for (const kind of ['ed25519', 'rsa2048', 'ecdsa256', 'dsa'] as const) {
      const blob = blobOf(keys.pub(kind));
      for (const length of [0, 3, 4, 10, blob.length - 1]) {
        expect(caught(() => parseSshPublicKey(`x ${blob.subarray(0, length).toString('base64')}`))).toEqual(
          refused('ssh: short read'),
        );
      }
    }
  });

  it('an unknown algorithm in the blob', () => {
    const blob = new WireWriter().string('ssh-foo').bytes(Buffer.alloc(32)).toBuffer();
    expect(caught(() => parseSshPublicKey(`ssh-ed25519 ${blob.toString('base64')}`))).toEqual(
      refused('ssh: unknown key algorithm: ssh-foo'),
    );
  });

  it('trailing bytes after the key', () => {
    const blob = Buffer.concat([blobOf(keys.pub('ed25519')), Buffer.from([1, 2])]);
    expect(caught(() => parseSshPublicKey(`ssh-ed25519 ${blob.toString('base64')}`))).toEqual(
      refused('ssh: trailing junk in public key'),
    );
  });

  it('an Ed25519 key of the wrong size', () => {
    const blob = new WireWriter().string('ssh-ed25519').bytes(Buffer.alloc(31, 1)).toBuffer();
    expect(caught(() => parseSshPublicKey(blob.toString('base64')))).toEqual(
      refused('invalid size 31 for Ed25519 public key'),
    );
  });

  it('RSA exponents x/crypto/ssh refuses', () => {
    const rsa = (e: number[]) =>
      new WireWriter().string('ssh-rsa').mpint(Buffer.from(e)).mpint(Buffer.alloc(256, 0xc1)).toBuffer();
    expect(caught(() => parseSshPublicKeyBlob(rsa([0x01, 0x00, 0x00])))).toEqual(refused('ssh: incorrect exponent'));
    expect(caught(() => parseSshPublicKeyBlob(rsa([1])))).toEqual(refused('ssh: incorrect exponent'));
    expect(caught(() => parseSshPublicKeyBlob(rsa([0x01, 0x00, 0x00, 0x01])))).toEqual(
      refused('ssh: exponent too large'),
    );
    expect(parseSshPublicKeyBlob(rsa([3])).bits).toBe(2048);
  });
});

describe('hashes, fingerprints and lines', () => {
  it("publicKeyHash is the hex SHA-256 of the blob (Vault's test keys give Vault's values)", () => {
    // publicKey2 and publicKey4096 from Vault's builtin/logical/ssh/backend_test.go
    const vaultPublicKey2 =
      'AAAAB3NzaC1yc2EAAAADAQABAAABAQDArgK0ilRRfk8E7HIsjz5l3BuxmwpDd8DHRCVfOhbZ4gOSVxjEOOqBwWGjygdboBIZwFXmwDlU6sWX0hBJAgpQz0Cjvbjxtq/NjkvATrYPgnrXUhTaEn2eQO0PsqRNSFH46SK/oJfTp0q8/WgojxWJ2L7FUV8PO8uIk49DzqAqPV7WXU63vFsjx+3WQOX/ILeQvHCvaqs3dWjjzEoDudRWCOdUqcHEOshV9azIzPrXlQVzRV3QAKl6u7pC+/Secorpwt6IHpMKoVPGiR0tMMuNOVH8zrAKzIxPGfy2WmNDpJopbXMTvSOGAqNcp49O4SKOQl9Fzfq2HEevJamKLrMB\n';
    expect(publicKeyHash(parseSshPublicKey(vaultPublicKey2).blob)).toBe(
      '22608f5ef173aabf700797cb95c5641e792698ec6380e8e1eb55523e39aa5e51',
    );
  });

  it.each<KeyKind>(['ed25519', 'rsa2048', 'ecdsa521', 'dsa'])('%s: fingerprint equals ssh-keygen -l', (kind) => {
    const { publicLine, privatePath } = keys.key(kind);
    const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${privatePath}.pub`], { encoding: 'utf8' });
    const blob = parseSshPublicKey(publicLine).blob;
    expect(out.split(' ')[1]).toBe(fingerprint(blob));
    expect(Buffer.from(publicKeyHash(blob), 'hex').toString('base64').replace(/=+$/, '')).toBe(
      fingerprint(blob).slice('SHA256:'.length),
    );
  });

  it('formats authorized_keys lines and extracts the key body', () => {
    const line = keys.pub('ed25519');
    const blob = blobOf(line);
    expect(formatAuthorizedKey(blob)).toBe(`ssh-ed25519 ${base64Of(line)}`);
    expect(formatAuthorizedKey(blob, 'me@host')).toBe(`ssh-ed25519 ${base64Of(line)} me@host`);
    expect(keyBodyOf(blob)).toEqual(blob.subarray(4 + 'ssh-ed25519'.length));
  });
});
