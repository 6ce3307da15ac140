// `sshca revoke`: record that a certificate (by serial or key ID) or a public key of one SSH mount is
// revoked, in a KV version 2 secret of the backend (`<kv mount>/data/revocations/<ssh mount>`), so
// that it works on Vault, OpenBao and the embedded server alike; `--list` shows the records. The
// write is a check-and-set retried on conflict: parallel revocations never lose each other. Hosts
// get the result as a KRL: `sshca render --format krl` (cli/render-krl.ts).

import { parseArgs } from 'node:util';
import { clientOptionsFromEnv } from '../client/env.js';
import { DEFAULT_KV_MOUNT, addRevocation, readRevocations } from '../client/revocations-api.js';
import { VaultClient } from '../client/vault-client.js';
import { parseCertificate } from '../core/cert/certificate.js';
import { RequestError, UsageError } from '../core/errors.js';
import { revocationsKey, type RevocationRecord } from '../core/krl/revocations.js';
import { fingerprint, formatAuthorizedKey, parseSshPublicKey } from '../core/keys/public-key.js';
import { normaliseMount, required, usageErrors } from './args.js';
import type { Command } from './command.js';
import { readText } from './files.js';
import { fetchCaPublicKey } from './host-ca.js';

// The KV calls are shared with the Pulumi SshRevocation (client/revocations-api.ts).
export { DEFAULT_KV_MOUNT, kvFailure, readRevocations } from '../client/revocations-api.js';

const HELP = `Usage: sshca revoke --mount MOUNT (--serial N | --key-id ID | --certificate FILE | --public-key FILE)
                    [--reason TEXT] [--kv-mount KV_MOUNT] [--address URL]
       sshca revoke --mount MOUNT --list [--json] [--kv-mount KV_MOUNT] [--address URL]

Revoke certificates of one SSH mount (environment) before they expire: by serial, by key ID (every
certificate of that identity, from every CA of the mount), from a certificate file, or a public
key outright. The revocation is recorded in the backend, in the KV version 2 secret
KV_MOUNT/data/revocations/MOUNT (Vault, OpenBao and sshca serve alike; concurrent revocations are
merged, never lost). Hosts refuse what is revoked once they have the KRL:

  sshca render --format krl --mount MOUNT --out /etc/ssh/sshca/revoked_keys
  # sshd_config: RevokedKeys /etc/ssh/sshca/revoked_keys

The KV mount must exist (once per backend): vault secrets enable -path=${DEFAULT_KV_MOUNT} kv-v2
The token needs read and update (create for the first one) on KV_MOUNT/data/revocations/MOUNT,
read on KV_MOUNT/metadata/revocations/MOUNT; --list needs read on the data path.

Options:
  --mount MOUNT          SSH secrets engine mount, e.g. ssh-dev
  --serial N             certificate serial: decimal as "ssh-keygen -L" shows it, or 0x<hex> for the
                         serial_number Vault's sign answers with
  --key-id ID            certificate key ID (as "ssh-keygen -L" shows it, e.g. vault-userpass-alice-…)
  --certificate FILE     a certificate the mount issued (…-cert.pub): revokes its serial
  --public-key FILE      a public key (not a certificate): revokes the key itself, with or without
                         certificates
  --reason TEXT          why (kept with the record, shown by --list)
  --list                 show the mount's revocations (a table; --json for the records)
  --json                 with --list: print the records as JSON
  --kv-mount KV_MOUNT    KV version 2 mount holding the revocations (default ${DEFAULT_KV_MOUNT})
  --address URL          backend address (default: VAULT_ADDR or BAO_ADDR); the token is VAULT_TOKEN
  -h, --help             show this help

Exit codes: 0 revoked (or already revoked) or listed, 1 refused (no such mount, no CA, no KV mount,
a certificate of another CA, the CA key itself, permission denied), 2 bad command line.

Examples:
  sshca revoke --mount ssh-dev --serial 0x1c2f3e4d5a6b7c8d --reason "laptop stolen"
  sshca revoke --mount ssh-dev --key-id vault-userpass-alice-5e1c… --reason "left the company"
  sshca revoke --mount ssh-dev --certificate ~/.ssh/id_ed25519-cert.pub
  sshca revoke --mount ssh-prod --public-key leaked_key.pub --reason "key leaked"
  sshca revoke --mount ssh-dev --list
`;

const U64_MAX = (1n << 64n) - 1n;

/** A --serial value as a decimal string; UsageError for anything else. */
function serialOf(text: string): string {
  let value: bigint | undefined;
  if (/^\d+$/.test(text)) value = BigInt(text);
  else if (/^0x[0-9a-f]+$/i.test(text)) value = BigInt(text);
  if (value === undefined) {
    const hint = /^[0-9a-f]+$/i.test(text) ? `; did you mean 0x${text} (Vault's serial_number is hex)?` : '';
    throw new UsageError(
      `--serial takes a decimal serial (as ssh-keygen -L shows it) or 0x<hex>, got ${JSON.stringify(text)}${hint}`,
    );
  }
  if (value < 1n || value > U64_MAX) {
    throw new UsageError(`--serial must be between 1 and 2^64-1 (OpenSSH cannot revoke serial 0), got ${text}`);
  }
  return value.toString(10);
}

/** `<algorithm> <base64>` of a key line, without its comment. */
const keyLine = (text: string): string => formatAuthorizedKey(parseSshPublicKey(text.trim()).blob);

/** A client with the environment's token; RequestError when there is none. */
export function backendClient(address: string | undefined): VaultClient {
  const options = clientOptionsFromEnv(process.env, address ? { address } : {}, '--address');
  if (!options.token) {
    throw new RequestError('no Vault token: set VAULT_TOKEN (or BAO_TOKEN), e.g. after "sshca login" or "vault login"');
  }
  return new VaultClient(options);
}

/** Who the token is (its display name), for the record; "unknown" when the token may not look itself up. */
async function whoAmI(client: VaultClient): Promise<string> {
  try {
    const r = await client.read<{ display_name?: string }>('auth/token/lookup-self');
    return r?.data?.display_name || 'unknown';
  } catch {
    return 'unknown';
  }
}

type Candidate = Pick<RevocationRecord, 'type' | 'serial' | 'key_id' | 'public_key' | 'ca_key'>;

/** What the options revoke, checked against the mount's CA key. */
async function candidateOf(
  values: Record<string, string | boolean | undefined>,
  mount: string,
  address: string | undefined,
): Promise<{ candidate: Candidate; describe: string }> {
  const chosen = ['serial', 'key-id', 'certificate', 'public-key'].filter((k) => values[k] !== undefined);
  if (chosen.length !== 1) {
    throw new UsageError(
      chosen.length === 0
        ? 'say what to revoke: --serial N, --key-id ID, --certificate FILE or --public-key FILE (or --list)'
        : `give only one of ${chosen.map((c) => `--${c}`).join(', ')}`,
    );
  }
  if (values.serial !== undefined) {
    const serial = serialOf(values.serial as string);
    const ca = keyLine(await fetchCaPublicKey(mount, address));
    return { candidate: { type: 'serial', serial, ca_key: ca }, describe: `serial ${serial}` };
  }
  if (values['key-id'] !== undefined) {
    const keyId = values['key-id'] as string;
    if (keyId === '' || keyId.includes('\0')) throw new UsageError('--key-id must be a non-empty key ID');
    const ca = keyLine(await fetchCaPublicKey(mount, address));
    return { candidate: { type: 'key_id', key_id: keyId, ca_key: ca }, describe: `key ID ${JSON.stringify(keyId)}` };
  }
  if (values.certificate !== undefined) {
    const file = values.certificate as string;
    let cert;
    try {
      cert = parseCertificate(readText(file, 'certificate'));
    } catch (e) {
      if ((e as Error).name === 'RequestError') throw e;
      throw new RequestError(
        `${file} is not an OpenSSH certificate (${(e as Error).message}); for a plain public key use --public-key`,
      );
    }
    const ca = keyLine(await fetchCaPublicKey(mount, address));
    const caBlob = parseSshPublicKey(ca).blob;
    if (!cert.signatureKeyBlob.equals(caBlob)) {
      throw new RequestError(
        `${file} was signed by the CA ${fingerprint(cert.signatureKeyBlob)}, not by the CA of ${mount} ` +
          `(${fingerprint(caBlob)}): revoke it on the mount that issued it`,
      );
    }
    // As ssh-keygen's "key:" line: a certificate with serial 0 is revoked by its key ID.
    return cert.serial === 0n
      ? {
          candidate: { type: 'key_id', key_id: cert.keyId, ca_key: ca },
          describe: `key ID ${JSON.stringify(cert.keyId)} (the certificate's serial is 0)`,
        }
      : {
          candidate: { type: 'serial', serial: cert.serial.toString(10), key_id: cert.keyId, ca_key: ca },
          describe: `serial ${cert.serial} (key ID ${JSON.stringify(cert.keyId)})`,
        };
  }
  const file = values['public-key'] as string;
  const text = readText(file, 'public key').trim();
  if (/-cert-v01@openssh\.com/.test(text.split(/\s+/)[0] ?? '')) {
    throw new UsageError(`${file} is a certificate: revoke it with --certificate ${file}`);
  }
  let line: string;
  try {
    line = keyLine(text);
  } catch (e) {
    throw new RequestError(`${file}: ${(e as Error).message}`);
  }
  const ca = keyLine(await fetchCaPublicKey(mount, address));
  if (line === ca) {
    throw new RequestError(
      `${file} is the CA key of ${mount}: revoking it would refuse every certificate of the mount; ` +
        'rotate the CA instead',
    );
  }
  return {
    candidate: { type: 'public_key', public_key: line, ca_key: '' },
    describe: `public key ${fingerprint(parseSshPublicKey(line).blob)}`,
  };
}

function printList(records: readonly RevocationRecord[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
    return;
  }
  const rows = records.map((r) => [
    r.type,
    r.type === 'serial'
      ? r.serial!
      : r.type === 'key_id'
        ? r.key_id!
        : fingerprint(parseSshPublicKey(r.public_key!).blob),
    r.ca_key === '' ? '-' : fingerprint(parseSshPublicKey(r.ca_key).blob),
    r.revoked_at,
    r.by,
    r.reason,
  ]);
  const head = ['TYPE', 'REVOKED', 'CA', 'REVOKED_AT', 'BY', 'REASON'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    `${cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()}\n`;
  process.stdout.write(line(head) + rows.map(line).join(''));
}

export const revokeCommand: Command = {
  name: 'revoke',
  summary: 'revoke certificates (by serial, key ID, certificate) or a public key of a mount; list revocations',
  help: HELP,
  async run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          mount: { type: 'string' },
          serial: { type: 'string' },
          'key-id': { type: 'string' },
          certificate: { type: 'string' },
          'public-key': { type: 'string' },
          reason: { type: 'string' },
          list: { type: 'boolean' },
          json: { type: 'boolean' },
          'kv-mount': { type: 'string' },
          address: { type: 'string' },
        },
      }),
    );
    const mount = required(normaliseMount(values.mount), 'mount');
    const kvMount = normaliseMount(values['kv-mount'], 'kv-mount') ?? DEFAULT_KV_MOUNT;
    const address = values.address;
    if (values.list) {
      const given = ['serial', 'key-id', 'certificate', 'public-key', 'reason'].filter(
        (k) => values[k as keyof typeof values] !== undefined,
      );
      if (given.length > 0) throw new UsageError(`${given.map((g) => `--${g}`).join(', ')} cannot be used with --list`);
      const { records } = await readRevocations(backendClient(address), kvMount, mount);
      printList(records, values.json === true);
      return 0;
    }
    if (values.json) throw new UsageError('--json is for --list');
    const client = backendClient(address);
    const { candidate, describe } = await candidateOf(values, mount, address);
    const record: RevocationRecord = {
      ...candidate,
      reason: values.reason ?? '',
      revoked_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      by: await whoAmI(client),
    };
    const key = revocationsKey(mount);
    const { previous, count, version } = await addRevocation(client, kvMount, mount, record);
    if (previous) {
      process.stdout.write(
        `${describe} of ${mount} was already revoked (at ${previous.revoked_at} by ${previous.by}); nothing changed\n`,
      );
      return 0;
    }
    process.stdout.write(
      `revoked ${describe} of ${mount}: ${count} revocation(s) in ` +
        `${kvMount}/data/${key} (version ${version})\n` +
        `hosts refuse it once they have the new KRL: sshca render --format krl --mount ${mount} --out FILE\n`,
    );
    return 0;
  },
};
