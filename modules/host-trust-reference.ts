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
}

/** A rendered file with the CA key as a Terraform reference, and its largest size once applied. */
export interface ReferencedFile {
  readonly text: string;
  readonly maxBytes: number;
}

/** `render` applied to the environment's trust, with the CA key as the Terraform reference. */
export function renderWithCaReference(source: TrustSource, render: (trust: HostTrust) => string): ReferencedFile {
  const rendered = render(
    validateHostTrust({
      environment: source.environment,
      caKeys: [PLACEHOLDER_KEY],
      principals: source.hostPrincipals,
    }),
  );
  return {
    text: rendered.replace(PLACEHOLDER_KEY, source.caPublicKey),
    maxBytes: Buffer.byteLength(rendered) - PLACEHOLDER_KEY.length + LONGEST_KEY,
  };
}
