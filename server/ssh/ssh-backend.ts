// The SSH secrets engine: its path table (certificates with OpenBao's issuers, and one-time passwords) and the revocation of
// the secrets it leases (OTPs). `sshBackendWith({ legacyDynamicKeys: true })` adds Vault 1.12's removed
// dynamic-key mode (`keys/:name`, `key_type=dynamic` roles and their creds; issue 23).

import type { Backend } from '../framework.js';
import { configCaPath, publicKeyPath } from './paths-config-ca.js';
import {
  configIssuersPath,
  issuerPath,
  issuerPublicKeyPath,
  issuersImportNamedPath,
  issuersImportPath,
  issuersListPath,
} from './paths-issuers.js';
import { configZeroAddressPath } from './paths-config-zeroaddress.js';
import { keysPath } from './paths-keys.js';
import { credsPathWith, lookupPath, revokeOtpSecret, verifyPath } from './paths-otp.js';
import { rolePathWith, rolesListPath } from './paths-roles.js';
import { issuePath, signPath } from './paths-sign.js';
import { tidyDynamicKeysPath } from './path-tidy.js';

/** How the SSH engine is built. */
export interface SshBackendOptions {
  /** Vault 1.12's dynamic keys (`sshca serve --legacy-dynamic-keys`). @default false: Vault ≥ 1.13 */
  readonly legacyDynamicKeys?: boolean;
}

/** The SSH engine of one server. */
export const sshBackendWith = (options: SshBackendOptions = {}): Backend => ({
  type: 'ssh',
  paths: [
    rolesListPath,
    rolePathWith(options.legacyDynamicKeys ?? false),
    configCaPath,
    publicKeyPath,
    issuersListPath,
    issuersImportPath,
    issuersImportNamedPath,
    issuerPublicKeyPath,
    issuerPath,
    configIssuersPath,
    signPath,
    issuePath,
    credsPathWith(options.legacyDynamicKeys ?? false),
    verifyPath,
    lookupPath,
    configZeroAddressPath,
    tidyDynamicKeysPath,
    ...(options.legacyDynamicKeys ? [keysPath] : []),
  ],
  revokeSecret: revokeOtpSecret,
});

/** The SSH engine as Vault ≥ 1.13 has it. */
export const sshBackend: Backend = sshBackendWith();
