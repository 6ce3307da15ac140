// The real ansible-playbook for tests: run asynchronously (the test process must keep draining the
// logs of its sshd hosts meanwhile), in an environment of the test's own making: a config file of
// its own instead of ~/.ansible.cfg or ./ansible.cfg, temporary directories in the test's scratch
// directory, no colours, no inherited ANSIBLE_* variable or ssh-agent, and no SSH connection sharing
// (ControlPath=none: a connection made with one credential must never carry a later run).

import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository's ansible/ directory. */
export const ANSIBLE_DIR = resolve(import.meta.dirname, '../../ansible');
/** The playbook that applies the ssh_ca_trust role to every host. */
export const SITE_PLAYBOOK = join(ANSIBLE_DIR, 'playbooks/site.yml');

/** The outcome of one ansible-playbook run. */
export interface PlaybookResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock duration of the run. */
  readonly ms: number;
}

/** One host's line of the PLAY RECAP. */
export interface RecapCounts {
  readonly ok: number;
  readonly changed: number;
  readonly unreachable: number;
  readonly failed: number;
  readonly skipped: number;
  readonly rescued: number;
  readonly ignored: number;
}

/**
 * The environment for ansible and ansible-playbook runs whose state lives in `scratch`: its own
 * ansible.cfg, ANSIBLE_HOME, local and remote temporary directories. `extra` entries win.
 */
export function ansibleEnv(scratch: string, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const home = join(scratch, 'ansible-home');
  mkdirSync(join(home, 'tmp'), { recursive: true });
  mkdirSync(join(scratch, 'ansible-remote-tmp'), { recursive: true });
  const config = join(scratch, 'ansible.cfg');
  writeFileSync(config, '# Tests set every setting they need through ANSIBLE_* variables.\n[defaults]\n');
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('ANSIBLE_') && k !== 'SSH_AUTH_SOCK'),
  );
  return {
    ...inherited,
    LC_ALL: 'C.UTF-8', // ansible refuses to run without a UTF-8 locale
    ANSIBLE_CONFIG: config,
    ANSIBLE_HOME: home,
    ANSIBLE_LOCAL_TEMP: join(home, 'tmp'),
    ANSIBLE_REMOTE_TEMP: join(scratch, 'ansible-remote-tmp'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_SSH_ARGS: '-o ControlMaster=no -o ControlPath=none',
    ANSIBLE_PIPELINING: 'True',
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_STDOUT_CALLBACK: 'default',
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_DEPRECATION_WARNINGS: 'False',
    ...extra,
  };
}

/**
 * Run `command args…` and collect its output; never rejects for an exit code.
 * @param cwd - @default the repository root
 */
export function runCommand(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd = resolve(ANSIBLE_DIR, '..'),
): Promise<PlaybookResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', (e) => reject(new Error(`cannot run ${command}: ${e.message}`)));
    child.once('close', (code, signal) =>
      resolvePromise({ code: code ?? (signal ? 128 : -1), stdout, stderr, ms: Date.now() - started }),
    );
  });
}

/** `ansible-playbook -i <inventory> site.yml …extraArgs`. */
export function runSitePlaybook(
  inventory: string,
  env: NodeJS.ProcessEnv,
  extraArgs: readonly string[] = [],
): Promise<PlaybookResult> {
  return runCommand('ansible-playbook', ['-i', inventory, SITE_PLAYBOOK, ...extraArgs], env);
}

/** The PLAY RECAP of a run, by host. Throws if there is none. */
export function parseRecap(stdout: string): Record<string, RecapCounts> {
  const at = stdout.lastIndexOf('PLAY RECAP ');
  if (at === -1) throw new Error(`no PLAY RECAP in:\n${stdout}`);
  const recap: Record<string, RecapCounts> = {};
  for (const line of stdout.slice(at).split('\n').slice(1)) {
    const m =
      /^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)\s*$/.exec(
        line,
      );
    if (!m) continue;
    const [, host, ok, changed, unreachable, failed, skipped, rescued, ignored] = m.map((v, i) =>
      i === 1 ? v : Number(v),
    ) as [string, string, number, number, number, number, number, number, number];
    recap[host] = { ok, changed, unreachable, failed, skipped, rescued, ignored };
  }
  return recap;
}

/** The `fatal: [host]: FAILED! => {…}` results of a run, by host (the JSON after the arrow). */
export function parseFatal(stdout: string): Record<string, Record<string, unknown>> {
  const fatal: Record<string, Record<string, unknown>> = {};
  for (const m of stdout.matchAll(/^fatal: \[([^\]]+)\]: FAILED! => (\{.*\})$/gm)) {
    fatal[m[1]!] = JSON.parse(m[2]!) as Record<string, unknown>;
  }
  return fatal;
}
