// A real ssh-agent for tests: `ssh-agent -D -a <socket>` in the foreground, ended by its own pid.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A running agent. */
export interface SshAgent {
  readonly socket: string;
  /** `ssh-add -L`, one line per identity (empty when none). */
  identities(): string[];
  stop(): Promise<void>;
}

/** Start an agent with its socket in `dir`. */
export async function startSshAgent(dir: string): Promise<SshAgent> {
  const socket = join(dir, 'agent.sock');
  const child: ChildProcess = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !existsSync(socket); i++) await sleep(10);
  if (!existsSync(socket)) throw new Error('ssh-agent did not create its socket');
  return {
    socket,
    identities() {
      const r = spawnSync('ssh-add', ['-L'], { env: { ...process.env, SSH_AUTH_SOCK: socket }, encoding: 'utf8' });
      return r.status === 0 ? r.stdout.trim().split('\n') : [];
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}
