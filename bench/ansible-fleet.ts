// Benchmark (not a test): fleet speed of the host-side roles (issue 17, point 5). 20 real sshd hosts
// on loopback addresses (127.0.2.1–20, the test harness test/helpers/sshd.ts), half dev and half prod,
// the embedded server in this process over real HTTP, and the real ansible-playbook with 10 forks, as
// the tests run it (pipelining on, no SSH connection sharing: every task opens its own connection).
// In the same run: a bare `ansible all -m ping` over the same inventory (the baseline), then the site
// playbook (ssh_ca_trust + ssh_host_certificate) first run, then a re-run that must change nothing.
// Target: re-run ≤ 3× ping, first run ≤ 6× ping.
//
// Run: npm run bench:ansible-fleet (as root, with openssh-server and ansible-core installed): built
// with the other benches and run from dist/, it still runs the repository's ansible/ (found by
// walking up to package.json). BENCH_HOSTS (default 20) and BENCH_FORKS (default 10) change the fleet.

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { ansibleEnv, parseRecap, runCommand, type PlaybookResult } from '../test/helpers/ansible.js';
import { makeScratchDir, removeScratchDir } from '../test/helpers/scratch.js';
import { SSHD_PATH, startSshdHosts, stopAll, type SshdHost } from '../test/helpers/sshd.js';
import { mountSshCa, startTestServer } from '../test/helpers/vault-server.js';
import { machine } from './http-load.js';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 20);
const FORKS = Number(process.env.BENCH_FORKS ?? 10);
const TARGET_RERUN = 3;
const TARGET_FIRST = 6;
const ENVIRONMENTS = ['dev', 'prod'] as const;

const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** The repository root: the nearest directory above this file with vault-ssh-ca's package.json. */
function repositoryRoot(): string {
  for (let at = import.meta.dirname; ; at = dirname(at)) {
    const manifest = join(at, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'vault-ssh-ca') return at;
    if (dirname(at) === at) throw new Error(`no vault-ssh-ca package.json above ${import.meta.dirname}`);
  }
}
const ROOT = repositoryRoot();
const SITE = join(ROOT, 'ansible/playbooks/site.yml');
const runSite = (inventory: string, env: NodeJS.ProcessEnv) =>
  runCommand('ansible-playbook', ['-i', inventory, SITE], env, ROOT);

/** Throw with the run's output unless every host is ok (and, when given, changed exactly so). */
function expectRun(what: string, r: PlaybookResult, changed?: (c: number) => boolean): void {
  const recap = r.code === 0 ? parseRecap(r.stdout) : {};
  const bad = Object.entries(recap).filter(([, c]) => c.failed + c.unreachable > 0 || (changed && !changed(c.changed)));
  if (r.code !== 0 || Object.keys(recap).length !== HOSTS || bad.length > 0) {
    throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

async function main(): Promise<void> {
  const dir = makeScratchDir('bench-ansible-fleet');
  chmodSync(dir, 0o711);
  const server = await startTestServer();
  let hosts: SshdHost[] = [];
  try {
    const hostRole = {
      key_type: 'ca',
      allow_host_certificates: true,
      allow_user_certificates: false,
      // The hosts' names and, bare, their addresses: the role's default principals name both.
      allowed_domains: ['fleet.internal', ...Array.from({ length: HOSTS }, (_, i) => `127.0.2.${i + 1}`)].join(','),
      allow_bare_domains: true,
      allow_subdomains: true,
      ttl: '720h',
      max_ttl: '720h',
    };
    for (const e of ENVIRONMENTS) {
      await mountSshCa(server, `ssh-${e}`, {});
      await mountSshCa(server, `ssh-${e}-host`, { host: hostRole });
    }

    const bootstrap = join(dir, 'bootstrap');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bootstrap', '-f', bootstrap]);
    const names = Array.from({ length: HOSTS }, (_, i) => `fleet-${String(i + 1).padStart(2, '0')}`);
    for (const name of names) {
      mkdirSync(join(dir, name, 'sshd_config.d'), { recursive: true, mode: 0o755 });
      mkdirSync(join(dir, name, 'authorized_keys'), { mode: 0o755 });
      writeFileSync(join(dir, name, 'authorized_keys/root'), readFileSync(`${bootstrap}.pub`, 'utf8'));
      chmodSync(join(dir, name), 0o755);
    }
    hosts = await startSshdHosts(
      names.map((name, i) => ({
        name,
        address: `127.0.2.${i + 1}`,
        trustedUserCaKeys: [],
        principals: {},
        extraConfig: [
          `Include ${join(dir, name)}/sshd_config.d/*.conf`,
          `AuthorizedKeysFile ${join(dir, name)}/authorized_keys/%u`,
        ],
      })),
    );
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, hosts.map((h) => `${h.knownHostsLine}\n`).join(''));

    const hostVars = (h: SshdHost, e: (typeof ENVIRONMENTS)[number]) => ({
      ansible_host: h.address,
      ansible_port: h.port,
      ssh_ca_trust_environment: e,
      ssh_ca_trust_mount: `ssh-${e}`,
      ssh_ca_trust_dropin_path: join(dir, h.name, 'sshd_config.d/10-sshca.conf'),
      ssh_ca_trust_ca_keys_path: join(dir, h.name, 'sshca/trusted_user_ca_keys'),
      ssh_ca_trust_principals_dir: join(dir, h.name, 'sshca/principals'),
      ssh_ca_trust_sshd_config: join(h.dir, 'sshd_config'),
      ssh_ca_trust_reload_command: `kill -HUP ${h.pid}`,
      ssh_host_certificate_mount: `ssh-${e}-host`,
      ssh_host_certificate_host_keys: [join(h.dir, 'host_ed25519')],
      ssh_host_certificate_dropin_path: join(dir, h.name, 'sshd_config.d/10-sshca-host-certificate.conf'),
      ssh_host_certificate_sshd_config: join(h.dir, 'sshd_config'),
      ssh_host_certificate_reload_command: `kill -HUP ${h.pid}`,
    });
    const inventory = join(dir, 'fleet.yml');
    const half = Math.ceil(HOSTS / 2);
    const group = (e: (typeof ENVIRONMENTS)[number], part: SshdHost[]) => ({
      hosts: Object.fromEntries(part.map((h) => [`${h.name}.fleet.internal`, hostVars(h, e)])),
    });
    writeFileSync(
      inventory,
      `---\n${stringify({
        all: {
          vars: {
            ansible_user: 'root',
            ansible_ssh_private_key_file: bootstrap,
            ansible_ssh_common_args: [
              '-F none -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes',
              `-o UserKnownHostsFile=${knownHosts} -o GlobalKnownHostsFile=none -o StrictHostKeyChecking=yes`,
            ].join(' '),
            ssh_ca_trust_backend_url: server.url,
            ssh_ca_trust_principals: { root: ['root'] },
            ssh_ca_trust_sshd_command: SSHD_PATH,
            ssh_host_certificate_backend_url: server.url,
            ssh_host_certificate_sshd_command: SSHD_PATH,
          },
          children: { dev: group('dev', hosts.slice(0, half)), prod: group('prod', hosts.slice(half)) },
        },
      })}`,
    );
    const env = ansibleEnv(dir, {
      ANSIBLE_FORKS: String(FORKS),
      VAULT_TOKEN: server.token,
      // BENCH_PROFILE=1: the time of every task after each run (ansible.posix.profile_tasks).
      ...(process.env.BENCH_PROFILE
        ? { ANSIBLE_CALLBACKS_ENABLED: 'ansible.posix.profile_tasks', PROFILE_TASKS_TASK_OUTPUT_LIMIT: '40' }
        : {}),
    });

    const ping = await runCommand('ansible', ['all', '-i', inventory, '-m', 'ansible.builtin.ping'], env, ROOT);
    if (ping.code !== 0) throw new Error(`ansible -m ping failed:\n${ping.stdout}\n${ping.stderr}`);
    console.log(`ansible -m ping: ${seconds(ping.ms)} s`);
    const first = await runSite(inventory, env);
    console.log(`site.yml first run: ${seconds(first.ms)} s`);
    if (process.env.BENCH_PROFILE) console.log(first.stdout.slice(first.stdout.lastIndexOf('PLAY RECAP')));
    expectRun('first run', first, (c) => c > 0);
    const rerun = await runSite(inventory, env);
    if (process.env.BENCH_PROFILE) console.log(rerun.stdout.slice(rerun.stdout.lastIndexOf('PLAY RECAP')));
    expectRun('re-run', rerun, (c) => c === 0);

    const ratio = (r: PlaybookResult) => r.ms / ping.ms;
    console.log(`ansible fleet: ${HOSTS} loopback sshd hosts, ${FORKS} forks; ${machine()}`);
    console.log(`  ansible -m ping       ${seconds(ping.ms).padStart(6)} s`);
    console.log(
      `  site.yml first run    ${seconds(first.ms).padStart(6)} s   ${ratio(first).toFixed(2)}× ping (target ≤ ${TARGET_FIRST}×)`,
    );
    console.log(
      `  site.yml re-run       ${seconds(rerun.ms).padStart(6)} s   ${ratio(rerun).toFixed(2)}× ping (target ≤ ${TARGET_RERUN}×)`,
    );
    const met = ratio(first) <= TARGET_FIRST && ratio(rerun) <= TARGET_RERUN;
    console.log(`  targets ${met ? 'met' : 'NOT met'}`);
  } finally {
    await stopAll(hosts);
    await server.close();
    removeScratchDir(dir);
  }
}

await main();
