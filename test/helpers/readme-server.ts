// For README tests whose blocks run against one embedded test server: a scratch folder with `sshca`
// on PATH, the server, both removed after the file's tests, and a runner with VAULT_ADDR and
// VAULT_TOKEN (root) set. Used by test/readme-audit.test.ts and test/readme-report.test.ts.

import { afterAll, beforeAll } from 'vitest';
import { makeSshcaBin, runBlock, type BlockRun } from './readme.js';
import { makeScratchDir, removeScratchDir } from './scratch.js';
import { startTestServer, type TestServer } from './vault-server.js';

/** Filled in by `beforeAll`. */
export interface ReadmeServer {
  server: TestServer;
  /** The scratch folder. */
  dir: string;
  /** Run a README block in `cwd` against the server. */
  runBlock(code: string, cwd: string): Promise<BlockRun>;
}

/** Register the hooks that start and remove a server and scratch folder named `scratchName`. */
export function useReadmeServer(scratchName: string): ReadmeServer {
  let bin: string;
  const fixture = {
    runBlock: (code: string, cwd: string) =>
      runBlock(code, {
        cwd,
        bin,
        env: { VAULT_ADDR: fixture.server.url, VAULT_TOKEN: fixture.server.token },
      }),
  } as ReadmeServer;
  beforeAll(async () => {
    fixture.dir = makeScratchDir(scratchName);
    bin = makeSshcaBin(fixture.dir);
    fixture.server = await startTestServer();
  });
  afterAll(async () => {
    await fixture.server?.close();
    if (fixture.dir) removeScratchDir(fixture.dir);
  });
  return fixture;
}
