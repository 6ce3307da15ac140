// The staged CA rotation's pure rules (core/rotation.ts; issue 20, point 2): the stage read from the
// issuers, the keys hosts trust at each stage, the longest certificate lifetime, and the stage-3 time rule.

import { describe, expect, it } from 'vitest';
import {
  planRotationStage,
  resolveLongestTtl,
  resolveRotationStatus,
  type RotationIssuer,
} from '../../core/rotation.js';

const OLD: RotationIssuer = { id: 'id-old', name: '', isDefault: true, publicKey: 'ssh-ed25519 OLD\n' };
const NEW: RotationIssuer = { id: 'id-new', name: 'staged-1000', isDefault: false, publicKey: 'ssh-ed25519 NEW\n' };
const BACKUP: RotationIssuer = { id: 'id-bak', name: 'backup', isDefault: false, publicKey: 'ssh-ed25519 BAK\n' };
const LONGEST = { seconds: 3600, role: 'dev' };

describe('resolveRotationStatus', () => {
  it('reads steady, stage 1 and stage 2 from the issuers, and the keys hosts trust at each', () => {
    expect(resolveRotationStatus([OLD, BACKUP], 3600)).toEqual({
      stage: 0,
      current: OLD,
      others: [BACKUP],
      trustedKeys: [OLD.publicKey, BACKUP.publicKey],
    });
    expect(resolveRotationStatus([OLD, NEW], 3600)).toMatchObject({
      stage: 1,
      current: OLD,
      staged: NEW,
      trustedKeys: [OLD.publicKey, NEW.publicKey],
    });
    const retired = { ...OLD, name: 'retired-2000', isDefault: false };
    const active = { ...NEW, name: 'active-1000', isDefault: true };
    expect(resolveRotationStatus([retired, active], 3600)).toEqual({
      stage: 2,
      current: active,
      retired,
      stage2At: 2000,
      stage3AllowedAt: 5600,
      others: [],
      trustedKeys: [NEW.publicKey, OLD.publicKey],
    });
  });
});

describe('resolveLongestTtl', () => {
  it('takes the CA roles’ max_ttl, or the mount’s max when a role has none, and ignores OTP roles', () => {
    expect(
      resolveLongestTtl(
        [
          { name: 'short', keyType: 'ca', maxTtl: 60 },
          { name: 'otp', keyType: 'otp', maxTtl: 0 },
          { name: 'ci', keyType: 'ca', maxTtl: 7200 },
        ],
        86400,
      ),
    ).toEqual({ seconds: 7200, role: 'ci' });
    expect(resolveLongestTtl([{ name: 'dev', keyType: 'ca', maxTtl: 0 }], 86400)).toEqual({ seconds: 86400, role: 'dev' });
    expect(resolveLongestTtl([], 86400)).toEqual({ seconds: 0 });
  });
});

describe('planRotationStage', () => {
  const steady = resolveRotationStatus([OLD], 3600);
  const one = resolveRotationStatus([OLD, NEW], 3600);
  const two = resolveRotationStatus(
    [{ ...OLD, name: 'retired-2000', isDefault: false }, { ...NEW, isDefault: true }],
    3600,
  );

  it('runs the stages in order', () => {
    expect(planRotationStage(steady, 1, 1000, LONGEST)).toEqual({ step: { kind: 'stage1', stagedName: 'staged-1000' }, issues: [] });
    expect(planRotationStage(one, 2, 2000, LONGEST)).toEqual({
      step: { kind: 'stage2', newId: 'id-new', oldId: 'id-old', retiredName: 'retired-2000', activeName: 'active-1000' },
      issues: [],
    });
    expect(planRotationStage(two, 3, 5600, LONGEST)).toEqual({ step: { kind: 'stage3', retiredId: 'id-old' }, issues: [] });
  });

  it('refuses stage 3 until the longest lifetime has passed since stage 2, saying when it is allowed', () => {
    expect(planRotationStage(two, 3, 5599, LONGEST).issues).toEqual([
      {
        field: 'stage',
        message:
          'certificates signed by the old key before stage 2 (1970-01-01T00:33:20Z) may still be valid: stage 3 is allowed from 1970-01-01T01:33:20Z (role dev: certificates live up to 3600s), in 1s',
      },
    ]);
  });

  it.each([
    [steady, 2, 'no key is staged: run stage 1 first, and give every host the keys it renders, before the backend signs with a new key'],
    [one, 3, 'stage 2 has not run: the backend still signs with the old key, which hosts must keep trusting; run stage 2 first'],
    [two, 1, 'stage 2 ran at 1970-01-01T00:33:20Z: finish this rotation with stage 3 (allowed from 1970-01-01T01:33:20Z) before staging another key'],
  ] as const)('refuses a stage out of order (%#)', (status, stage, message) => {
    expect(planRotationStage(status, stage, 3000, LONGEST).issues).toEqual([{ field: 'stage', message }]);
  });

  it('does nothing when a stage already ran, and refuses without a CA', () => {
    expect(planRotationStage(one, 1, 3000, LONGEST).step).toEqual({ kind: 'nothing', reason: 'stage 1 already ran: staged-1000 is staged' });
    expect(planRotationStage(two, 2, 3000, LONGEST).step?.kind).toBe('nothing');
    expect(planRotationStage(steady, 3, 3000, LONGEST).step).toEqual({ kind: 'nothing', reason: 'no retired key: nothing to drop' });
    expect(planRotationStage(resolveRotationStatus([], 0), 1, 0, LONGEST).issues).toHaveLength(1);
  });
});
