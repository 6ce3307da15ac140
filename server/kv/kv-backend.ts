// The KV version 2 secrets engine (mount type `kv` with options.version "2", or `kv-v2`): the path
// table of the calls this project makes (config, data/:path, metadata/:path). The embedded server
// keeps revocations here as Vault and OpenBao do (issue 20).

import type { Backend } from '../framework.js';
import { configPath } from './paths-config.js';
import { dataPath } from './paths-data.js';
import { metadataPath } from './paths-metadata.js';

export const kvBackend: Backend = {
  type: 'kv',
  paths: [configPath, dataPath, metadataPath],
};
