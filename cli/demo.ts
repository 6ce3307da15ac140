// `sshca demo` (what `npm start` runs): a dev CA, an ephemeral user key signed under the
// `developer` role of examples/roles.json, and the certificate's fields as ssh-keygen -L prints
// them. Re-running reuses the CA, so hosts configured from an earlier run keep working.

import { parseArgs } from 'node:util';
import { existsSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseCertificate } from '../core/cert/certificate.js';
import { renderCertificateText } from '../core/cert/certificate-text.js';
import { generateKeyPair } from '../core/keys/ca-key.js';
import { HELP_OPTION, usageErrors } from './args.js';
import type { Command } from './command.js';
import { readText, writeFileAtomic } from './files.js';
import { describeSignature, loadCaKey, signLocally } from './local-sign.js';
import { packageRoot } from './package-root.js';
import { parseRoleFile } from './role-file.js';

const HELP = `Usage: sshca demo [--dir DIR] [--role NAME]

Show the whole signing loop on this machine in a second: create (or reuse) a dev CA key in DIR,
generate an ephemeral ed25519 user key, sign it under a role of examples/roles.json with Vault's
rules, and print the certificate's fields as "ssh-keygen -L" would.

Options:
  --dir DIR     where to keep the demo's files (default out/demo)
  --role NAME   role of examples/roles.json to sign under (default developer)
  -h, --help    show this help
`;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the signing loop locally and show the certificate (npm start)',
  help: HELP,
  run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          ...HELP_OPTION,
          dir: { type: 'string', default: join('out', 'demo') },
          role: { type: 'string', default: 'developer' },
        },
      }),
    );
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const dir = values.dir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const say = (s: string) => process.stdout.write(`${s}\n`);
    const rolesPath = join(packageRoot(), 'examples', 'roles.json');
    const roleFile = parseRoleFile(readText(rolesPath, 'role file'), rolesPath);
    say(`1. Roles: ${[...roleFile.roles.keys()].join(', ')} (from ${relative(process.cwd(), rolesPath) || rolesPath})`);

    const caPath = join(dir, 'dev-ca');
    if (existsSync(caPath)) {
      say(`2. Dev CA: reusing ${caPath}`);
    } else {
      const ca = generateKeyPair('ed25519', 0);
      writeFileAtomic(`${caPath}.pub`, ca.publicKey, { mode: 0o644 });
      writeFileAtomic(caPath, ca.privateKey, { mode: 0o600 });
      say(`2. Dev CA: generated ${caPath} (ed25519, private key mode 0600)`);
    }
    const ca = loadCaKey(readText(caPath, 'CA key'), caPath);

    const user = generateKeyPair('ed25519', 0);
    const keyPath = join(dir, 'id_ed25519');
    writeFileAtomic(`${keyPath}.pub`, user.publicKey, { mode: 0o644, overwrite: true });
    writeFileAtomic(keyPath, user.privateKey, { mode: 0o600, overwrite: true });
    say(`3. User key: generated ${keyPath} (ephemeral ed25519)`);

    const result = signLocally({
      roleFile,
      roleName: values.role,
      ca,
      params: { public_key: user.publicKey },
      displayName: 'demo',
    });
    const certPath = `${keyPath}-cert.pub`;
    writeFileAtomic(certPath, result.signedKey, { mode: 0o644, overwrite: true });
    say(`4. ${describeSignature(result, certPath).trimEnd()}`);
    say('');
    process.stdout.write(`${certPath}:\n${renderCertificateText(parseCertificate(result.signedKey))}`);
    say('');
    say(`A host trusts this CA with "TrustedUserCAKeys ${caPath}.pub" in sshd_config;`);
    say(`then: ssh -i ${keyPath} ${result.fields.principals[0] ?? 'user'}@host`);
    return 0;
  },
};
