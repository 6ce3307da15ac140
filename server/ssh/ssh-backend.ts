// The SSH secrets engine (CA mode): its path table.

import type { Backend } from '../framework.js';
import { configCaPath, publicKeyPath } from './paths-config-ca.js';
import { rolePath, rolesListPath } from './paths-roles.js';
import { issuePath, signPath } from './paths-sign.js';

export const sshBackend: Backend = {
  type: 'ssh',
  paths: [rolesListPath, rolePath, configCaPath, publicKeyPath, signPath, issuePath],
};
