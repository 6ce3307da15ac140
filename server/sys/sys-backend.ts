// The system backend (`sys/`): health and mounts.

import type { Backend } from '../framework.js';
import type { Storage } from '../storage/storage.js';
import type { MountTable } from './mount-table.js';
import { healthPath } from './path-health.js';
import { mountPaths } from './paths-mounts.js';

export function sysBackend(table: MountTable, rootStorage: Storage, version: string, clusterId: string): Backend {
  return { type: 'system', paths: [healthPath(version, clusterId), ...mountPaths(table, rootStorage)] };
}
