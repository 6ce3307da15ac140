// A durable server in a data directory (`sshca serve --data-dir`, and the main job's out/server):
// file storage under DIR/storage, and on the first start a root token kept in DIR/root-token (0600).

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateToken } from './auth/token-store.js';
import { FileStorage } from './storage/file-storage.js';
import { VaultServer, type VaultServerOptions } from './vault-server.js';

/** The server, the root token file, and the token when this start created it (undefined on later starts). */
export interface DurableServer {
  readonly server: VaultServer;
  readonly tokenFile: string;
  readonly createdRootToken: string | undefined;
}

/** Open (creating if needed) a durable server in `dir`; `writeSecret` writes the token file atomically. */
export async function openDataDir(
  dir: string,
  options: Omit<VaultServerOptions, 'storage'>,
  writeSecret: (path: string, content: string) => void,
  rootTokenId?: string,
): Promise<DurableServer> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const server = await VaultServer.open({ ...options, storage: new FileStorage(join(dir, 'storage')) });
  const tokenFile = join(dir, 'root-token');
  let createdRootToken: string | undefined;
  if (!(await server.tokens.initialized())) {
    // The file first: a crash between the two steps then leaves a file whose token a restart replaces,
    // never a stored root token that nobody has.
    createdRootToken = rootTokenId ?? generateToken();
    writeSecret(tokenFile, `${createdRootToken}\n`);
    await server.tokens.createRoot(createdRootToken);
  }
  return { server, tokenFile, createdRootToken };
}

/** The root token kept in a data directory. */
export const readRootToken = (dir: string): string => readFileSync(join(dir, 'root-token'), 'utf8').trim();
