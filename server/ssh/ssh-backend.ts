// The SSH secrets engine: its path table (certificates with OpenBao's issuers, and one-time passwords) and the revocation of
// the secrets it leases (OTPs).

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
import { credsPath, lookupPath, revokeOtpSecret, verifyPath } from './paths-otp.js';
import { rolePath, rolesListPath } from './paths-roles.js';
import { issuePath, signPath } from './paths-sign.js';
import { tidyDynamicKeysPath } from './path-tidy.js';

export const sshBackend: Backend = {
  type: 'ssh',
  paths: [
    rolesListPath,
    rolePath,
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
    credsPath,
    verifyPath,
    lookupPath,
    configZeroAddressPath,
    tidyDynamicKeysPath,
  ],
  revokeSecret: revokeOtpSecret,
};
