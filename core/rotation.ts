// Staged CA rotation (issue 20, point 2), pure: where a mount's rotation stands, read from its issuers
// (OpenBao's multi-issuer SSH API, reference §2.16), which keys hosts must trust, and whether a stage
// may run now. The state lives in the backend, in issuer names, so every operator and every run of
// the tooling sees the same rotation:
//
//   steady   one default issuer (plus any other, e.g. a backup CA)
//   stage 1  a non-default issuer named `staged-<unix time>`: hosts trust the old and the new key
//   stage 2  the new key is the default; the old one is named `retired-<unix time of stage 2>`:
//            the backend signs with the new key while certificates of the old one may still be valid
//   stage 3  the retired issuer is deleted and hosts drop its key: allowed once the longest
//            certificate lifetime on the mount (the roles' max_ttl, else the mount's) has passed
//            since stage 2, so no certificate the old key signed is still valid.
//
// No moment refuses a valid login: hosts trust both keys before the backend signs with the new one,
// and stop trusting the old one only after its last certificate has expired.

import type { Issue } from './errors.js';

/** The stages `sshca rotate --stage` runs. */
export type RotationStage = 1 | 2 | 3;

/** One issuer of the mount, as `LIST <mount>/issuers` describes it. */
export interface RotationIssuer {
  readonly id: string;
  /** `""` when unnamed (a CA made through config/ca). */
  readonly name: string;
  readonly isDefault: boolean;
  readonly publicKey: string;
}

/** Where a rotation stands. */
export interface RotationStatus {
  /** 0 = steady (no rotation in progress), else the last stage that ran. */
  readonly stage: 0 | 1 | 2;
  /** The key the backend signs with; undefined when the mount has no default issuer. */
  readonly current?: RotationIssuer;
  /** Stage 1: the next key, trusted by hosts, not yet signing. */
  readonly staged?: RotationIssuer;
  /** Stage 2: the previous key, still trusted by hosts until stage 3. */
  readonly retired?: RotationIssuer;
  /** Stage 2: when the backend started signing with the new key (Unix seconds). */
  readonly stage2At?: number;
  /** Stage 2: from when stage 3 may run (Unix seconds). */
  readonly stage3AllowedAt?: number;
  /** Other issuers of the mount (a backup CA, say): hosts keep trusting them. */
  readonly others: readonly RotationIssuer[];
  /** The CA keys hosts must trust now (TrustedUserCAKeys), the signing key first. */
  readonly trustedKeys: readonly string[];
}

export const STAGED_PREFIX = 'staged-';
export const RETIRED_PREFIX = 'retired-';
export const ACTIVE_PREFIX = 'active-';

/** The issuer name of a key staged at `now` (stage 1). */
export const stagedIssuerName = (now: number): string => `${STAGED_PREFIX}${now}`;
/** The name the old key takes at stage 2, `now` being the moment the new key starts signing. */
export const retiredIssuerName = (now: number): string => `${RETIRED_PREFIX}${now}`;
/** The name the new key takes at stage 2. */
export const activeIssuerName = (now: number): string => `${ACTIVE_PREFIX}${now}`;

const stampOf = (name: string, prefix: string): number | undefined => {
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^\d+$/.test(rest) ? Number(rest) : undefined;
};

/** A role as the stage-3 rule needs it (Vault's read shape: `key_type`, `max_ttl` in seconds). */
export interface RotationRole {
  readonly name: string;
  readonly keyType: string;
  /** Seconds; 0 = the mount's max lease TTL. */
  readonly maxTtl: number;
}

/** The longest certificate lifetime the mount's roles may sign, and the role that has it. */
export interface LongestTtl {
  readonly seconds: number;
  /** The role with that lifetime; undefined when the mount has no CA role. */
  readonly role?: string;
}

/**
 * The longest lifetime a certificate signed on the mount may have: over its CA roles, the role's
 * `max_ttl`, or the mount's max lease TTL when the role has none (Vault clamps a defaulted TTL to it
 * and refuses a longer explicit one). `mountMaxTtl` is the mount's effective max lease TTL in seconds.
 */
export function resolveLongestTtl(roles: readonly RotationRole[], mountMaxTtl: number): LongestTtl {
  let best: LongestTtl = { seconds: 0 };
  for (const role of roles) {
    if (role.keyType !== 'ca') continue;
    const seconds = role.maxTtl > 0 ? role.maxTtl : mountMaxTtl;
    if (best.role === undefined || seconds > best.seconds) best = { seconds, role: role.name };
  }
  return best;
}

/** Where the rotation of a mount with these issuers stands; `longestTtl` in seconds. */
export function resolveRotationStatus(issuers: readonly RotationIssuer[], longestTtl: number): RotationStatus {
  const current = issuers.find((i) => i.isDefault);
  const rest = issuers.filter((i) => !i.isDefault);
  const staged = rest.find((i) => stampOf(i.name, STAGED_PREFIX) !== undefined);
  const retired = rest.find((i) => stampOf(i.name, RETIRED_PREFIX) !== undefined);
  const others = rest.filter((i) => i !== staged && i !== retired);
  const stage2At = retired ? stampOf(retired.name, RETIRED_PREFIX) : undefined;
  const trustedKeys = [current, staged, retired, ...others].filter((i) => i !== undefined).map((i) => i.publicKey);
  return {
    stage: retired ? 2 : staged ? 1 : 0,
    ...(current ? { current } : {}),
    ...(staged ? { staged } : {}),
    ...(retired ? { retired, stage2At, stage3AllowedAt: stage2At! + longestTtl } : {}),
    others,
    trustedKeys,
  };
}

/** Where a rotation stands, in words (`sshca rotate --status`, the report page). */
export const ROTATION_STAGE_TEXT: Readonly<Record<RotationStatus['stage'], string>> = {
  0: 'steady: one signing key, no rotation in progress',
  1: 'stage 1: hosts trust the old and the new key; the backend signs with the old key',
  2: 'stage 2: the backend signs with the new key; hosts still trust the old key',
};

/** What running a stage does. */
export type RotationStep =
  | { readonly kind: 'stage1'; readonly stagedName: string }
  | { readonly kind: 'stage2'; readonly newId: string; readonly oldId: string; readonly retiredName: string; readonly activeName: string }
  | { readonly kind: 'stage3'; readonly retiredId: string }
  | { readonly kind: 'nothing'; readonly reason: string };

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/**
 * The step `sshca rotate --stage <stage>` takes at `now` (Unix seconds), or the issues that refuse
 * it: each says what is wrong and what to run instead. Running a stage that already ran does nothing.
 */
export function planRotationStage(
  status: RotationStatus,
  stage: RotationStage,
  now: number,
  longest: LongestTtl,
): { readonly step?: RotationStep; readonly issues: readonly Issue[] } {
  const refuse = (message: string) => ({ issues: [{ field: 'stage', message }] });
  if (!status.current) {
    return refuse('the mount has no default issuer: configure its CA first (config/ca or issuers/import)');
  }
  switch (stage) {
    case 1:
      if (status.stage === 2) {
        return refuse(
          `stage 2 ran at ${iso(status.stage2At!)}: finish this rotation with stage 3 (allowed from ${iso(status.stage3AllowedAt!)}) before staging another key`,
        );
      }
      if (status.stage === 1) return { step: { kind: 'nothing', reason: `stage 1 already ran: ${status.staged!.name} is staged` }, issues: [] };
      return { step: { kind: 'stage1', stagedName: stagedIssuerName(now) }, issues: [] };
    case 2:
      if (status.stage === 0) {
        return refuse('no key is staged: run stage 1 first, and give every host the keys it renders, before the backend signs with a new key');
      }
      if (status.stage === 2) return { step: { kind: 'nothing', reason: `stage 2 already ran at ${iso(status.stage2At!)}` }, issues: [] };
      return {
        step: {
          kind: 'stage2',
          newId: status.staged!.id,
          oldId: status.current.id,
          retiredName: retiredIssuerName(now),
          activeName: activeIssuerName(stampOf(status.staged!.name, STAGED_PREFIX)!),
        },
        issues: [],
      };
    case 3:
      if (status.stage === 0) return { step: { kind: 'nothing', reason: 'no retired key: nothing to drop' }, issues: [] };
      if (status.stage === 1) {
        return refuse('stage 2 has not run: the backend still signs with the old key, which hosts must keep trusting; run stage 2 first');
      }
      if (now < status.stage3AllowedAt!) {
        const why = longest.role !== undefined ? ` (role ${longest.role}: certificates live up to ${longest.seconds}s)` : '';
        return refuse(
          `certificates signed by the old key before stage 2 (${iso(status.stage2At!)}) may still be valid: stage 3 is allowed from ${iso(status.stage3AllowedAt!)}${why}, in ${status.stage3AllowedAt! - now}s`,
        );
      }
      return { step: { kind: 'stage3', retiredId: status.retired!.id }, issues: [] };
  }
}

/**
 * The `rotation` input of the Pulumi and CDKTF `SshCertificateAuthority` (and `SshEnvironment`): the
 * stage of `sshca rotate` the CA should stand at. Moving `stage` from n to n+1 runs that stage; after
 * stage 3, stage 1 starts the next rotation.
 */
export interface RotationSpec {
  /**
   * 1: a next key is staged and hosts trust both; 2: the backend signs with the next key, hosts still
   * trust both; 3: the old key is dropped (refused until the longest certificate lifetime has passed
   * since stage 2).
   */
  readonly stage: RotationStage;
  /**
   * The next key's type: `ed25519`, `rsa` or `ec` (or their OpenSSH names).
   * @default - `ed25519`
   */
  readonly nextKeyType?: string;
}

/** The mount Vault's second-mount path stages the next CA on (the IaC surfaces on Vault). */
export const nextRotationMount = (mount: string): string => `${mount}-next`;

/**
 * What `sshca rotate` and the IaC resources say on a backend without OpenBao's issuers API (Vault),
 * where a mount keeps one CA: the second-mount path, which the CDKTF construct implements.
 */
export const vaultRotationMessage = (mount: string): string =>
  `mount ${mount} is on a backend without OpenBao's issuers API (Vault keeps one CA per mount): ` +
  `the rotation takes the second-mount path: stage 1 enables a mount ${nextRotationMount(mount)} with a new CA and ` +
  `its roles, hosts trust both mounts' keys; stage 2 moves clients and policies to ${nextRotationMount(mount)}; stage 3 ` +
  `drops ${mount}'s key after its longest max_ttl. sshca rotate runs the stages on OpenBao 2.3+ and the ` +
  `embedded server only`;

/** The message a refused stage gives, as `sshca rotate` prints it. */
export const rotationRefusal = (issues: readonly Issue[]): string => `rotate: ${issues.map((i) => i.message).join('; ')}`;

/** Every problem of a `rotation` input, fields named `rotation.<member>`. */
export function validateRotationSpec(spec: RotationSpec | undefined): Issue[] {
  if (spec === undefined) return [];
  const issues: Issue[] = [];
  if (typeof spec !== 'object' || spec === null) return [{ field: 'rotation', message: 'rotation must be an object { stage, nextKeyType? }' }];
  const stage: unknown = spec.stage;
  if (stage !== 1 && stage !== 2 && stage !== 3) {
    issues.push({ field: 'rotation.stage', message: `rotation.stage must be 1, 2 or 3, got ${JSON.stringify(stage ?? null)}` });
  }
  if (spec.nextKeyType !== undefined) {
    const known = ['ed25519', 'ssh-ed25519', 'rsa', 'ssh-rsa', 'ec', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'];
    if (typeof spec.nextKeyType !== 'string' || !known.includes(spec.nextKeyType)) {
      issues.push({
        field: 'rotation.nextKeyType',
        message: `rotation.nextKeyType must be ed25519, rsa or ec (or their OpenSSH names), got ${JSON.stringify(spec.nextKeyType)}`,
      });
    }
  }
  for (const key of Object.keys(spec)) {
    if (key !== 'stage' && key !== 'nextKeyType') issues.push({ field: `rotation.${key}`, message: `unknown rotation member ${key}` });
  }
  return issues;
}

/**
 * Whether an update may take `rotation` from `old` to `next`: one stage at a time (each needs the
 * hosts' trust of the one before), a new rotation (stage 1) only from none or after stage 3, and
 * `rotation` removed only when none is in progress (after stage 3).
 */
export function validateRotationChange(old: RotationSpec | undefined, next: RotationSpec | undefined): Issue[] {
  const from = old?.stage ?? 0;
  const to = next?.stage ?? 0;
  if (from === to) return [];
  if (to === 0) {
    return from === 3 ? [] : [{ field: 'rotation', message: `a rotation is in progress (stage ${from}): finish it (stage 3) before removing rotation` }];
  }
  if (to === from + 1 || (to === 1 && from === 3)) return [];
  return [
    {
      field: 'rotation.stage',
      message: `rotation.stage may only move one stage at a time (from ${from === 0 ? 'no rotation' : from} to ${from === 3 || from === 0 ? 1 : from + 1}), got ${to}`,
    },
  ];
}

/** The mount that signs at this rotation stage on Vault's second-mount path: the next one from stage 2. */
export const signingMountOnVault = (mount: string, spec: RotationSpec | undefined): string =>
  spec !== undefined && spec.stage >= 2 ? nextRotationMount(mount) : mount;
