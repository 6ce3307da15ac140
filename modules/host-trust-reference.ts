// Host-trust files (core/render) for an environment whose CA public key is only known at apply
// time: rendered around a well-formed stand-in key, which is then replaced by the Terraform reference
// to the real one (`${vault_ssh_secret_backend_ca.<id>.public_key}`). Hosts get the key at apply time;
// the files hold public keys only.

import { validateHostTrust, type HostTrust } from '../core/render/host-trust.js';

/** A well-formed key that stands in for the CA key while rendering; replaced by the reference. */
const PLACEHOLDER_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPA3ki9BtyKijY6LUw/gXwNwpx1P3NylkUGpcy4uq82P';

/** The longest CA public key line the backend can serve (RSA 4096), for size checks. */
const LONGEST_KEY = 730;

/** What an environment's hosts trust, as the renderers need it. */
export interface TrustSource {
  readonly environment: string;
  readonly hostPrincipals: Readonly<Record<string, readonly string[]>>;
  /** The CA public key: a Terraform reference. */
  readonly caPublicKey: string;
  /**
   * Every CA key hosts trust (Terraform references), when more than `caPublicKey`: the old and the
   * next key during a rotation's stages 1 and 2 (issue 20, point 2).
   * @default - `[caPublicKey]`
   */
  readonly caPublicKeys?: readonly string[];
}

/** The stand-in for the `i`-th key: PLACEHOLDER_KEY first, then well-formed ed25519 keys of bytes `i`. */
function placeholder(i: number): string {
  if (i === 0) return PLACEHOLDER_KEY;
  const type = Buffer.from('ssh-ed25519');
  const wire = Buffer.alloc(4 + type.length + 4 + 32, i);
  wire.writeUInt32BE(type.length, 0);
  type.copy(wire, 4);
  wire.writeUInt32BE(32, 4 + type.length);
  return `ssh-ed25519 ${wire.toString('base64')}`;
}

/** A rendered file with the CA key as a Terraform reference, and its largest size once applied. */
export interface ReferencedFile {
  readonly text: string;
  readonly maxBytes: number;
}

/** `render` applied to the environment's trust, with the CA key as the Terraform reference. */
export function renderWithCaReference(source: TrustSource, render: (trust: HostTrust) => string): ReferencedFile {
  const keys = source.caPublicKeys ?? [source.caPublicKey];
  const stands = keys.map((_, i) => placeholder(i));
  const rendered = render(
    validateHostTrust({
      environment: source.environment,
      caKeys: stands,
      principals: source.hostPrincipals,
    }),
  );
  return {
    text: stands.reduce((text, stand, i) => text.split(stand).join(keys[i]!), rendered),
    maxBytes: stands.reduce((bytes, stand) => bytes - stand.length + LONGEST_KEY, Buffer.byteLength(rendered)),
  };
}
