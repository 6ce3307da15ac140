// The CA signature algorithm (reference §3.7): "default" is rsa-sha2-256 on RSA CAs and the key's own
// algorithm otherwise; SHA-1 ssh-rsa only when the role names it; an RSA signer on a non-RSA CA is a 500.

import { beforeAll, describe, expect, it } from 'vitest';
import type { CaKey } from '../../../core/keys/ca-key.js';
import { generateKeyPair } from '../../../server/ssh/generate-key-pair.js';
import { resolveSignatureAlgorithm } from '../../../core/policy/signature-algorithm.js';
import type { AlgorithmSigner } from '../../../core/role.js';
import { caught } from '../fixtures.js';

const cas: Record<string, CaKey> = {};
beforeAll(() => {
  cas.rsa = generateKeyPair('rsa', 2048).caKey;
  cas.ed25519 = generateKeyPair('ed25519', 0).caKey;
  cas.p256 = generateKeyPair('ec', 256).caKey;
  cas.p384 = generateKeyPair('ec', 384).caKey;
  cas.p521 = generateKeyPair('ec', 521).caKey;
});

describe('resolveSignatureAlgorithm', () => {
  it.each<[AlgorithmSigner, string, string]>([
    ['default', 'rsa', 'rsa-sha2-256'],
    ['default', 'ed25519', 'ssh-ed25519'],
    ['default', 'p256', 'ecdsa-sha2-nistp256'],
    ['default', 'p384', 'ecdsa-sha2-nistp384'],
    ['default', 'p521', 'ecdsa-sha2-nistp521'],
    ['ssh-rsa', 'rsa', 'ssh-rsa'],
    ['rsa-sha2-256', 'rsa', 'rsa-sha2-256'],
    ['rsa-sha2-512', 'rsa', 'rsa-sha2-512'],
  ])('%s on a %s CA signs with %s', (signer, ca, algorithm) => {
    expect(resolveSignatureAlgorithm(signer, cas[ca]!)).toBe(algorithm);
  });

  it.each<[AlgorithmSigner, string, string]>([
    ['rsa-sha2-256', 'ed25519', 'ssh-ed25519'],
    ['ssh-rsa', 'p256', 'ecdsa-sha2-nistp256'],
    ['rsa-sha2-512', 'p521', 'ecdsa-sha2-nistp521'],
  ])('%s on a %s CA is a 500', (signer, ca, keyFormat) => {
    expect(caught(() => resolveSignatureAlgorithm(signer, cas[ca]!))).toEqual({
      message: `failed to generate signed SSH key: sign error: ssh: unsupported signature algorithm "${signer}" for key format "${keyFormat}"`,
      name: 'InternalError',
      status: 500,
    });
  });
});
