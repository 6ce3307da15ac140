// `sshca render`: the host-trust artefacts of one environment (sshd drop-in, TrustedUserCAKeys file,
// principals files, cloud-init user-data, Ansible variables) from the CA public key a running
// backend serves at /v1/<mount>/public_key, plus any extra keys given for a rotation overlap; the
// clients' side of host certificates (the @cert-authority lines of a known_hosts file, issue 17); and
// the cloud-init user-data of OTP hosts (vault-ssh-helper as the Ansible role ssh_otp_helper ships it,
// its config, PAM and sshd files), which needs no backend call.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { clientOptionsFromEnv } from '../client/env.js';
import { UsageError } from '../core/errors.js';
import { renderAnsibleVars } from '../core/render/ansible-vars.js';
import { renderCloudConfig } from '../core/render/cloud-config.js';
import { validateKrlRefresh, type KrlRefresh } from '../core/render/krl-refresh.js';
import { validateHostTrust, type HostTrust } from '../core/render/host-trust.js';
import { renderCertAuthorityLines } from '../core/render/known-hosts.js';
import { renderOtpCloudConfig } from '../core/render/otp-cloud-config.js';
import { validateOtpHelper } from '../core/render/otp-helper.js';
import { renderPrincipalsFiles, renderSshdDropIn, renderTrustedCaKeys } from '../core/render/sshd-files.js';
import { normaliseMount, required, usageErrors } from './args.js';
import type { Command } from './command.js';
import { readText, writeFileAtomic } from './files.js';
import { certAuthorityOf, fetchCaPublicKey, hostPatternsOf } from './host-ca.js';
import { packageRoot } from './package-root.js';
import { HOST_CERT_HELP, renderHostCertUserData } from './render-host-cert.js';
import { KRL_HELP, renderKrlFile } from './render-krl.js';

const HELP = `Usage: sshca render --format FORMAT (--mount MOUNT | --ca-key FILE) [options]
       sshca render --format known-hosts (--mount HOST_CA_MOUNT | --ca-key FILE) --hosts PATTERNS [--out FILE]
       sshca render --format cloud-init-otp --mount MOUNT --allowed-roles ROLES [options]
       sshca render --format cloud-init-host-cert --mount HOST_CA_MOUNT --host-names NAMES
                    --wrapping-token-file FILE [options]

Print (or write) what makes hosts trust one environment's CA, from the public key a running
Vault, OpenBao or sshca server serves at /v1/<mount>/public_key (no token needed).

Formats:
  sshd          the sshd_config.d drop-in (TrustedUserCAKeys, AuthorizedPrincipalsFile)
  trusted-keys  the TrustedUserCAKeys file
  principals    one AuthorizedPrincipalsFile per account (--out names a directory)
  cloud-init    #cloud-config user-data for new instances (checked against EC2's 16 KB limit)
  ansible-vars  group_vars for the Ansible role ssh_ca_trust
  known-hosts   for clients: "@cert-authority PATTERNS KEY", one line per CA key, so that ssh accepts
                a host key of those hosts only when the host CA of --mount (e.g. ssh-dev-host) has
                certified it for the name ssh was asked to reach. Use the file with
                UserKnownHostsFile and StrictHostKeyChecking yes (sshca login and sshca config
                --host-ca-mount write it for you)
  cloud-init-host-cert
                #cloud-config user-data that certifies a new instance's own host keys at boot: it
                unwraps the response-wrapped token (single use), sends each public host key to
                HOST_CA_MOUNT/sign/ROLE, installs the certificates and a HostCertificate drop-in,
                runs sshd -t and sshd -T, and only then reloads sshd (checked against EC2's 16 KB)
  cloud-init-otp
                #cloud-config user-data for hosts that accept one-time passwords of MOUNT: installs
                vault-ssh-helper and its config, a PAM include and an sshd drop-in (keyboard-interactive
                beside public keys); on boot it runs the helper's -verify-only against the backend and
                sshd -t/-T before it adds the PAM line and reloads sshd. Nothing is fetched: the backend
                address goes into the helper's config (checked against EC2's 16 KB limit)
  krl           the OpenSSH key revocation list of MOUNT's revocations (sshca revoke), for sshd's
                RevokedKeys (written to --out only)

Options:
  --format FORMAT              one of the formats above
  --mount MOUNT                SSH secrets engine mount of the environment, e.g. ssh-dev (slashes
                               around it are ignored: /ssh-dev/ is ssh-dev)
  --address URL                backend address (default: VAULT_ADDR or BAO_ADDR)
  --ca-key FILE                another CA public key to trust (repeatable), e.g. the next CA during
                               a rotation; with no --mount, the only source of keys
  --environment NAME           environment name (default: the mount's last segment without "ssh-")
  --principals ACCOUNT=P1,P2   principals that may log in as ACCOUNT (repeatable). Required with
                               cloud-init (refused without: its hosts would let no certificate in);
                               the other formats render no principals files without it
  --drop-in PATH               default /etc/ssh/sshd_config.d/10-sshca.conf
  --ca-keys-path PATH          default /etc/ssh/sshca/trusted_user_ca_keys
  --principals-dir PATH        default /etc/ssh/sshca/principals
  --reload-command CMD         cloud-init, cloud-init-otp: how to reload sshd once checked
  --krl-url URL                cloud-init: keep the KRL current from URL (https), where you publish
                               sshca render --format krl: RevokedKeys in the drop-in, a refresh
                               script and a systemd timer (every 5 minutes), a first fetch at boot
  --krl-ca-cert FILE           cloud-init with --krl-url: PEM CA bundle curl verifies URL with
  --out PATH                   write to PATH (atomically, 0644) instead of standard output
  -h, --help                   show this help

known-hosts options:
  --hosts PATTERNS             the hosts the host CA vouches for, as known_hosts patterns separated
                               by commas: names and addresses, * and ? wildcards, !PATTERN to
                               exclude, [host]:port for one port only (ssh checks a host certificate
                               against the bare name on every port), e.g. '*.dev.example.com,10.1.0.*'
                               (required; empty is refused)
  --allow-any-host             allow a pattern that matches every host, such as '*' (refused without:
                               the environment's host CA would vouch for hosts outside it)
  --ca-key FILE                another host CA public key (repeatable): the next one during a rotation

One-time-password options (cloud-init-otp):
  --allowed-roles R1,R2        OTP roles whose passwords the hosts accept, or "*" for every role of
                               MOUNT (required)
  --allowed-cidr CIDR          also accept OTPs issued for an address in CIDR (hosts behind NAT, whose
                               OTPs name an address they do not have; repeatable)
  --ca-cert FILE               PEM CA bundle the helper verifies the backend's certificate with; it is
                               written to the host (default: the host's system trust store)
  --namespace NS               Vault or OpenBao namespace, sent as X-Vault-Namespace
  --tls-skip-verify            do not verify the backend's certificate (never in production)
  --dev                        the backend is plain http (test setups only): the helper runs with -dev
  --pam-service PATH           sshd's PAM service, default /etc/pam.d/sshd
  --pam-log PATH               file pam_exec appends the helper's decisions to (never the OTP)
  --drop-in PATH               with cloud-init-otp: default /etc/ssh/sshd_config.d/20-sshca-otp.conf
  The backend address is --address, else VAULT_ADDR or BAO_ADDR; it must be https unless --dev.

${HOST_CERT_HELP}

${KRL_HELP}

Exit codes: 0 rendered, 1 refused (bad key, unreachable backend, no such mount, no CA, user-data too
large), 2 bad command line (cloud-init without --principals, --principals without "=", known-hosts
without --hosts or with a pattern that matches every host).

Examples:
  sshca render --mount ssh-dev --format cloud-init --principals ubuntu=ubuntu \\
               --principals deploy=gitlab-runner,jenkins > dev-user-data.yaml
  sshca render --mount ssh-prod --format ansible-vars --principals ubuntu=ubuntu --out prod-vars.yml
  sshca render --mount ssh-dev --ca-key next-dev-ca.pub --format trusted-keys
  sshca render --format known-hosts --mount ssh-dev-host --hosts '*.dev.example.com,10.1.0.*' \\
               --out ~/.ssh/dev_known_hosts
  sshca render --format cloud-init-otp --address https://vault.example.com:8200 --mount ssh-dev \\
               --allowed-roles otp --ca-cert vault-ca.pem > otp-user-data.yaml
  vault token create -policy=dev-sign-host -ttl=15m -wrap-ttl=15m -field=wrapping_token |
    sshca render --format cloud-init-host-cert --address https://vault.example.com:8200 \\
               --mount ssh-dev-host --host-names web-1.dev.example.com --wrapping-token-file - \\
               > web-1-user-data.yaml
`;

const FORMATS = [
  'sshd',
  'trusted-keys',
  'principals',
  'cloud-init',
  'ansible-vars',
  'cloud-init-otp',
  'known-hosts',
  'cloud-init-host-cert',
  'krl',
] as const;
type Format = (typeof FORMATS)[number];

/** `ssh-dev` → `dev`, `team/ssh-prod` → `prod`, `ssh` → `ssh`. */
function environmentOf(mount: string): string {
  const last = mount.replace(/\/+$/, '').split('/').pop() ?? '';
  return last.replace(/^ssh[-_](?=.)/, '');
}

/**
 * Account mapping from `ACCOUNT=P1,P2` items. An item without principals (`ubuntu`, `ubuntu=`) is a
 * UsageError: it would render an AuthorizedPrincipalsFile that lets no certificate in.
 */
function principalsOf(items: readonly string[] | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf('=');
    const account = eq < 0 ? item : item.slice(0, eq);
    const list =
      eq < 0
        ? []
        : item
            .slice(eq + 1)
            .split(',')
            .filter((p) => p !== '');
    if (account === '' || list.length === 0) {
      const example = account === '' ? 'ubuntu=ubuntu,dev-admin' : `${account}=${account}`;
      throw new UsageError(
        `--principals needs ACCOUNT=P1,P2 (the certificate principals that may log in as ACCOUNT), ` +
          `got ${JSON.stringify(item)}; e.g. --principals ${example}`,
      );
    }
    out[account] = [...(out[account] ?? []), ...list];
  }
  return out;
}

function render(format: Format, trust: HostTrust, reloadCommand: string | undefined, krl?: KrlRefresh): string {
  switch (format) {
    case 'sshd':
      return renderSshdDropIn(trust);
    case 'trusted-keys':
      return renderTrustedCaKeys(trust);
    case 'cloud-init':
      return renderCloudConfig(trust, {
        ...(reloadCommand !== undefined ? { reloadCommand } : {}),
        ...(krl !== undefined ? { krl } : {}),
      });
    case 'ansible-vars':
      return renderAnsibleVars(trust);
    case 'principals':
      return renderPrincipalsFiles(trust)
        .map((f) => `==> ${f.path} <==\n${f.content}`)
        .join('\n');
    case 'known-hosts':
    case 'cloud-init-otp':
    case 'cloud-init-host-cert':
    case 'krl':
      throw new UsageError(`${format} is rendered by its own function`);
  }
}

/** The helper the Ansible role ssh_otp_helper ships, from this package's ansible/ folder. */
const OTP_HELPER_FILE = ['ansible', 'roles', 'ssh_otp_helper', 'files', 'vault-ssh-helper'];

type Values = Record<string, string | boolean | string[] | undefined>;

/** Options of the host-trust formats that mean nothing for cloud-init-otp. */
const TRUST_ONLY = ['ca-key', 'environment', 'principals', 'ca-keys-path', 'principals-dir'];
/** Options of known-hosts only. */
const KNOWN_HOSTS_ONLY = ['hosts', 'allow-any-host'];
/** Options of the sshd-side formats that mean nothing for known-hosts (a client's file). */
const HOST_SIDE_ONLY = ['environment', 'principals', 'drop-in', 'ca-keys-path', 'principals-dir', 'reload-command'];
/** Options of cloud-init-otp that mean nothing for the host-trust formats. */
const OTP_ONLY = [
  'allowed-roles',
  'allowed-cidr',
  'ca-cert',
  'namespace',
  'tls-skip-verify',
  'dev',
  'pam-service',
  'pam-log',
];

function refuseOptions(values: Values, names: readonly string[], format: string): void {
  const given = names.filter((n) => values[n] !== undefined);
  if (given.length > 0) {
    throw new UsageError(`${given.map((n) => `--${n}`).join(', ')} cannot be used with --format ${format}`);
  }
}

/** cloud-init-otp: the OTP host's user-data, with the helper's bytes read from the package. */
function renderOtp(values: Values): string {
  refuseOptions(values, [...TRUST_ONLY, ...KNOWN_HOSTS_ONLY], 'cloud-init-otp');
  const address = clientOptionsFromEnv(
    process.env,
    values.address ? { address: values.address as string } : {},
    '--address',
  ).address;
  const roles = required(values['allowed-roles'] as string | undefined, 'allowed-roles');
  const otp = validateOtpHelper({
    vaultAddr: address,
    mount: required(normaliseMount(values.mount as string | undefined), 'mount'),
    allowedRoles: roles
      .split(',')
      .map((r) => r.trim())
      .filter((r) => r !== ''),
    allowedCidrList: (values['allowed-cidr'] as string[] | undefined) ?? [],
    ...(values['ca-cert'] !== undefined ? { caCert: readText(values['ca-cert'] as string, 'CA bundle') } : {}),
    ...(values.namespace !== undefined ? { namespace: values.namespace as string } : {}),
    tlsSkipVerify: values['tls-skip-verify'] === true,
    dev: values.dev === true,
    ...(values['pam-log'] !== undefined ? { pamLog: values['pam-log'] as string } : {}),
    paths: {
      ...(values['pam-service'] !== undefined ? { pamService: values['pam-service'] as string } : {}),
      ...(values['drop-in'] !== undefined ? { dropIn: values['drop-in'] as string } : {}),
    },
  });
  const helper = readFileSync(join(packageRoot(), ...OTP_HELPER_FILE));
  const reloadCommand = values['reload-command'] as string | undefined;
  return renderOtpCloudConfig(otp, helper, reloadCommand !== undefined ? { reloadCommand } : {});
}

/** known-hosts: the @cert-authority lines of the host CA at --mount (and of --ca-key files). */
async function fetchKnownHostsLines(values: Values): Promise<string> {
  // Patterns first: a usage error should not wait for the backend.
  const hosts = hostPatternsOf(values.hosts as string | undefined, '--hosts', values['allow-any-host'] === true);
  const mount = normaliseMount(values.mount as string | undefined);
  const files = (values['ca-key'] as string[] | undefined) ?? [];
  if (mount === undefined && files.length === 0) {
    throw new UsageError('give --mount (the host CA mount, e.g. ssh-dev-host) or at least one --ca-key');
  }
  const keys = [
    ...(mount !== undefined ? [await fetchCaPublicKey(mount, values.address as string | undefined)] : []),
    ...files.map((f) => readText(f, 'CA public key')),
  ];
  return renderCertAuthorityLines(certAuthorityOf(hosts, keys));
}

export const renderCommand: Command = {
  name: 'render',
  summary: "print host-trust files (sshd drop-in, cloud-init, Ansible vars, clients' known_hosts) for an environment",
  help: HELP,
  async run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          format: { type: 'string' },
          mount: { type: 'string' },
          address: { type: 'string' },
          'ca-key': { type: 'string', multiple: true },
          environment: { type: 'string' },
          principals: { type: 'string', multiple: true },
          'drop-in': { type: 'string' },
          'ca-keys-path': { type: 'string' },
          'principals-dir': { type: 'string' },
          'reload-command': { type: 'string' },
          out: { type: 'string' },
          'allowed-roles': { type: 'string' },
          'allowed-cidr': { type: 'string', multiple: true },
          'ca-cert': { type: 'string' },
          namespace: { type: 'string' },
          'tls-skip-verify': { type: 'boolean' },
          dev: { type: 'boolean' },
          'pam-service': { type: 'string' },
          'pam-log': { type: 'string' },
          hosts: { type: 'string' },
          'allow-any-host': { type: 'boolean' },
          role: { type: 'string' },
          'host-names': { type: 'string' },
          'wrapping-token-file': { type: 'string' },
          ttl: { type: 'string' },
          'host-keys': { type: 'string' },
          'kv-mount': { type: 'string' },
          'krl-url': { type: 'string' },
          'krl-ca-cert': { type: 'string' },
        },
      }),
    );
    const format = required(values.format, 'format') as Format;
    if (!FORMATS.includes(format)) {
      throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
    }
    if (format === 'krl') {
      process.stdout.write(await renderKrlFile(values));
      return 0;
    }
    if (format === 'cloud-init-otp' || format === 'cloud-init-host-cert') {
      const text = format === 'cloud-init-otp' ? renderOtp(values) : renderHostCertUserData(values);
      if (values.out === undefined) process.stdout.write(text);
      else writeFileAtomic(values.out, text, { mode: 0o644, overwrite: true });
      return 0;
    }
    refuseOptions(values, OTP_ONLY, format);
    if (format === 'known-hosts') {
      refuseOptions(values, HOST_SIDE_ONLY, format);
      const text = await fetchKnownHostsLines(values);
      if (values.out === undefined) process.stdout.write(text);
      else writeFileAtomic(values.out, text, { mode: 0o644, overwrite: true });
      return 0;
    }
    refuseOptions(values, KNOWN_HOSTS_ONLY, format);
    const mount = normaliseMount(values.mount);
    const principals = principalsOf(values.principals);
    if (format === 'cloud-init' && Object.keys(principals).length === 0) {
      // Without principals files sshd's AuthorizedPrincipalsFile lists no one: every certificate is refused.
      throw new UsageError(
        '--format cloud-init needs at least one --principals ACCOUNT=P1,P2 (e.g. --principals ubuntu=ubuntu): ' +
          'without it the host trusts the CA but lets no certificate log in',
      );
    }
    const extraKeys = (values['ca-key'] ?? []).map((f) => readText(f, 'CA public key'));
    if (mount === undefined && extraKeys.length === 0) throw new UsageError('give --mount or at least one --ca-key');
    const environment = values.environment ?? (mount !== undefined ? environmentOf(mount) : undefined);
    const trust = validateHostTrust({
      environment: required(environment, 'environment'),
      caKeys: [...(mount !== undefined ? [await fetchCaPublicKey(mount, values.address)] : []), ...extraKeys],
      principals,
      paths: {
        ...(values['drop-in'] !== undefined ? { dropIn: values['drop-in'] } : {}),
        ...(values['ca-keys-path'] !== undefined ? { trustedCaKeys: values['ca-keys-path'] } : {}),
        ...(values['principals-dir'] !== undefined ? { principalsDir: values['principals-dir'] } : {}),
      },
    });
    if (format !== 'cloud-init') refuseOptions(values, ['krl-url', 'krl-ca-cert'], format);
    if (values['krl-ca-cert'] !== undefined && values['krl-url'] === undefined) {
      throw new UsageError('--krl-ca-cert needs --krl-url');
    }
    const krl =
      values['krl-url'] !== undefined
        ? validateKrlRefresh({
            environment: trust.environment,
            url: values['krl-url'],
            ...(values['krl-ca-cert'] !== undefined ? { caCert: readText(values['krl-ca-cert'], 'KRL CA bundle') } : {}),
          })
        : undefined;
    const out = values.out;
    if (out === undefined) {
      process.stdout.write(render(format, trust, values['reload-command'], krl));
    } else if (format === 'principals') {
      mkdirSync(out, { recursive: true, mode: 0o755 });
      for (const f of renderPrincipalsFiles(trust)) {
        writeFileAtomic(join(out, f.account), f.content, { mode: 0o644, overwrite: true });
      }
    } else {
      writeFileAtomic(out, render(format, trust, values['reload-command'], krl), { mode: 0o644, overwrite: true });
    }
    return 0;
  },
};
