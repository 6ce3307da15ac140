// `sshca inspect`: print a certificate's fields exactly as `ssh-keygen -L` does (times in UTC).

import { parseArgs } from 'node:util';
import { parseCertificate } from '../core/cert/certificate.js';
import { renderCertificateText } from '../core/cert/certificate-text.js';
import { RequestError, UsageError } from '../core/errors.js';
import { usageErrors } from './args.js';
import type { Command } from './command.js';
import { readText } from './files.js';

const HELP = `Usage: sshca inspect CERT_FILE

Print an OpenSSH certificate's fields the way "ssh-keygen -L -f CERT_FILE" does: type, key and CA
fingerprints, key id, serial, validity (UTC), principals, critical options and extensions.
Use - to read the certificate from standard input.

Examples:
  sshca inspect ~/.ssh/id_ed25519-cert.pub
  vault write -field=signed_key ssh/sign/developer public_key=@key.pub | sshca inspect -
`;

export const inspectCommand: Command = {
  name: 'inspect',
  summary: "print a certificate's fields like ssh-keygen -L",
  help: HELP,
  run(argv) {
    const { values, positionals } = usageErrors(
      () => parseArgs({ args: [...argv], options: {}, allowPositionals: true, strict: true }),
      1,
    );
    const file = positionals[0];
    if (!file) throw new UsageError('missing CERT_FILE');
    const text = readText(file, 'certificate');
    let body: string;
    try {
      body = renderCertificateText(parseCertificate(text));
    } catch (e) {
      throw new RequestError(`${file} is not a readable OpenSSH certificate: ${(e as Error).message}`);
    }
    process.stdout.write(`${file === '-' ? '(stdin)' : file}:\n${body}`);
    return 0;
  },
};
