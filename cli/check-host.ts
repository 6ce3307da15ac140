// `sshca check-host`: the "Test" step of a CI/CD integration. Sign a short-lived certificate for a
// throw-away key, try a real login (a no-op command), and say in plain words whether the host
// accepts the environment's certificates, or why not.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.js';
import { normaliseMount, required, usageErrors } from './args.js';
import { authenticate } from './auth.js';
import { obtainCertificate, sshcaHome } from './certificate-session.js';
import type { Command } from './command.js';
import { probeArgs } from './ssh-probe.js';
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
                         is refused (default: $SSHCA_HOME/known_hosts, ~/.ssh/sshca/known_hosts unless
                         SSHCA_HOME is set: a new host's key is learnt on first contact, a changed key
                         is refused)
  --timeout SECONDS      connection timeout (default 10)
  --json                 print the result as JSON
  -h, --help             show this help

Exit codes: 0 the host accepts the certificate, 1 it refuses it (or the backend would not sign),
2 bad command line, 3 authentication to the backend failed, 4 the host could not be reached (or its
key is not in --known-hosts), 5 the host's key differs from the one known for it.

Examples:
  sshca check-host --mount ssh-dev --role automation --principals gitlab-runner deploy@10.0.1.5
  sshca check-host --mount ssh-prod --role developer --principals ubuntu --json ubuntu@web-1.prod.example.com
`;

/** An outcome and its exit code. */
interface Outcome {
  readonly ok: boolean;
  readonly reason:
    'accepted' | 'refused' | 'connection-refused' | 'unreachable' | 'unknown-host' | 'host-key' | 'host-key-changed';
  readonly message: string;
  readonly code: number;
}

function classify(
  code: number,
  stderr: string,
  ctx: { mount: string; principals: readonly string[]; user: string; knownHosts: string; hostPattern: string },
): Outcome {
  if (code === 0) {
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
      const given = values['known-hosts'];
      const knownHosts = given ?? join(sshcaHome(), 'known_hosts');
      if (!given) mkdirSync(sshcaHome(), { recursive: true, mode: 0o700 });
      const args = probeArgs({
        identityFile: issued.identityFile,
        certificateFile: issued.certificateFile,
        knownHosts,
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
        knownHosts,
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
