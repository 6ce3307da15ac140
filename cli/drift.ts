// `sshca drift` (issue 20, point 3): which hosts lag behind the backend. Read an Ansible inventory,
// sign one short-lived automation certificate for a throw-away key (as check-host does), log in to
// every host with real ssh (10 at a time), run one read-only command that prints sshd's effective
// trust settings and the files they name, and compare them (core/drift.ts) with the mount's keys
// (current, staged, retired: the issuers API when the backend has it), the KRL version of its
// revocations, and the inventory's principals (or the scenario's). Exit 1 when a host drifted, 4 when
// one could not be reached.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { detectIssuersApi, listIssuers, readCaPublicKey } from '../client/ssh-api.js';
import { RequestError, UsageError } from '../core/errors.js';
import {
  exitCodeOf,
  parseDriftProbe,
  planDriftFindings,
  renderDriftProbeCommand,
  renderDriftTable,
  statusOf,
  type DriftExpectation,
  type DriftRow,
} from '../core/drift.js';
import { parseInventory, parseInventoryYaml, type InventoryHost, type InventoryValue } from '../core/drift-inventory.js';
import { resolveRotationStatus } from '../core/rotation.js';
import { SCENARIO_ENVIRONMENTS, SCENARIO_HOST_PRINCIPALS, type ScenarioEnvironment } from '../core/scenario.js';
import { normaliseMount, required, usageErrors } from './args.js';
import { authenticate, invalidTokenError } from './auth.js';
import { obtainCertificate, sshcaHome } from './certificate-session.js';
import type { Command } from './command.js';
import { LOGIN_OPTIONS, authOptionsOf } from './login.js';
import { DEFAULT_KV_MOUNT, readRevocations } from './revoke.js';
import { probeArgs, withoutDebug } from './ssh-probe.js';

const HELP = `Usage: sshca drift --inventory FILE --mount MOUNT [options]

Find the hosts that lag behind the backend. Sign one short-lived certificate for a throw-away key,
log in to every host of an Ansible inventory with it (real ssh, BatchMode, the inventory's
ansible_host, ansible_port and ansible_user; 10 hosts at a time), run one read-only command there
(sshd -T as root, through "sudo -n" for another user, and the files it names), and report per host:

  - trusted CA keys (TrustedUserCAKeys) vs the mount's signing key and, during a rotation, its staged
    key; a trusted key the mount does not have (retired by a rotation, another CA's) is drift
  - the KRL (RevokedKeys): not set while revocations exist, missing, or older than the backend's
  - principals files (AuthorizedPrincipalsFile) vs the inventory's ssh_ca_trust_principals, else the
    scenario's principals of the host's environment (ssh_ca_trust_environment or a dev/prod group)
  - host certificates (HostCertificate): expired is drift, within the last third of their life a warning

Hosts whose ssh_ca_trust_mount names another mount are left out (said on stderr).

Options:
  --inventory FILE       Ansible inventory, YAML (hosts.yml) or INI; group_vars/ and host_vars/
                         beside it are read too (YAML files)
  --mount MOUNT          the SSH mount the hosts trust, e.g. ssh-dev
  --role ROLE            role to sign the probe's certificate under (default automation)
  --principals LIST      the certificate's principals (default: the role's default user)
  --user NAME            account to log in as when the inventory sets no ansible_user (default: yours)
  --kv-mount KV_MOUNT    KV version 2 mount holding the revocations (default ${DEFAULT_KV_MOUNT})
  --known-hosts FILE     check host keys against FILE (default: $SSHCA_HOME/drift_known_hosts, in
                         ~/.ssh/sshca unless SSHCA_HOME is set; a new host's key is learnt, a
                         changed one refused)
  --timeout SECONDS      per host: connection timeout; the whole probe gets 3 times as long (default 10)
  --concurrency N        hosts probed at once (default 10)
  --json                 print the hosts and their findings as JSON
  --address URL          backend address (default VAULT_ADDR or BAO_ADDR); token from VAULT_TOKEN
                         (also --token, --method, --username, --jwt-env as for sshca login)
  -h, --help             show this help

Exit codes: 0 every host is as it should be (warnings allowed), 1 a host drifted or could not be
checked (or the backend would not sign), 2 bad command line, 3 authentication to the backend failed,
4 a host could not be reached.

Examples:
  sshca drift --inventory ansible/inventories/example/hosts.yml --mount ssh-dev \\
    --role automation --principals gitlab-runner
  sshca drift --inventory hosts.ini --mount ssh-prod --role developer --principals ubuntu --json
`;

/** Variables of group_vars/<name>.yml (or <name>.yaml, or the files in group_vars/<name>/). */
function readVarFiles(dir: string): Record<string, Record<string, InventoryValue>> {
  const out: Record<string, Record<string, InventoryValue>> = {};
  if (!existsSync(dir)) return out;
  const load = (file: string): Record<string, InventoryValue> => {
    let v: InventoryValue;
    try {
      v = parseInventoryYaml(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new RequestError(`cannot read ${file}: ${(e as Error).message}`);
    }
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {};
  };
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      out[entry] = Object.assign(
        {},
        ...readdirSync(path)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => load(join(path, f))),
      );
    } else if (/\.ya?ml$/.test(entry)) {
      out[entry.replace(/\.ya?ml$/, '')] = load(path);
    }
  }
  return out;
}

function readInventory(file: string): InventoryHost[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --inventory ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const format = /\.ya?ml$/.test(file) || /^\s*(---|all:)/m.test(text) ? 'yaml' : 'ini';
  const base = dirname(file);
  try {
    return parseInventory(text, format, {
      groupVars: readVarFiles(join(base, 'group_vars')),
      hostVars: readVarFiles(join(base, 'host_vars')),
    });
  } catch (e) {
    throw new RequestError(`cannot read the inventory ${file}: ${(e as Error).message}`);
  }
}

/** The principals a host must have, and where they come from; undefined when nothing says. */
function principalsOf(host: InventoryHost): { principals: Record<string, string[]>; source: string } | undefined {
  const p = host.vars.ssh_ca_trust_principals;
  if (p && typeof p === 'object' && !Array.isArray(p) && Object.keys(p).length > 0) {
    const principals: Record<string, string[]> = {};
    for (const [account, list] of Object.entries(p)) {
      principals[account] = (Array.isArray(list) ? list : [list]).filter((x) => x !== null).map(String);
    }
    return { principals, source: 'ssh_ca_trust_principals' };
  }
  const env = [host.vars.ssh_ca_trust_environment, ...host.groups].find((g) =>
    (SCENARIO_ENVIRONMENTS as readonly unknown[]).includes(g),
  ) as ScenarioEnvironment | undefined;
  if (env === undefined) return undefined;
  const principals = Object.fromEntries(Object.entries(SCENARIO_HOST_PRINCIPALS[env]).map(([a, l]) => [a, [...l]]));
  return { principals, source: `the scenario's ${env} principals` };
}

/** Run ssh; kill it after `ms`. */
function runSsh(args: string[], ms: number): Promise<{ code: number; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn('ssh', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c ?? 255, stdout, stderr, timedOut });
    });
  });
}

/** Why ssh could not reach a host, or undefined when it got there. */
function unreachable(code: number, stderr: string, timedOut: boolean): string | undefined {
  if (timedOut) return 'the probe timed out';
  if (code !== 255) return undefined;
  const said = withoutDebug(stderr);
  if (/Connection refused/.test(said)) return 'connection refused: nothing listens on that port';
  if (/Could not resolve hostname/.test(said)) return 'the host name does not resolve';
  if (/timed out|No route to host|Network is unreachable|Connection closed|Connection reset/.test(said)) {
    return `the host could not be reached: ${said.trim().split('\n').pop()}`;
  }
  return undefined;
}

export const driftCommand: Command = {
  name: 'drift',
  summary: 'report hosts whose CA keys, KRL, principals or host certificate lag behind the backend',
  help: HELP,
  async run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          ...LOGIN_OPTIONS,
          inventory: { type: 'string' },
          user: { type: 'string' },
          'kv-mount': { type: 'string' },
          'known-hosts': { type: 'string' },
          timeout: { type: 'string', default: '10' },
          concurrency: { type: 'string', default: '10' },
          json: { type: 'boolean' },
        },
      }),
    );
    const inventoryFile = required(values.inventory, 'inventory');
    const mount = required(normaliseMount(values.mount), 'mount');
    const kvMount = normaliseMount(values['kv-mount'], 'kv-mount') ?? DEFAULT_KV_MOUNT;
    const timeout = Number(values.timeout);
    if (!Number.isInteger(timeout) || timeout < 1) throw new UsageError(`--timeout must be a whole number of seconds, got ${values.timeout}`);
    const concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency must be a positive whole number, got ${values.concurrency}`);

    const all = readInventory(inventoryFile);
    const hosts = all.filter((h) => h.vars.ssh_ca_trust_mount === undefined || normaliseMount(String(h.vars.ssh_ca_trust_mount)) === mount);
    const left = all.length - hosts.length;
    if (left > 0) process.stderr.write(`sshca drift: left out ${left} host(s) whose ssh_ca_trust_mount is not ${mount}\n`);
    if (hosts.length === 0) throw new RequestError(`the inventory ${inventoryFile} has no host of mount ${mount}`);

    const { client } = await authenticate(authOptionsOf(values));
    const currentKey = await readCaPublicKey(client, mount);
    if (!currentKey) throw new RequestError(`mount ${mount} has no CA key: check --mount`);
    let rotation: Pick<DriftExpectation, 'currentKey' | 'stagedKey' | 'retiredKey' | 'otherKeys'> = { currentKey: currentKey.trim() };
    let version: number;
    try {
      // The first calls that need the token (public_key does not): an unknown token is exit 3.
      if (await detectIssuersApi(client, mount)) {
        const s = resolveRotationStatus(await listIssuers(client, mount), 0);
        rotation = {
          currentKey: s.current?.publicKey ?? currentKey.trim(),
          ...(s.staged ? { stagedKey: s.staged.publicKey } : {}),
          ...(s.retired ? { retiredKey: s.retired.publicKey } : {}),
          otherKeys: s.others.map((o) => o.publicKey),
        };
      }
      ({ version } = await readRevocations(client, kvMount, mount));
    } catch (e) {
      throw invalidTokenError(e) ?? e;
    }

    const dir = mkdtempSync(join(tmpdir(), 'sshca-drift-'));
    try {
      const issued = await obtainCertificate(client, {
        mount,
        role: values.role ?? 'automation',
        ...(values.principals ? { principals: values.principals.split(',').map((p) => p.trim()).filter(Boolean) } : {}),
        ttl: values.ttl ?? '15m',
        freshKeyFile: join(dir, 'id_drift'),
      });
      const knownHosts = values['known-hosts'] ?? join(sshcaHome(), 'drift_known_hosts');
      if (values['known-hosts'] === undefined) mkdirSync(sshcaHome(), { recursive: true, mode: 0o700 });
      const defaultUser = values.user ?? userInfo().username;
      const now = Math.floor(Date.now() / 1000);

      const probe = async (host: InventoryHost): Promise<DriftRow> => {
        const user = host.user ?? defaultUser;
        const p = principalsOf(host);
        const args = probeArgs({
          identityFile: issued.identityFile,
          certificateFile: issued.certificateFile,
          knownHosts,
          strictHostKeyChecking: values['known-hosts'] !== undefined ? 'yes' : 'accept-new',
          port: host.port,
          destination: `${user}@${host.address}`,
          connectTimeoutSeconds: timeout,
        });
        args.pop(); // probeArgs runs `true`: run the probe instead
        args.push(renderDriftProbeCommand(user, Object.keys(p?.principals ?? {})));
        const r = await runSsh(args, timeout * 3000);
        const why = unreachable(r.code, r.stderr, r.timedOut);
        if (why !== undefined) return { host: host.name, status: 'unreachable', findings: [], message: why };
        let findings;
        if (r.code === 255) {
          const said = withoutDebug(r.stderr).trim().split('\n').pop() ?? '';
          const message = /Permission denied/.test(said)
            ? `the host refused the probe's certificate as ${user}: it does not trust ${mount}'s CA, or does not authorise the certificate's principals for ${user}`
            : /Host key verification failed|IDENTIFICATION HAS CHANGED/.test(r.stderr)
              ? `the host's key is not the one in ${knownHosts}`
              : `ssh failed: ${said}`;
          findings = [{ code: 'probe-failed' as const, severity: 'drift' as const, message }];
        } else {
          findings = planDriftFindings(parseDriftProbe(r.stdout, r.stderr, user), {
            mount,
            ...rotation,
            krlVersion: BigInt(version),
            ...(p ? { principals: p.principals, principalsSource: p.source } : {}),
            now,
          });
        }
        return { host: host.name, status: statusOf(findings), findings };
      };

      const rows: DriftRow[] = new Array(hosts.length);
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(concurrency, hosts.length) }, async () => {
          while (next < hosts.length) {
            const i = next++;
            rows[i] = await probe(hosts[i]!);
          }
        }),
      );
      if (values.json) {
        process.stdout.write(
          `${JSON.stringify(
            {
              mount,
              krl_version: version,
              hosts: rows.map((r, i) => ({
                host: r.host,
                address: hosts[i]!.address,
                port: hosts[i]!.port,
                user: hosts[i]!.user ?? defaultUser,
                status: r.status,
                ...(r.message !== undefined ? { message: r.message } : {}),
                findings: r.findings,
              })),
            },
            null,
            2,
          )}\n`,
        );
      } else {
        process.stdout.write(renderDriftTable(rows));
      }
      return exitCodeOf(rows);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
