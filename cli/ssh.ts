// `sshca ssh`: log in only when no valid certificate is at hand (or too little of its life is
// left), then run the system ssh with that key and certificate.

import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.js';
import { required, usageErrors } from './args.js';
import { defaultIdentityFile, existingCertificate } from './certificate-session.js';
import type { Command } from './command.js';
import { LOGIN_OPTIONS, LOGIN_OPTIONS_HELP, describeCertificate, loginWith } from './login.js';

const HELP = `Usage: sshca ssh --mount MOUNT --role ROLE [options] -- [ssh options] [user@]host [command]

Connect with a certificate, logging in first only when needed: when there is no certificate for the
key yet, it has expired, or less than --renew-at of its lifetime is left. Everything after "--" goes
to the system ssh, which gets -i <key> and -o CertificateFile=<key>-cert.pub.

Options:
${LOGIN_OPTIONS_HELP}
  --renew-at FRACTION    renew when less than this share of the lifetime is left (default 0.2)
  -h, --help             show this help

Exit codes: ssh's own; 1 when the certificate was refused, 2 bad command line, 3 authentication failed.

Examples:
  sshca ssh --mount ssh-dev --role developer --principals ubuntu -- ubuntu@10.0.1.5
  sshca ssh --mount ssh-prod --role emergency --method userpass --username alice -- -p 2222 root@db1 uptime
`;

export const sshCommand: Command = {
  name: 'ssh',
  summary: 'ssh with a certificate, logging in first when needed',
  help: HELP,
  async run(argv) {
    const { values, positionals } = usageErrors(
      () =>
        parseArgs({
          args: [...argv],
          strict: true,
          allowPositionals: true,
          options: { ...LOGIN_OPTIONS, 'renew-at': { type: 'string', default: '0.2' } },
        }),
      Number.MAX_SAFE_INTEGER,
    );
    if (positionals.length === 0) throw new UsageError('give the ssh destination after "--", e.g. -- ubuntu@host');
    const share = Number(values['renew-at']);
    if (!(share >= 0 && share < 1)) throw new UsageError('--renew-at must be a fraction between 0 and 1');
    const identityFile =
      values.key ?? defaultIdentityFile(required(values.mount, 'mount'), required(values.role, 'role'));
    const now = Math.floor(Date.now() / 1000);
    const current = existingCertificate(identityFile);
    const wanted =
      values.principals
        ?.split(',')
        .map((p) => p.trim())
        .filter(Boolean) ?? [];
    const life = current ? Number(current.validBefore - current.validAfter) : 0;
    const fresh =
      current !== undefined &&
      Number(current.validBefore) - now > share * life &&
      wanted.every((p) => current.principals.includes(p));
    if (!fresh) {
      const issued = await loginWith(values);
      process.stderr.write(`sshca: new certificate: ${describeCertificate(issued.certificate, now)}\n`);
    }
    const child = spawn('ssh', ['-i', identityFile, '-o', `CertificateFile=${identityFile}-cert.pub`, ...positionals], {
      stdio: 'inherit',
    });
    return new Promise<number>((resolve) => {
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
      child.on('error', () => resolve(127));
    });
  },
};
