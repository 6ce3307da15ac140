// `SshRevocation` (issue 20, point 1): one revocation of an SSH mount, a certificate serial, a key ID
// or a public key, recorded in the KV version 2 secret `<kvMount>/data/revocations/<mount>` with the
// same client code as `sshca revoke` (client/revocations-api.ts: check-and-set, retried on conflict,
// so records of `sshca revoke` and of other resources are kept). Create adds the record (a record
// already revoking the same thing is adopted), delete removes it, read (refresh) shows whether it is
// still recorded: a record removed behind Pulumi's back makes the resource disappear, and the next
// `pulumi up` records it again. Hosts refuse it once they get the new KRL (`sshca render --format krl`).
// Replaces (delete first): `mount`, `kvMount`, `serial`, `keyId`, `publicKey`. Updates in place:
// `reason`. Outputs: the inputs, `caKey` (the CA whose certificates a serial or key ID revokes),
// `revokedAt` and `by`.

import * as pulumi from '@pulumi/pulumi';
import { readCaPublicKey } from '../client/ssh-api.js';
import { DEFAULT_KV_MOUNT, addRevocation, changeRevocation, readRevocations } from '../client/revocations-api.js';
import { RequestError } from '../core/errors.js';
import { findRevocation, type RevocationRecord } from '../core/krl/revocations.js';
import { revocationCandidate, validateRevocationSpec, type RevocationCandidate } from '../core/revocation-spec.js';
import { connect, type ConnectionInputs } from './connection.js';
import { checkFailures, defined, replacements } from './provider-kit.js';
import { resourceArgs, type ConnectionArgs } from './resource-kit.js';

/** What the SshRevocation provider receives. */
export interface SshRevocationInputs extends ConnectionInputs {
  readonly mount: string;
  readonly kvMount?: string;
  readonly serial?: string | number;
  readonly keyId?: string;
  readonly publicKey?: string;
  readonly reason?: string;
}

/** Its outputs: the inputs and the record's CA, time and author. */
interface SshRevocationOutputs extends SshRevocationInputs {
  readonly caKey: string;
  readonly revokedAt: string;
  readonly by: string;
}

const kvMountOf = (i: SshRevocationInputs) => i.kvMount ?? DEFAULT_KV_MOUNT;
const candidateOf = (o: SshRevocationOutputs): RevocationCandidate =>
  revocationCandidate(o, o.caKey || undefined, o.mount);

/** The dynamic provider behind SshRevocation (serialized into the stack's state). */
export const sshRevocationProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: SshRevocationInputs) {
    const issues = validateRevocationSpec(news);
    if (typeof news.mount !== 'string' || news.mount.replace(/^\/+|\/+$/g, '') === '') {
      issues.unshift({ field: 'mount', message: 'mount must name the SSH mount, e.g. ssh-dev' });
    }
    return { inputs: news, failures: checkFailures(issues) };
  },
  async diff(_id, olds: SshRevocationOutputs, news: SshRevocationInputs) {
    const replaces = replacements({ ...olds, kvMount: kvMountOf(olds) }, { ...news, kvMount: kvMountOf(news) }, [
      'mount',
      'kvMount',
      'serial',
      'keyId',
      'publicKey',
    ]);
    const changed =
      (olds.reason ?? '') !== (news.reason ?? '') || olds.address !== news.address || olds.token !== news.token;
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: true };
  },
  async create(inputs: SshRevocationInputs) {
    const client = connect(inputs);
    const mount = inputs.mount.replace(/^\/+|\/+$/g, '');
    // The CA key: serials and key IDs are of it, and a public key must not be it.
    const ca = await readCaPublicKey(client, mount);
    if (!ca) throw new RequestError(`mount ${mount} has no CA key: check mount`);
    const candidate = revocationCandidate(inputs, ca, mount);
    let by = 'unknown';
    try {
      by = (await client.read<{ display_name?: string }>('auth/token/lookup-self'))?.data?.display_name || 'unknown';
    } catch {
      // the token may not look itself up
    }
    const record: RevocationRecord = {
      ...candidate,
      reason: inputs.reason ?? '',
      revoked_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      by,
    };
    const { previous } = await addRevocation(client, kvMountOf(inputs), mount, record);
    const kept = previous ?? record;
    const value =
      candidate.type === 'serial'
        ? candidate.serial
        : candidate.type === 'key_id'
          ? candidate.key_id
          : candidate.public_key;
    return {
      id: `${kvMountOf(inputs)}/data/revocations/${mount}#${candidate.type}:${value}`,
      outs: defined({ ...inputs, caKey: candidate.ca_key, revokedAt: kept.revoked_at, by: kept.by }),
    };
  },
  async read(id, props: SshRevocationOutputs) {
    const { records } = await readRevocations(connect(props), kvMountOf(props), props.mount.replace(/^\/+|\/+$/g, ''));
    const found = findRevocation(records, candidateOf(props));
    if (!found) return {};
    const reason = found.reason === (props.reason ?? '') ? props.reason : found.reason;
    return { id, props: defined({ ...props, reason, revokedAt: found.revoked_at, by: found.by }) };
  },
  async update(_id, olds: SshRevocationOutputs, news: SshRevocationInputs) {
    const found = await changeRevocation(
      connect(news),
      kvMountOf(news),
      news.mount.replace(/^\/+|\/+$/g, ''),
      candidateOf(olds),
      (r) => ({
        ...r,
        reason: news.reason ?? '',
      }),
    );
    if (!found)
      throw new RequestError(
        `the revocation ${_id} is no longer recorded: refresh (pulumi refresh) to record it again`,
      );
    return { outs: defined({ ...news, caKey: olds.caKey, revokedAt: found.revoked_at, by: found.by }) };
  },
  async delete(_id, props: SshRevocationOutputs) {
    await changeRevocation(
      connect(props),
      kvMountOf(props),
      props.mount.replace(/^\/+|\/+$/g, ''),
      candidateOf(props),
      () => undefined,
    );
  },
};

/** Arguments of an SshRevocation: exactly one of `serial`, `keyId` and `publicKey`. */
export interface SshRevocationArgs extends ConnectionArgs {
  /** The SSH mount (environment) whose certificates are revoked, e.g. `ssh-dev`. Changing it replaces. */
  readonly mount: pulumi.Input<string>;
  /** The KV version 2 mount holding the revocations (as `sshca revoke --kv-mount`). Changing it replaces. @default - `sshca` */
  readonly kvMount?: pulumi.Input<string>;
  /** Certificate serial, decimal or `0x<hex>` (Vault's `serial_number`), of the mount's CA key. Changing it replaces. @default - none: keyId or publicKey */
  readonly serial?: pulumi.Input<string | number>;
  /** Certificate key ID: every certificate of that identity, from every CA key of the mount. Changing it replaces. @default - none: serial or publicKey */
  readonly keyId?: pulumi.Input<string>;
  /** A public key (not a certificate) revoked outright, certified or not. Changing it replaces. @default - none: serial or keyId */
  readonly publicKey?: pulumi.Input<string>;
  /** Why, kept with the record (`sshca revoke --list` shows it). Updates in place. @default - "" (no reason) */
  readonly reason?: pulumi.Input<string>;
}

/** One revocation of an SSH mount, recorded in `<kvMount>/data/revocations/<mount>`. */
export class SshRevocation extends pulumi.dynamic.Resource {
  /** The CA key (`<algorithm> <base64>`) whose certificates a serial or key ID revocation revokes; "" for a public key. */
  declare readonly caKey: pulumi.Output<string>;
  /** When the record was made (RFC 3339). */
  declare readonly revokedAt: pulumi.Output<string>;
  /** Who made it (the token's display name). */
  declare readonly by: pulumi.Output<string>;

  constructor(name: string, args: SshRevocationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      ...resourceArgs(
        sshRevocationProvider,
        'SshRevocation',
        name,
        { ...args, caKey: undefined, revokedAt: undefined, by: undefined },
        opts,
      ),
    );
  }
}
