// ssh-agent, through the real `ssh-add`: add a key with its certificate for exactly the
// certificate's remaining lifetime, and remove certificates of ours that have expired.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCertificate } from '../core/cert/certificate.js';

/** True when an agent is reachable (SSH_AUTH_SOCK set and answering). */
export function agentAvailable(): boolean {
  if (!process.env.SSH_AUTH_SOCK) return false;
  const r = spawnSync('ssh-add', ['-l'], { encoding: 'utf8' });
  return r.status === 0 || r.status === 1; // 1 = the agent has no identities
}

/** Add `identityFile` and its `-cert.pub` for `seconds`; throws with ssh-add's message on failure. */
export function addToAgent(identityFile: string, seconds: number): void {
  const r = spawnSync('ssh-add', ['-q', '-t', String(Math.max(1, seconds)), identityFile], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-add failed: ${(r.stderr || r.stdout).trim()}`);
}

/** Remove the agent's expired certificates for keys that `isOurs` (by public key blob); returns how many. */
export function removeExpired(nowSeconds: number, isOurs: (subjectBlob: Buffer) => boolean): number {
  const list = spawnSync('ssh-add', ['-L'], { encoding: 'utf8' });
  if (list.status !== 0) return 0;
  const dir = mkdtempSync(join(tmpdir(), 'sshca-agent-'));
  let removed = 0;
  try {
    for (const line of list.stdout.split('\n')) {
      if (!line.includes('-cert-v01@openssh.com ')) continue;
      const cert = parseCertificate(line);
      if (cert.validBefore > BigInt(nowSeconds) || !isOurs(cert.subjectBlob)) continue;
      const file = join(dir, `expired-${removed}-cert.pub`);
      writeFileSync(file, `${line}\n`);
      if (spawnSync('ssh-add', ['-q', '-d', file]).status === 0) removed++;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return removed;
}
