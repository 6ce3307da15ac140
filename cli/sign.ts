// `sshca sign`: sign a public key with a local CA key under a role from a local role file, with
// exactly the semantics of Vault's `sign/:role` (principals, TTL clamp/reject, extensions, key id).

import { parseArgs } from 'node:util';
import { parsePairs, required, usageErrors } from './args.js';
import type { Command } from './command.js';
import { readText, writeFileAtomic } from './files.js';
import { describeSignature, loadCaKey, signLocally } from './local-sign.js';
import { parseRoleFile } from './role-file.js';

const HELP = `Usage: sshca sign --roles FILE --role NAME --ca CA_KEY --public-key KEY.pub [options]

Sign an SSH public key with a local CA key, under a role from a role file, with the same rules
Vault's ssh/sign/<role> applies. The certificate is written beside the key as KEY-cert.pub
(like ssh-keygen -s), where ssh finds it automatically.

The role file holds Vault request bodies: {"mount": {...}, "roles": {"<name>": {...}}}; see
examples/roles.json.

Options:
  --roles FILE                 role file (JSON)
  --role NAME                  role to sign under
  --ca FILE                    CA private key (OpenSSH, PKCS#1, PKCS#8 or SEC1)
  --public-key FILE            public key to sign (- for standard input)
  --principals LIST            comma list of principals (valid_principals); default: the role's default_user
  --cert-type user|host        certificate type (default user)
  --ttl DURATION               e.g. 30m, 1h, 3600; default: the role's ttl; above max_ttl is refused
  --key-id ID                  key id, when the role has allow_user_key_ids
  --critical-option NAME=VALUE repeatable, e.g. force-command="uptime" or source-address=10.0.0.0/8
  --extension NAME[=VALUE]     repeatable, e.g. permit-pty; replaces the role's default extensions
  --display-name NAME          requester name in the default key id (default: your account name)
  --out FILE                   where to write the certificate (- for standard output)
  --json                       print Vault's response data (serial_number, signed_key) as JSON
  -h, --help                   show this help

Exit codes: 0 signed, 1 refused (the message says why, in Vault's words), 2 bad command line.

Examples:
  sshca sign --roles examples/roles.json --role developer --ca ca/dev-ca \\
             --public-key ~/.ssh/id_ed25519.pub --principals ubuntu --ttl 1h
  sshca sign --roles examples/roles.json --role automation --ca ca/dev-ca \\
             --public-key ci.pub --principals gitlab-runner --json
`;

export const signCommand: Command = {
  name: 'sign',
  summary: 'sign a public key with a local CA key under a role (Vault semantics)',
  help: HELP,
  run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          roles: { type: 'string' },
          role: { type: 'string' },
          ca: { type: 'string' },
          'public-key': { type: 'string' },
          principals: { type: 'string' },
          'cert-type': { type: 'string' },
          ttl: { type: 'string' },
          'key-id': { type: 'string' },
          'critical-option': { type: 'string', multiple: true },
          extension: { type: 'string', multiple: true },
          'display-name': { type: 'string' },
          out: { type: 'string' },
          json: { type: 'boolean', default: false },
        },
      }),
    );
    const rolesPath = required(values.roles, 'roles');
    const roleName = required(values.role, 'role');
    const caPath = required(values.ca, 'ca');
    const keyPath = required(values['public-key'], 'public-key');
    const roleFile = parseRoleFile(readText(rolesPath, 'role file'), rolesPath);
    for (const w of roleFile.warnings) process.stderr.write(`sshca: warning: ${w}\n`);
    const params: Record<string, unknown> = {
      public_key: readText(keyPath, 'public key'),
      critical_options: parsePairs(values['critical-option'], 'critical-option'),
      extensions: parsePairs(values.extension, 'extension'),
      ...(values.principals !== undefined ? { valid_principals: values.principals } : {}),
      ...(values['cert-type'] !== undefined ? { cert_type: values['cert-type'] } : {}),
      ...(values.ttl !== undefined ? { ttl: values.ttl } : {}),
      ...(values['key-id'] !== undefined ? { key_id: values['key-id'] } : {}),
    };
    const result = signLocally({
      roleFile,
      roleName,
      ca: loadCaKey(readText(caPath, 'CA key'), caPath),
      params,
      ...(values['display-name'] !== undefined ? { displayName: values['display-name'] } : {}),
    });
    for (const w of result.warnings) process.stderr.write(`sshca: warning: ${w}\n`);
    const out = values.out ?? (keyPath === '-' ? '-' : `${keyPath.replace(/\.pub$/, '')}-cert.pub`);
    if (out !== '-') writeFileAtomic(out, result.signedKey, { mode: 0o644, overwrite: true });
    if (values.json) {
      const data = { serial_number: result.serialNumber, signed_key: result.signedKey };
      process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    } else if (out === '-') {
      process.stdout.write(result.signedKey);
    } else {
      process.stdout.write(describeSignature(result, out));
    }
    return 0;
  },
};
