// `sshca check-host`: the "Test" step of a CI/CD integration. Sign a short-lived certificate for a
// throw-away key, try a real login (a no-op command), and say in plain words whether the host
// accepts the environment's certificates, or why not. With a host CA (issue 17) the host must also
// prove itself: ssh trusts nothing but that CA's @cert-authority line, and a host key it did not
// certify for the name given is reported as such, with its own exit code.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.js';
import { fingerprint, parseSshPublicKey } from '../core/keys/public-key.js';
import { renderCertAuthorityLines, type CertAuthorityTrust } from '../core/render/known-hosts.js';
import { normaliseMount, required, usageErrors } from './args.js';
import { authenticate } from './auth.js';
import { obtainCertificate, sshcaHome } from './certificate-session.js';
import type { Command } from './command.js';
import { certAuthorityOf, describeHostCa, hasHostCa, hostCaSourceOf, readHostCaKeys } from './host-ca.js';
import { classifyHostKey, probeArgs, withoutDebug, type PresentedHostKey } from './ssh-probe.js';
import { LOGIN_OPTIONS, LOGIN_OPTIONS_HELP, authOptionsOf } from './login.js';

const HELP = `Usage: sshca check-host --mount MOUNT --role ROLE [options] user@host

Check that a host accepts certificates of an environment: sign a short-lived certificate for a
throw-away ed25519 key (never written outside a temporary directory), log in with it running a
no-op command, and report the outcome in plain words.

Options:
${LOGIN_OPTIONS_HELP.split('\n')
  .filter((l) => !/^\s+--key |^\s+kept in/.test(l))
  .join('\n')}
  --port N               ssh port (default 22)
  --known-hosts FILE     check the host key against FILE, e.g. ~/.ssh/known_hosts: a host not in it
                         is refused (default: $SSHCA_HOME/check-host_known_hosts, in ~/.ssh/sshca unless
                         SSHCA_HOME is set: a new host's key is learnt on first contact, a changed key
                         is refused; kept apart from $SSHCA_HOME/known_hosts, which login and config
                         point ssh at with StrictHostKeyChecking yes, so a key learnt here is never
                         trusted there)
  --host-ca-mount MOUNT  also check the host's certificate: trust only the host CA of MOUNT (e.g.
                         ssh-dev-host; its public key from /v1/MOUNT/public_key), through a
                         temporary known_hosts holding just "@cert-authority HOST KEY" and
                         StrictHostKeyChecking yes: nothing is learnt, and a host key that CA did
                         not certify for HOST as given (on any port) is exit code 6
  --host-ca-key FILE     the same with the host CA's public key from a file (repeatable: two during
                         a rotation); excludes --known-hosts
  --timeout SECONDS      connection timeout (default 10)
  --json                 print the result as JSON
  -h, --help             show this help

Exit codes: 0 the host accepts the certificate (and, with a host CA, its host certificate is good),
1 it refuses it (or the backend would not sign), 2 bad command line, 3 authentication to the backend
failed, 4 the host could not be reached (or its key is not in --known-hosts), 5 the host's key
differs from the one known for it, 6 host key not certified by the environment's host CA (the host
presents no certificate, or one of another CA, or one that does not name HOST or has expired).

Examples:
  sshca check-host --mount ssh-dev --role automation --principals gitlab-runner deploy@10.0.1.5
  sshca check-host --mount ssh-prod --role developer --principals ubuntu --json ubuntu@web-1.prod.example.com
  sshca check-host --mount ssh-dev --role automation --principals gitlab-runner \\
    --host-ca-mount ssh-dev-host deploy@10.0.1.5
`;

/** An outcome and its exit code. */
interface Outcome {
  readonly ok: boolean;
  readonly reason:
    | 'accepted'
    | 'refused'
    | 'connection-refused'
    | 'unreachable'
    | 'unknown-host'
    | 'host-key'
    | 'host-key-changed'
    | 'host-key-not-certified';
  readonly message: string;
  readonly code: number;
}

/** The host CA a check trusts: how the user named it, and its keys' fingerprints. */
interface HostCaContext {
  readonly description: string;
  readonly fingerprints: readonly string[];
}

/** Exit code of a host key the host CA did not certify. */
const NOT_CERTIFIED = 6;

/** Why ssh refused the host key when only the host CA was trusted (issue 17). */
function notCertified(stderr: string, presented: PresentedHostKey, host: string, hostCa: HostCaContext): Outcome {
  const head = "host key not certified by the environment's host CA";
  const ca = `${hostCa.description} (${hostCa.fingerprints.join(', ')})`;
  const invalid = /^Certificate invalid: (.*)$/m.exec(stderr);
  let detail: string;
  if (invalid) {
    detail =
      `the host presents a certificate of ${ca}, but not one valid for ${host}: ssh said "${invalid[1]}" ` +
      `(the certificate must list ${host}, the name you connect to, among its principals, and be within its validity)`;
  } else if (presented.kind === 'certificate') {
    detail = `the host presents a certificate signed by another CA (${presented.caFingerprint}), not by ${ca}`;
  } else if (presented.kind === 'plain-key') {
    detail =
      `the host presents no certificate, only a plain host key (${presented.fingerprint}): ` +
      `sign it with ${hostCa.description} and name the certificate in sshd's HostCertificate`;
  } else {
    detail = `ssh refused it: ${withoutDebug(stderr).trim().split('\n').pop() ?? ''}`;
  }
  return { ok: false, reason: 'host-key-not-certified', message: `${head}: ${detail}`, code: NOT_CERTIFIED };
}

function classify(
  code: number,
  stderr: string,
  ctx: {
    mount: string;
    principals: readonly string[];
    user: string;
    host: string;
    knownHosts: string;
    hostPattern: string;
    hostCa?: HostCaContext | undefined;
  },
): Outcome {
  const presented = classifyHostKey(stderr);
  const all = stderr;
  stderr = withoutDebug(stderr); // ssh -v (with a host CA) adds debug lines: only its own words count below
  if (code === 0) {
    if (ctx.hostCa) {
      return {
        ok: true,
        reason: 'accepted',
        message:
          `the host accepts certificates of ${ctx.mount} for ${ctx.user}, and its host key is certified for ` +
          `${ctx.host} by ${ctx.hostCa.description}`,
        code: 0,
      };
    }
    // ssh says so when accept-new added the key: "Warning: Permanently added '…' (ED25519) to the list…".
    const learnt = /Permanently added '[^']*' \(([^)]+)\)/.exec(stderr);
    return {
      ok: true,
      reason: 'accepted',
      message:
        `the host accepts certificates of ${ctx.mount} for ${ctx.user}` +
        (learnt ? `; first contact: its ${learnt[1]} host key was added to ${ctx.knownHosts}` : ''),
      code: 0,
    };
  }
  // Before the other host-key case: ssh ends this one with "Host key verification failed." as well.
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/.test(stderr)) {
    return {
      ok: false,
      reason: 'host-key-changed',
      message:
        `the host's key has changed since it was recorded in ${ctx.knownHosts}: someone may be intercepting ` +
        'the connection, or the host was rebuilt. Check the new key with its administrator; if the change is ' +
        `expected, remove the old one with: ssh-keygen -R '${ctx.hostPattern}' -f ${ctx.knownHosts}`,
      code: 5,
    };
  }
  if (/Connection refused/.test(stderr)) {
    return {
      ok: false,
      reason: 'connection-refused',
      message: 'connection refused: nothing listens on that port',
      code: 4,
    };
  }
  if (/Could not resolve hostname/.test(stderr)) {
    return { ok: false, reason: 'unknown-host', message: 'the host name does not resolve', code: 4 };
  }
  if (/timed out|No route to host|Network is unreachable/.test(stderr)) {
    return {
      ok: false,
      reason: 'unreachable',
      message: 'the host could not be reached (timeout or no route)',
      code: 4,
    };
  }
  if (ctx.hostCa && /Host key verification failed/.test(stderr)) {
    return notCertified(all, presented, ctx.host, ctx.hostCa);
  }
  if (/Host key verification failed/.test(stderr)) {
    return { ok: false, reason: 'host-key', message: `the host's key is not in ${ctx.knownHosts}`, code: 4 };
  }
  if (/Permission denied/.test(stderr)) {
    return {
      ok: false,
      reason: 'refused',
      message:
        `the host refused the certificate: it does not trust the ${ctx.mount} CA (TrustedUserCAKeys), ` +
        `or principal(s) ${ctx.principals.join(', ')} are not authorised for account ${ctx.user} ` +
        "(AuthorizedPrincipalsFile), or its clock is behind by more than the certificate's backdate; " +
        "the host's sshd log names which",
      code: 1,
    };
  }
  return {
    ok: false,
    reason: 'refused',
    message: `ssh failed: ${stderr.trim().split('\n').pop() ?? `exit ${code}`}`,
    code: 1,
  };
}

/** With a host CA, in --json: the trusted CA and what the host presented. */
function hostKeyJson(stderr: string, hostCa: HostCaContext): Record<string, unknown> {
  const p = classifyHostKey(stderr);
  return {
    host_ca: hostCa.description,
    host_ca_fingerprints: hostCa.fingerprints,
    presented: p.kind,
    ...(p.kind !== 'unknown' ? { fingerprint: p.fingerprint } : {}),
    ...(p.kind === 'certificate' ? { ca_fingerprint: p.caFingerprint, key_id: p.id } : {}),
  };
}

export const checkHostCommand: Command = {
  name: 'check-host',
  summary: "check that a host accepts an environment's certificates (a real login)",
  help: HELP,
  async run(argv) {
    const { values, positionals } = usageErrors(
      () =>
        parseArgs({
          args: [...argv],
          strict: true,
          allowPositionals: true,
          options: {
            ...LOGIN_OPTIONS,
            port: { type: 'string', default: '22' },
            'known-hosts': { type: 'string' },
            'host-ca-mount': { type: 'string' },
            'host-ca-key': { type: 'string', multiple: true },
            timeout: { type: 'string', default: '10' },
            json: { type: 'boolean' },
          },
        }),
      1,
    );
    const target = positionals[0];
    const m = target ? /^([^@\s]+)@([^@\s]+)$/.exec(target) : null;
    if (!m) throw new UsageError('give the destination as user@host');
    const [, user, host] = m as unknown as [string, string, string];
    const mount = required(normaliseMount(values.mount), 'mount');
    const role = required(values.role, 'role');
    const hostCaSource = hostCaSourceOf(values);
    let hostCa: (HostCaContext & { trust: CertAuthorityTrust }) | undefined;
    if (hasHostCa(hostCaSource)) {
      if (values['known-hosts'] !== undefined) {
        throw new UsageError(
          '--known-hosts and --host-ca-mount/--host-ca-key exclude each other: with a host CA only its certificates are trusted',
        );
      }
      // ssh matches the @cert-authority pattern against the host name as given (on every port).
      const trust = certAuthorityOf([host], await readHostCaKeys(hostCaSource));
      hostCa = {
        trust,
        description: describeHostCa(hostCaSource),
        fingerprints: trust.caKeys.map((k) => fingerprint(parseSshPublicKey(k).blob)),
      };
    }
    const { client } = await authenticate(authOptionsOf(values));
    const dir = mkdtempSync(join(tmpdir(), 'sshca-check-'));
    try {
      const issued = await obtainCertificate(client, {
        mount,
        role,
        ...(values.principals
          ? {
              principals: values.principals
                .split(',')
                .map((p) => p.trim())
                .filter(Boolean),
            }
          : {}),
        ...(values.ttl ? { ttl: values.ttl } : { ttl: '5m' }),
        freshKeyFile: join(dir, 'id_check'),
      });
      // Issue 13, finding 11: a known_hosts that outlives the run, so that a changed key is seen.
      // With a host CA: a known_hosts of its own, holding only the CA's line (issue 17).
      const given = hostCa ? join(dir, 'known_hosts') : values['known-hosts'];
      if (hostCa) writeFileSync(given!, renderCertAuthorityLines(hostCa.trust), { mode: 0o600 });
      const knownHosts = given ?? join(sshcaHome(), 'check-host_known_hosts');
      if (!given) mkdirSync(sshcaHome(), { recursive: true, mode: 0o700 });
      const args = probeArgs({
        identityFile: issued.identityFile,
        certificateFile: issued.certificateFile,
        knownHosts,
        onlyKnownHosts: hostCa !== undefined,
        strictHostKeyChecking: given ? 'yes' : 'accept-new',
        port: Number(values.port),
        destination: `${user}@${host}`,
        connectTimeoutSeconds: Number(values.timeout) || 10,
      });
      const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
        const child = spawn('ssh', args, { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
        child.on('exit', (c) => resolve({ code: c ?? 255, stderr: err }));
      });
      const port = Number(values.port);
      const outcome = classify(code, stderr, {
        mount,
        principals: issued.certificate.principals,
        user,
        host,
        knownHosts,
        hostCa,
        hostPattern: port === 22 ? host : `[${host}]:${port}`,
      });
      if (values.json) {
        process.stdout.write(
          `${JSON.stringify({
            host,
            port: Number(values.port),
            user,
            ok: outcome.ok,
            reason: outcome.reason,
            message: outcome.message,
            certificate: {
              key_id: issued.certificate.keyId,
              serial: issued.certificate.serial.toString(),
              principals: issued.certificate.principals,
            },
            ...(hostCa ? { host_key: hostKeyJson(stderr, hostCa) } : {}),
          })}\n`,
        );
      } else {
        (outcome.ok ? process.stdout : process.stderr).write(
          `${outcome.ok ? 'OK' : 'FAILED'}: ${user}@${host}:${values.port}: ${outcome.message}\n`,
        );
      }
      return outcome.code;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
