// The `rotation` input's validators (issue 20, point 2), shared by the Pulumi and CDKTF
// SshCertificateAuthority: the spec itself, and the stage change an update may make.

import { describe, expect, it } from 'vitest';
import {
  signingMountOnVault,
  validateRotationChange,
  validateRotationSpec,
  vaultRotationMessage,
  type RotationSpec,
} from '../../core/rotation.js';

describe('validateRotationSpec', () => {
  it.each<[string, unknown, Array<{ field: string; message: string }>]>([
    ['none', undefined, []],
    ['stage 1', { stage: 1 }, []],
    ['stage 2 with an rsa next key', { stage: 2, nextKeyType: 'rsa' }, []],
    ['stage 3 with an OpenSSH key name', { stage: 3, nextKeyType: 'ecdsa-sha2-nistp384' }, []],
    ['stage 0', { stage: 0 }, [{ field: 'rotation.stage', message: 'rotation.stage must be 1, 2 or 3, got 0' }]],
    [
      'stage as a string',
      { stage: '2' },
      [{ field: 'rotation.stage', message: 'rotation.stage must be 1, 2 or 3, got "2"' }],
    ],
    ['no stage', {}, [{ field: 'rotation.stage', message: 'rotation.stage must be 1, 2 or 3, got null' }]],
    [
      'an unknown key type',
      { stage: 1, nextKeyType: 'dsa' },
      [
        {
          field: 'rotation.nextKeyType',
          message: 'rotation.nextKeyType must be ed25519, rsa or ec (or their OpenSSH names), got "dsa"',
        },
      ],
    ],
    [
      'an unknown member',
      { stage: 1, keyType: 'rsa' },
      [{ field: 'rotation.keyType', message: 'unknown rotation member keyType' }],
    ],
    [
      'not an object',
      'stage 1',
      [{ field: 'rotation', message: 'rotation must be an object { stage, nextKeyType? }' }],
    ],
  ])('%s', (_label, spec, issues) => {
    expect(validateRotationSpec(spec as RotationSpec)).toEqual(issues);
  });
});

describe('validateRotationChange', () => {
  const at = (stage: 1 | 2 | 3): RotationSpec => ({ stage });
  it.each<[string, RotationSpec | undefined, RotationSpec | undefined, string[]]>([
    ['none → none', undefined, undefined, []],
    ['none → 1', undefined, at(1), []],
    ['1 → 2', at(1), at(2), []],
    ['2 → 3', at(2), at(3), []],
    ['3 → 1 (the next rotation)', at(3), at(1), []],
    ['3 → none', at(3), undefined, []],
    ['2 → 2 (unchanged)', at(2), at(2), []],
    ['none → 2', undefined, at(2), ['rotation.stage may only move one stage at a time (from no rotation to 1), got 2']],
    ['1 → 3', at(1), at(3), ['rotation.stage may only move one stage at a time (from 1 to 2), got 3']],
    ['2 → 1', at(2), at(1), ['rotation.stage may only move one stage at a time (from 2 to 3), got 1']],
    [
      '1 → none',
      at(1),
      undefined,
      ['a rotation is in progress (stage 1): finish it (stage 3) before removing rotation'],
    ],
    [
      '2 → none',
      at(2),
      undefined,
      ['a rotation is in progress (stage 2): finish it (stage 3) before removing rotation'],
    ],
  ])('%s', (_label, old, next, messages) => {
    expect(validateRotationChange(old, next).map((i) => i.message)).toEqual(messages);
  });
});

describe("Vault's second-mount path", () => {
  const at = (stage: 1 | 2 | 3): RotationSpec => ({ stage });
  it('signs on <mount>-next from stage 2', () => {
    expect([undefined, at(1), at(2), at(3)].map((r) => signingMountOnVault('ssh-dev', r))).toEqual([
      'ssh-dev',
      'ssh-dev',
      'ssh-dev-next',
      'ssh-dev-next',
    ]);
    expect(vaultRotationMessage('ssh-dev')).toMatch(
      /^mount ssh-dev is on a backend without OpenBao's issuers API .* stage 1 enables a mount ssh-dev-next/,
    );
  });
});
