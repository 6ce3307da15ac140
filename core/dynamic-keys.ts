// The legacy dynamic-key mode's pure rules (Vault 1.12's `key_type=dynamic`, removed in 1.13; issue 23):
// the role-write checks in Vault's order with Vault's messages, plus ours (RSA of 2048 bits or more,
// host-key pins parsed line by line, options without line breaks, account names safe in a command);
// the authorized_keys line a credential installs; and the arguments Vault gave an install script.
// The server (server/ssh/dynamic-*.ts) does the I/O.

/** The RSA sizes Vault 1.12 accepted for `key_bits`; we refuse the ones below 2048. */
const VAULT_KEY_BITS = [1024, 2048, 3072, 4096, 8192];
/** Our floor for generated user keys (Vault allowed 1024). */
export const MIN_DYNAMIC_KEY_BITS = 2048;

/** Key types a known_hosts line may pin (OpenSSH 9's names). */
const HOST_KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
];

/**
 * An account name we put in a remote command: POSIX-portable characters only (the host's useradd
 * refuses the others anyway), so no quoting question arises.
 */
const SAFE_ACCOUNT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/;

/** Whether `name` is an account name the dynamic-key mode may put in a remote command. */
export const isSafeAccountName = (name: string): boolean => SAFE_ACCOUNT.test(name);

/** The first string of an SSH wire-format blob (its key type), or undefined when it has none. */
function blobKeyType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const n = blob.readUInt32BE(0);
  return n > 0 && 4 + n <= blob.length ? blob.subarray(4, 4 + n).toString('latin1') : undefined;
}

/**
 * Every problem of a role's `known_hosts` pins, one message per bad line: each non-empty line that is
 * not a comment must be `[@cert-authority ]<host patterns> <key type> <base64 key>[ comment]`, with a
 * key type OpenSSH knows and a key that decodes to that type. `@revoked` lines are refused: a pin list
 * says which keys are accepted, not which are not.
 */
export function validateKnownHostsPins(text: string): string[] {
  const issues: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `known_hosts line ${i + 1}`;
    const words = line.split(/\s+/);
    if (words[0]!.startsWith('@')) {
      if (words[0] !== '@cert-authority') {
        issues.push(`${where}: unknown marker ${JSON.stringify(words[0])}; only @cert-authority is allowed`);
        return;
      }
      words.shift();
    }
    const [hosts, type, key] = words;
    if (hosts === undefined || type === undefined || key === undefined) {
      issues.push(`${where}: expected "<host patterns> <key type> <base64 key>", as ssh-keyscan prints`);
      return;
    }
    if (!HOST_KEY_TYPES.includes(type)) {
      issues.push(
        `${where}: unknown key type ${JSON.stringify(type.slice(0, 40))}; allowed: ${HOST_KEY_TYPES.join(', ')}`,
      );
      return;
    }
    const blob = /^[A-Za-z0-9+/]+={0,2}$/.test(key) ? Buffer.from(key, 'base64') : undefined;
    if (!blob || blobKeyType(blob) !== type) {
      issues.push(`${where}: the key is not a base64 ${type} public key`);
    }
  });
  return issues;
}

/** Whether a role's `known_hosts` holds at least one pin. */
export const hasHostKeyPins = (text: string): boolean =>
  text.split(/\r?\n/).some((l) => l.trim() !== '' && !l.trim().startsWith('#'));

const str = (f: ReadonlyMap<string, unknown>, k: string): string => (f.get(k) as string | undefined) ?? '';

/**
 * The problems of a `key_type=dynamic` role write on a `--legacy-dynamic-keys` server, the first one
 * being what the write answers (400): Vault 1.12's checks in its order, then ours. `keyExists` says
 * whether `keys/<key>` is stored (only the server can tell).
 */
export function planDynamicRoleIssues(f: ReadonlyMap<string, unknown>, keyExists: boolean): string[] {
  const issues: string[] = [];
  const key = str(f, 'key');
  const admin = str(f, 'admin_user');
  const defaultUser = str(f, 'default_user');
  if (defaultUser === '') issues.push('missing default user');
  if (key === '') issues.push('missing key name');
  else if (!keyExists) issues.push(`invalid 'key': ${JSON.stringify(key)}`);
  if (admin === '') issues.push('missing admin username');
  const bits = (f.get('key_bits') as number | undefined) ?? 0;
  if (bits !== 0 && bits < MIN_DYNAMIC_KEY_BITS) {
    issues.push(
      `key_bits ${bits} is refused: this server generates RSA keys of ${MIN_DYNAMIC_KEY_BITS} bits or more ` +
        '(Vault allowed 1024); set key_bits to 2048, 3072, 4096 or 8192, or leave it out for 2048',
    );
  } else if (bits !== 0 && !VAULT_KEY_BITS.includes(bits)) issues.push('invalid key_bits field');
  if (admin !== '' && !isSafeAccountName(admin)) {
    issues.push(`admin_user ${JSON.stringify(admin)} is not an account name: use letters, digits, _ . -`);
  }
  if (defaultUser !== '' && !isSafeAccountName(defaultUser)) {
    issues.push(`default_user ${JSON.stringify(defaultUser)} is not an account name: use letters, digits, _ . -`);
  }
  if (/[\r\n]/.test(str(f, 'key_option_specs'))) {
    issues.push('key_option_specs must be one line: a line break would add another authorized_keys entry');
  }
  issues.push(...validateKnownHostsPins(str(f, 'known_hosts')));
  return issues;
}

/** The authorized_keys line a credential installs: the role's options, then the key (Vault's order). */
export const dynamicKeyLine = (publicKey: string, keyOptionSpecs: string): string =>
  keyOptionSpecs === '' ? publicKey.trim() : `${keyOptionSpecs} ${publicKey.trim()}`;

/** The authorized_keys file Vault 1.12 passed to install scripts as their third argument. */
export const vaultAuthorizedKeysPath = (username: string): string => `/home/${username}/.ssh/authorized_keys`;
