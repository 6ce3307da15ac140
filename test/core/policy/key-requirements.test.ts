// Public-key restrictions (reference §3.6): allowed_user_key_lengths is an exact-size allow-list per
// key type name; an empty map allows every key. Keys come from ssh-keygen.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSshPublicKey } from '../../../core/keys/public-key.js';
import { validateKeyRequirements } from '../../../core/policy/key-requirements.js';
import { KeyDir, caRole, caught, type KeyKind } from '../fixtures.js';

let keys: KeyDir;
beforeAll(() => {
  keys = new KeyDir('keyreq');
});
afterAll(() => keys.dispose());

const check = (lengths: Record<string, unknown>, kind: KeyKind) => () =>
  validateKeyRequirements(caRole({ allowed_user_key_lengths: lengths }), parseSshPublicKey(keys.pub(kind)));

describe('validateKeyRequirements', () => {
  it.each<KeyKind>(['ed25519', 'rsa1024', 'rsa2048', 'ecdsa256', 'ecdsa521', 'dsa'])(
    'an empty map allows %s (no built-in minimum)',
    (kind) => {
      expect(check({}, kind)).not.toThrow();
    },
  );

  it.each<[Record<string, unknown>, KeyKind]>([
    [{ rsa: 2048 }, 'rsa2048'],
    [{ 'ssh-rsa': [2048] }, 'rsa2048'],
    [{ rsa: '3072,2048' }, 'rsa2048'],
    [{ rsa: [3072, 4096] }, 'rsa3072'],
    [{ rsa: [1024], 'ssh-rsa': [2048] }, 'rsa2048'],
    [{ dsa: [1024] }, 'dsa'],
    [{ 'ssh-dss': 1024 }, 'dsa'],
    [{ ecdsa: [256] }, 'ecdsa256'],
    [{ ec: [384] }, 'ecdsa384'],
    [{ ecdsa: [256, 521] }, 'ecdsa521'],
    // curve-name keys: any value passes
    [{ 'ecdsa-sha2-nistp256': [0] }, 'ecdsa256'],
    [{ 'ecdsa-sha2-nistp384': [12345] }, 'ecdsa384'],
    [{ 'ecdsa-sha2-nistp521': 0 }, 'ecdsa521'],
    // ed25519: any value passes
    [{ ed25519: [0] }, 'ed25519'],
    [{ ed25519: [256] }, 'ed25519'],
    [{ 'ssh-ed25519': 1 }, 'ed25519'],
  ])('%j allows %s', (lengths, kind) => {
    expect(check(lengths, kind)).not.toThrow();
  });

  it.each<[Record<string, unknown>, KeyKind, string]>([
    [{ rsa: [2048] }, 'ed25519', 'key of type ed25519 is not allowed'],
    [{ rsa: [2048] }, 'dsa', 'key of type dsa is not allowed'],
    [{ rsa: [2048] }, 'ecdsa256', 'key of type ecdsa is not allowed'],
    [{ ed25519: [0] }, 'rsa2048', 'key of type rsa is not allowed'],
    [{ 'ecdsa-sha2-nistp256': [0] }, 'ecdsa384', 'key of type ecdsa is not allowed'],
    // case-sensitive names
    [{ RSA: [2048] }, 'rsa2048', 'key of type rsa is not allowed'],
    [{ ED25519: [0] }, 'ed25519', 'key of type ed25519 is not allowed'],
    // exact sizes, not a minimum
    [{ rsa: [2048] }, 'rsa1024', 'key is of an invalid size: 1024'],
    [{ rsa: [3072, 4096] }, 'rsa2048', 'key is of an invalid size: 2048'],
    [{ 'ssh-rsa': [4096] }, 'rsa3072', 'key is of an invalid size: 3072'],
    [{ 'ssh-dss': [2048] }, 'dsa', 'key is of an invalid size: 1024'],
    [{ ecdsa: [256] }, 'ecdsa384', 'key is of an invalid size: 384'],
    [{ ec: [521] }, 'ecdsa256', 'key is of an invalid size: 256'],
    // a listed type with no sizes allows nothing; Ed25519 reports 0 bits
    [{ ed25519: [] }, 'ed25519', 'key is of an invalid size: 0'],
    [{ rsa: [] }, 'rsa2048', 'key is of an invalid size: 2048'],
  ])('%j refuses %s: %s', (lengths, kind, cause) => {
    expect(caught(check(lengths, kind))).toEqual({
      message: `public_key failed to meet the key requirements: ${cause}`,
      name: 'RequestError',
      status: 400,
    });
  });
});
