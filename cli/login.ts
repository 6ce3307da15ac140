// `sshca login`: authenticate (token, userpass, a CI job's JWT, or an AppRole), get a short-lived certificate for an existing or
// fresh key, write it beside the key, load key and certificate into ssh-agent for exactly the
// certificate's remaining life, drop our expired certificates from the agent, and say what was issued.
// With --wrap-ttl it hands a credential on instead (a single-use wrapping token); with --unwrap-token
// it signs with the credential such a token holds. With --host-ca-mount it also makes ssh trust the
// environment's hosts through their host certificates only (issue 17): the host CA's @cert-authority
// line in $SSHCA_HOME/known_hosts, and a block in $SSHCA_HOME/config naming that file with
// StrictHostKeyChecking yes.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DecodedCertificate } from '../core/cert/certificate.js';
import { formatGoDuration } from '../core/duration.js';
import { addToAgent, agentAvailable, removeExpired } from './agent.js';
import { UsageError } from '../core/errors.js';
import { normaliseMount, required, usageErrors } from './args.js';
import { authenticate, type AuthOptions } from './auth.js';
import { isSshcaKey, obtainCertificate, sshcaHome, type CertificateOnDisk } from './certificate-session.js';
import type { Command } from './command.js';
import { renderConfigFile } from './config.js';
import { writeFileAtomic } from './files.js';
import { certAuthorityOf, configHostPatternsOf, fetchCaPublicKey, writeKnownHosts } from './host-ca.js';
import { parseWrapTtlOption, unwrapCredential, wrapCredential } from './hand-on.js';

export const LOGIN_OPTIONS = {
  mount: { type: 'string' },
  role: { type: 'string' },
  principals: { type: 'string' },
  ttl: { type: 'string' },
  key: { type: 'string' },
  address: { type: 'string' },
  token: { type: 'string' },
  method: { type: 'string' },
  username: { type: 'string' },
  'password-env': { type: 'string' },
  'auth-mount': { type: 'string' },
  'jwt-role': { type: 'string' },
  'jwt-env': { type: 'string' },
  'jwt-file': { type: 'string' },
  'role-id': { type: 'string' },
  'role-id-file': { type: 'string' },
  'secret-id-env': { type: 'string' },
  'secret-id-file': { type: 'string' },
  'secret-id-wrapped': { type: 'string' },
} as const;

export const LOGIN_OPTIONS_HELP = `  --mount MOUNT          SSH secrets engine mount, e.g. ssh-dev
  --role ROLE            role to sign under, e.g. developer
  --principals LIST      comma list of principals (default: the role's default user)
  --ttl DURATION         e.g. 30m, 1h (default: the role's TTL; above its maximum is refused)
  --key FILE             sign this existing key (FILE.pub beside it) instead of a fresh ed25519 key
                         kept in ~/.ssh/sshca/<mount>-<role> (or $SSHCA_HOME)
  --address URL          backend address (default VAULT_ADDR or BAO_ADDR)
  --token TOKEN          token (default VAULT_TOKEN, BAO_TOKEN, then ~/.vault-token)
  --method token|userpass|jwt|approle
  --username NAME        userpass user; the password comes from $SSHCA_PASSWORD (or the variable
                         named by --password-env), else a prompt that does not echo
  --jwt-env VARIABLE     jwt: the environment variable holding the CI job's token (GitLab's
                         id_tokens, GitHub Actions' OIDC token); never printed
  --jwt-file FILE        jwt: read the job's token from FILE instead
  --jwt-role NAME        jwt: the JWT role to log in to, e.g. dev-ci (default: the JWT mount's
                         default_role)
  --role-id ID           approle: the role's role_id (not a secret: it names the role)
  --role-id-file FILE    approle: read the role_id from FILE instead
  --secret-id-env VARIABLE
                         approle: the environment variable holding the secret ID (default
                         SSHCA_SECRET_ID); never printed, and never taken from the command line
  --secret-id-file FILE  approle: read the secret ID from FILE instead
  --secret-id-wrapped TOKEN|@FILE
                         approle: a response-wrapping token (or a file holding one) whose unwrap
                         gives the secret ID; it works once: a used or expired one is refused
  --auth-mount PATH      where the auth method is mounted (default userpass; jwt for --method jwt;
                         approle for --method approle)`;

const HELP = `Usage: sshca login --mount MOUNT --role ROLE [options]

Get a short-lived SSH certificate from Vault, OpenBao or sshca serve, write it beside the key as
<key>-cert.pub, and add key and certificate to ssh-agent for exactly the certificate's lifetime
(expired certificates of ours are removed from the agent). Then "ssh user@host" just works.

Options:
${LOGIN_OPTIONS_HELP}
  --no-agent             do not touch ssh-agent
  --json                 print what was issued as JSON
  --wrap-ttl DURATION    hand the credential on instead of signing: log in (userpass) or create a
                         child token (token method), wrapped for DURATION (e.g. 10m), and print only
                         the single-use wrapping token (--mount and --role are not needed)
  --unwrap-token TOKEN   sign with the credential a wrapping token holds (spends the token; it
                         fails if the token was used or expired, which tells you it was intercepted)
  -h, --help             show this help

Host certificates (no trust on first use):
  --host-ca-mount MOUNT  mount of the environment's host CA, e.g. ssh-dev-host: its public key
                         (/v1/MOUNT/public_key) goes into $SSHCA_HOME/known_hosts as
                         "@cert-authority PATTERNS KEY" (an older line for the same PATTERNS is
                         replaced, other lines kept), and $SSHCA_HOME/config gets a block for
                         PATTERNS with this key and certificate, UserKnownHostsFile that file and
                         StrictHostKeyChecking yes (the block of the same MOUNT and ROLE is replaced).
                         Use it with "ssh -F $SSHCA_HOME/config HOST", or put
                         "Include ~/.ssh/sshca/config" at the top of ~/.ssh/config
  --hosts PATTERNS       the environment's hosts, ssh_config Host patterns separated by commas or
                         spaces, e.g. '*.dev.example.com,10.1.0.*' (required with --host-ca-mount);
                         ssh checks a host certificate against the name you type, on any port
  --allow-any-host       allow a pattern that matches every host, such as '*' (refused without:
                         the host CA would vouch for hosts outside the environment)

Exit codes: 0 signed (or wrapped), 1 refused (role, principal, TTL or policy: the message says
which, with the backend's own words; no such host CA mount), 2 bad command line, 3 authentication or
unwrapping failed.

Examples:
  sshca login --mount ssh-dev --role developer --principals ubuntu
  SSHCA_PASSWORD=… sshca login --method userpass --username alice --mount ssh-prod --role developer --ttl 30m
  VAULT_TOKEN=$CI_TOKEN sshca login --mount ssh-dev --role automation --principals gitlab-runner --no-agent --json

  # A CI job logs in with its own token (GitLab id_tokens: SSHCA_JWT), no stored secret.
  sshca login --method jwt --jwt-role dev-ci --jwt-env SSHCA_JWT \\
    --mount ssh-dev --role automation --principals gitlab-runner --json --no-agent
  sshca login --mount ssh-dev --role developer --principals ubuntu \\
    --host-ca-mount ssh-dev-host --hosts '*.dev.example.com,10.1.0.*'
  ssh -F ~/.ssh/sshca/config ubuntu@web-1.dev.example.com

  # A deploy tool logs in with its AppRole: role_id in its config, secret ID in SSHCA_SECRET_ID.
  sshca login --method approle --role-id "$ROLE_ID" --secret-id-env SSHCA_SECRET_ID \\
    --mount ssh-dev --role automation --principals gitlab-runner --json --no-agent
  # …or with a secret ID handed on wrapped (vault write -wrap-ttl=10m -f auth/approle/role/deploy/secret-id)
  sshca login --method approle --role-id "$ROLE_ID" --secret-id-wrapped @secret-id.wrapped \\
    --mount ssh-dev --role automation --principals gitlab-runner --no-agent

  # Hand a credential to a new machine once: wrap here, unwrap there (vault unwrap works too).
  WRAPPED=$(SSHCA_PASSWORD=… sshca login --method userpass --username deploy --wrap-ttl 10m)
  sshca login --unwrap-token "$WRAPPED" --mount ssh-dev --role automation --no-agent
`;

/** What `login` prints about a certificate. */
export function describeCertificate(c: DecodedCertificate, now: number): string {
  const left = Number(c.validBefore) - now;
  const until = new Date(Number(c.validBefore) * 1000).toISOString().replace('.000Z', 'Z');
  return `principals ${c.principals.join(', ')}; key id ${c.keyId}; serial ${c.serial}; valid until ${until} (${formatGoDuration(Math.max(0, left))} left)`;
}

/** The options shared by login and ssh, as parsed values. */
export type LoginValues = { [K in keyof typeof LOGIN_OPTIONS]?: string };

/** The authentication part of the login options. */
export function authOptionsOf(values: LoginValues): AuthOptions {
  return {
    ...(values.address ? { address: values.address } : {}),
    ...(values.token ? { token: values.token } : {}),
    ...(values.method ? { method: values.method } : {}),
    ...(values.username ? { username: values.username } : {}),
    ...(values['password-env'] ? { passwordEnv: values['password-env'] } : {}),
    ...(values['auth-mount'] ? { authMount: values['auth-mount'] } : {}),
    ...(values['jwt-env'] !== undefined ? { jwtEnv: values['jwt-env'] } : {}),
    ...(values['jwt-file'] !== undefined ? { jwtFile: values['jwt-file'] } : {}),
    ...(values['jwt-role'] !== undefined ? { jwtRole: values['jwt-role'] } : {}),
    ...(values['role-id'] !== undefined ? { roleId: values['role-id'] } : {}),
    ...(values['role-id-file'] !== undefined ? { roleIdFile: values['role-id-file'] } : {}),
    ...(values['secret-id-env'] !== undefined ? { secretIdEnv: values['secret-id-env'] } : {}),
    ...(values['secret-id-file'] !== undefined ? { secretIdFile: values['secret-id-file'] } : {}),
    ...(values['secret-id-wrapped'] !== undefined ? { secretIdWrapped: values['secret-id-wrapped'] } : {}),
  };
}

/** Authenticate and obtain a certificate as the login options say. */
export async function loginWith(values: LoginValues): Promise<CertificateOnDisk & { identity: string }> {
  const { client, describe } = await authenticate(authOptionsOf(values));
  const issued = await obtainCertificate(client, {
    mount: required(values.mount, 'mount'),
    role: required(values.role, 'role'),
    ...(values.principals
      ? {
          principals: values.principals
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean),
        }
      : {}),
    ...(values.ttl ? { ttl: values.ttl } : {}),
    ...(values.key ? { keyFile: values.key } : {}),
  });
  return { ...issued, identity: describe };
}

/**
 * Trust the host CA for `hosts`: its line in $SSHCA_HOME/known_hosts, and the block for this mount
 * and role in $SSHCA_HOME/config (0600, atomically) naming that file with StrictHostKeyChecking yes.
 */
function trustHosts(
  hostCa: { readonly hosts: readonly string[]; readonly key: string },
  identityFile: string,
  values: LoginValues,
): { knownHosts: string; sshConfig: string } {
  const knownHosts = join(sshcaHome(), 'known_hosts');
  writeKnownHosts(knownHosts, certAuthorityOf(hostCa.hosts, [hostCa.key]));
  const sshConfig = join(sshcaHome(), 'config');
  const existing = existsSync(sshConfig) ? readFileSync(sshConfig, 'utf8') : '';
  const block = {
    mount: required(values.mount, 'mount'),
    role: required(values.role, 'role'),
    host: hostCa.hosts.join(' '),
    identityFile,
    knownHosts,
  };
  writeFileAtomic(sshConfig, renderConfigFile(existing, block), { mode: 0o600, overwrite: true });
  return { knownHosts, sshConfig };
}

export const loginCommand: Command = {
  name: 'login',
  summary: 'get a short-lived certificate and load it into ssh-agent',
  help: HELP,
  async run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          ...LOGIN_OPTIONS,
          'no-agent': { type: 'boolean' },
          json: { type: 'boolean' },
          'wrap-ttl': { type: 'string' },
          'unwrap-token': { type: 'string' },
          'host-ca-mount': { type: 'string' },
          hosts: { type: 'string' },
          'allow-any-host': { type: 'boolean' },
        },
      }),
    );
    const mount = normaliseMount(values.mount);
    if (mount !== undefined) values.mount = mount;
    const wrapTtl = values['wrap-ttl'];
    const unwrapToken = values['unwrap-token'];
    if (wrapTtl !== undefined && unwrapToken !== undefined) {
      throw new UsageError('--wrap-ttl and --unwrap-token exclude each other');
    }
    const hostCaMount = normaliseMount(values['host-ca-mount'], 'host-ca-mount');
    if (hostCaMount === undefined) {
      for (const flag of ['hosts', 'allow-any-host'] as const) {
        if (values[flag] !== undefined) throw new UsageError(`--${flag} needs --host-ca-mount`);
      }
    } else if (wrapTtl !== undefined) {
      throw new UsageError('--host-ca-mount does not combine with --wrap-ttl (nothing is signed then)');
    }
    if (wrapTtl !== undefined) {
      const { wrapInfo, what } = await wrapCredential(authOptionsOf(values), parseWrapTtlOption(wrapTtl));
      // stdout holds only the token (or the wrap_info JSON), so WRAPPED=$(sshca login … --wrap-ttl …) works.
      process.stdout.write(values.json ? `${JSON.stringify(wrapInfo)}\n` : `${wrapInfo.token}\n`);
      process.stderr.write(
        `Wrapped ${what} for ${formatGoDuration(wrapInfo.ttl)}: it can be unwrapped once, before it expires ` +
          `(sshca login --unwrap-token TOKEN …, or vault unwrap TOKEN).\n`,
      );
      return 0;
    }
    required(values.mount, 'mount');
    required(values.role, 'role');
    if (unwrapToken !== undefined) {
      if (values.method !== undefined && values.method !== 'token') {
        throw new UsageError(`--unwrap-token gives a token: it does not combine with --method ${values.method}`);
      }
      if (values.token !== undefined) throw new UsageError('--unwrap-token and --token exclude each other');
      values.token = await unwrapCredential(values.address, required(unwrapToken, 'unwrap-token'));
    }
    // The host CA before signing: a wrong option or mount fails before anything is written.
    let hostCa: { mount: string; hosts: string[]; key: string } | undefined;
    if (hostCaMount !== undefined) {
      if (values.hosts === undefined) {
        throw new UsageError(
          "--host-ca-mount needs --hosts PATTERNS (the hosts its certificates are trusted for, e.g. '*.dev.example.com')",
        );
      }
      const hosts = configHostPatternsOf(values.hosts, '--hosts', values['allow-any-host'] === true);
      const key = await fetchCaPublicKey(hostCaMount, values.address, '--host-ca-mount');
      hostCa = { mount: hostCaMount, hosts, key };
    }
    const issued = await loginWith(values);
    const trusted = hostCa ? trustHosts(hostCa, issued.identityFile, values) : undefined;
    const now = Math.floor(Date.now() / 1000);
    const c = issued.certificate;
    let agent: 'added' | 'not running' | 'skipped' = 'skipped';
    let pruned = 0;
    if (!values['no-agent']) {
      if (agentAvailable()) {
        pruned = removeExpired(now, isSshcaKey);
        addToAgent(issued.identityFile, Number(c.validBefore) - now);
        agent = 'added';
      } else {
        agent = 'not running';
      }
    }
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({
          identity_file: issued.identityFile,
          certificate_file: issued.certificateFile,
          principals: c.principals,
          key_id: c.keyId,
          serial: c.serial.toString(),
          valid_after: Number(c.validAfter),
          valid_before: Number(c.validBefore),
          agent,
          ...(trusted ? { known_hosts: trusted.knownHosts, ssh_config: trusted.sshConfig } : {}),
        })}\n`,
      );
      return 0;
    }
    process.stdout.write(`Signed ${issued.certificateFile} as ${issued.identity}: ${describeCertificate(c, now)}\n`);
    if (trusted) {
      process.stdout.write(
        `Trusting host certificates of ${hostCa!.mount} for ${hostCa!.hosts.join(',')} in ${trusted.knownHosts}; ` +
          `ssh config for those hosts in ${trusted.sshConfig} (ssh -F ${trusted.sshConfig} HOST, or ` +
          `"Include ${trusted.sshConfig}" at the top of ~/.ssh/config).\n`,
      );
    }
    if (agent === 'added') {
      process.stdout.write(
        `Added to ssh-agent until it expires${pruned ? `; removed ${pruned} expired certificate(s)` : ''}.\n`,
      );
    } else if (agent === 'not running') {
      process.stdout.write(`No ssh-agent: use ssh -i ${issued.identityFile} (the certificate is found beside it).\n`);
    }
    return 0;
  },
};
