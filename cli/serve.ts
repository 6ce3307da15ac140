// `sshca serve`: run the embedded Vault-compatible server, in memory (`--dev`, like `vault server
// -dev`) or durably in a data directory (`--data-dir`), over HTTP or HTTPS, until SIGTERM/SIGINT.

import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createSecureContext } from 'node:tls';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RequestError, UsageError } from '../core/errors.js';
import { openDataDir, parseShares, readUnsealKeyFile, type DataDirOptions } from '../server/data-dir.js';
import type { RequestLimits } from '../server/http/json-limits.js';
import { MemoryStorage } from '../server/storage/memory-storage.js';
import { SealableServer } from '../server/seal/sealable-server.js';
import type { VaultServer } from '../server/vault-server.js';
import { usageErrors } from './args.js';
import type { Command } from './command.js';
import { readText, writeFileAtomic } from './files.js';
import { packageVersion } from './package-root.js';

const HELP = `Usage: sshca serve --dev [--dev-root-token-id TOKEN] [--listen ADDR] [--tls-cert FILE --tls-key FILE]
       sshca serve --data-dir DIR [--manual-init | --unseal-key-file FILE] [--listen ADDR]
                   [--tls-cert FILE --tls-key FILE]
       either one with --legacy-dynamic-keys

Run the embedded Vault-compatible server: Vault's HTTP API for the SSH secrets engine (mounts,
config/ca, roles, sign, issue, public_key; one-time passwords with creds, verify, lookup and
config/zeroaddress), leases (sys/leases), ACL policies, tokens, userpass logins and file audit
devices, on one machine with nothing else installed. Vault's clients and tools work against it
unchanged (VAULT_ADDR, VAULT_TOKEN).

Modes:
  --dev                    in memory: everything is lost when the server stops. Prints the root token.
  --data-dir DIR           durable: state lives in DIR (0700), encrypted at rest under DIR/storage
                           (AES-256-GCM behind Vault's seal). The first start creates a root token,
                           prints it once and keeps it in DIR/root-token (0600); later starts reuse DIR.

Seal (--data-dir):
  A new DIR is initialised with one unseal key share kept in DIR/unseal-key (0600), and every start
  unseals with it, saying so on stderr. Convenient, but the key lies beside the data: it protects
  copies of DIR/storage alone, not a reader of all of DIR. For real protection keep the shares
  elsewhere and give them at start, or unseal by hand as Vault:
  --manual-init            a new DIR stays uninitialised, nothing secret is written to it: initialise
                           with "sshca operator init" (or vault operator init; PUT /v1/sys/init: shares and
                           root token, once) and unseal after every start with "sshca operator unseal"
                           (or vault operator unseal; PUT /v1/sys/unseal)
  --unseal-key-file FILE   unseal with the shares in FILE (one per line, hex or base64; FILE must be
                           0600 or tighter). Whoever reads FILE can unseal.
  SSHCA_UNSEAL_KEY         the same from the environment: shares separated by commas
  While sealed only sys/init, sys/unseal, sys/seal-status and sys/health answer (501 uninitialised,
  503 sealed); everything else is 503 "Vault is sealed". sys/seal seals a running server,
  sys/rotate adds a key term, sys/key-status shows it (all three need sudo).
  A DIR written unencrypted by an earlier sshca is refused: stop the server and run
  "sshca operator migrate --data-dir DIR" once (it keeps everything and writes DIR/unseal-key).

Options:
  --listen ADDR            host:port to listen on (default 127.0.0.1:8200; it never listens beyond
                           loopback unless told, e.g. --listen 0.0.0.0:8200)
  --dev-root-token-id TOK  use TOK as the dev root token instead of a random one
  --tls-cert FILE          serve HTTPS with this certificate (PEM) ...
  --tls-key FILE           ... and this private key (PEM)
  --legacy-dynamic-keys    also serve Vault 1.12's removed dynamic keys (see below); without it the
                           server answers as Vault >= 1.13 (400 "dynamic key type roles are no longer
                           supported", keys/ unsupported path)

Dynamic keys (legacy, --legacy-dynamic-keys):
  For scripts written for Vault <= 1.12 only; SSH certificates (sign, issue) are the way forward.
  keys/NAME takes an admin private key (write and delete only, never readable). A key_type=dynamic
  role names it (key), the account it logs in as (admin_user), the hosts (cidr_list) and their host
  keys (known_hosts: known_hosts lines or an @cert-authority line). creds/ROLE then generates an RSA
  key pair (key_bits, 2048 or more), logs in to the host with OpenSSH's ssh checking the host key
  against the pins, runs "sudo -n /usr/local/sbin/sshca-authorized-key install USER" there with the
  public key (key_option_specs before it) on stdin, and answers the private key with a renewable
  lease. Revoking the lease, or its expiry, uninstalls the key the same way. Unlike Vault, a role
  without pins is refused unless it sets insecure_ignore_host_key=true (answers then carry a
  warning). The admin account needs passwordless sudo for that one command (Ansible role
  ssh_dynamic_keys_admin); a custom install_script (Vault's three arguments) needs broader sudo.

Request limits (Vault's listener settings, same names and defaults; past them the server answers 400
with Vault's message, or 413 for the size, before building anything from the body):
  --max-request-size BYTES              whole body (default 33554432, 32 MiB)
  --max-json-depth N                    nested objects and arrays (default 300)
  --max-json-string-value-length BYTES  one JSON string or number (default 1048576, 1 MiB)
  --max-json-object-entry-count N       entries of one JSON object (default 10000)
  --max-json-array-element-count N      elements of one JSON array (default 10000)

  -h, --help               show this help

The server stops cleanly on SIGTERM or SIGINT (Ctrl-C).

Examples:
  sshca serve --dev --dev-root-token-id root
  export VAULT_ADDR=http://127.0.0.1:8200 VAULT_TOKEN=root
  curl -H "X-Vault-Token: $VAULT_TOKEN" -X POST -d '{"type":"ssh"}' $VAULT_ADDR/v1/sys/mounts/ssh

  sshca serve --data-dir /var/lib/sshca --listen 127.0.0.1:8200

  sshca serve --data-dir /var/lib/sshca --manual-init &
  export VAULT_ADDR=http://127.0.0.1:8200
  sshca operator init --key-shares 5 --key-threshold 3
  sshca operator unseal        # three times, with three different shares

  SSHCA_UNSEAL_KEY="$(cat /run/secrets/sshca-unseal)" sshca serve --data-dir /var/lib/sshca

  sshca serve --data-dir /var/lib/sshca --legacy-dynamic-keys
  vault write ssh/keys/dev_admin key=@dev_admin_key.pem
  vault write ssh/roles/dyn key_type=dynamic key=dev_admin admin_user=sshca-admin \\
      default_user=ubuntu cidr_list=10.0.1.0/24 known_hosts=@known_hosts
  vault write ssh/creds/dyn ip=10.0.1.5     # key: the private key, with a lease
`;

/** `host:port`, `[v6]:port` or `:port` (= 127.0.0.1). */
function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen must be host:port, got ${JSON.stringify(value)}`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** Why a listener could not start, in one line that says what to do (exit code 1, no stack). */
function listenError(e: unknown, listen: string, host: string): RequestError {
  const err = e as NodeJS.ErrnoException;
  const why =
    err.code === 'EADDRINUSE'
      ? 'the address is already in use (another sshca serve or Vault?): stop that server, or choose a free port with --listen'
      : err.code === 'EACCES'
        ? 'permission denied (ports below 1024 need privileges): choose a port above 1023 with --listen'
        : err.code === 'EADDRNOTAVAIL'
          ? `no network interface of this machine has the address ${host}: use --listen 127.0.0.1:PORT`
          : err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN'
            ? `unknown host ${host}: give an IP address or a resolvable name in --listen`
            : err.message;
  return new RequestError(`cannot listen on ${listen}: ${why}`, { cause: e });
}

/** The TLS certificate and key, checked as a pair before anything starts. */
function readTls(certFile: string, keyFile: string): { cert: string; key: string } {
  const cert = readText(certFile, 'TLS certificate');
  const key = readText(keyFile, 'TLS key');
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    const reason = (e as Error).message;
    const why = /key values mismatch/.test(reason)
      ? 'the key does not belong to the certificate'
      : /no start line|bad base64|PEM/i.test(reason)
        ? 'they must be PEM files (-----BEGIN CERTIFICATE----- and -----BEGIN … PRIVATE KEY-----)'
        : reason;
    throw new RequestError(`cannot serve HTTPS with --tls-cert ${certFile} and --tls-key ${keyFile}: ${why}`, {
      cause: e,
    });
  }
  return { cert, key };
}

/** The request-limit flags, named after Vault's listener settings. */
const LIMIT_FLAGS: Readonly<Record<string, keyof RequestLimits>> = {
  'max-request-size': 'maxRequestSize',
  'max-json-depth': 'maxJsonDepth',
  'max-json-string-value-length': 'maxJsonStringValueLength',
  'max-json-object-entry-count': 'maxJsonObjectEntryCount',
  'max-json-array-element-count': 'maxJsonArrayElementCount',
};

function parseLimitFlags(values: Record<string, unknown>): Partial<RequestLimits> {
  const limits: Partial<Record<keyof RequestLimits, number>> = {};
  for (const [flag, key] of Object.entries(LIMIT_FLAGS)) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!/^\d+$/.test(String(raw)) || !Number.isSafeInteger(n) || n < 1) {
      throw new UsageError(`--${flag} must be a positive whole number, got ${JSON.stringify(raw)}`);
    }
    limits[key] = n;
  }
  return limits;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the embedded Vault-compatible server (--dev or --data-dir)',
  help: HELP,
  async run(argv) {
    const { values } = usageErrors(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          dev: { type: 'boolean', default: false },
          'dev-root-token-id': { type: 'string' },
          'data-dir': { type: 'string' },
          listen: { type: 'string', default: '127.0.0.1:8200' },
          'tls-cert': { type: 'string' },
          'tls-key': { type: 'string' },
          'manual-init': { type: 'boolean', default: false },
          'unseal-key-file': { type: 'string' },
          'legacy-dynamic-keys': { type: 'boolean', default: false },
          ...Object.fromEntries(Object.keys(LIMIT_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
        },
      }),
    );
    const dataDir = values['data-dir'];
    if (values.dev === (dataDir !== undefined)) throw new UsageError('give exactly one of --dev or --data-dir');
    if (values['dev-root-token-id'] !== undefined && !values.dev) {
      throw new UsageError('--dev-root-token-id only applies with --dev');
    }
    if ((values['manual-init'] || values['unseal-key-file'] !== undefined) && dataDir === undefined) {
      throw new UsageError('--manual-init and --unseal-key-file only apply with --data-dir');
    }
    if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
      throw new UsageError('--tls-cert and --tls-key go together');
    }
    const limits = parseLimitFlags(values as Record<string, unknown>);
    const { host, port } = parseListen(values.listen);
    const tls = values['tls-cert'] !== undefined ? readTls(values['tls-cert'], values['tls-key']!) : undefined;
    const say = (s: string) => process.stdout.write(`${s}\n`);

    let server: Pick<VaultServer, 'listen' | 'close'>;
    let rootToken: string | undefined;
    let sealState: 'uninitialised' | 'sealed' | undefined;
    let devUnsealKey: string | undefined;
    if (dataDir !== undefined) {
      const keyFile = values['unseal-key-file'];
      const fromEnv = process.env.SSHCA_UNSEAL_KEY;
      const unseal: DataDirOptions['unseal'] =
        keyFile !== undefined
          ? { shares: readUnsealKeyFile(keyFile), source: keyFile }
          : fromEnv !== undefined && fromEnv !== ''
            ? { shares: parseShares(fromEnv, 'SSHCA_UNSEAL_KEY'), source: 'SSHCA_UNSEAL_KEY' }
            : undefined;
      const opened = await openDataDir(
        dataDir,
        {
          version: packageVersion(),
          limits,
          manualInit: values['manual-init'],
          legacyDynamicKeys: values['legacy-dynamic-keys'],
          ...(unseal ? { unseal } : {}),
        },
        (path, content) => writeFileAtomic(path, content, { mode: 0o600, overwrite: true }),
      );
      server = opened.server;
      rootToken = opened.createdRootToken;
      if (opened.notice) process.stderr.write(`${opened.notice}\n`);
      sealState = !opened.server.initialized ? 'uninitialised' : opened.server.sealed ? 'sealed' : undefined;
    } else {
      // Dev mode as Vault's: in memory, initialised with one key share and unsealed, so sys/seal-status,
      // sys/seal and sys/unseal answer as Vault's dev server does (the key is printed, as Vault does).
      const dev = await SealableServer.open({
        physical: new MemoryStorage(),
        version: packageVersion(),
        limits,
        storageType: 'inmem',
        legacyDynamicKeys: values['legacy-dynamic-keys'],
      });
      const { keys } = await dev.initialize(1, 1, { createRoot: false });
      devUnsealKey = keys[0]!.toString('base64');
      await dev.unsealWith(keys);
      rootToken = await dev.server!.tokens.createRoot(values['dev-root-token-id']);
      server = dev;
    }
    let bound: Awaited<ReturnType<VaultServer['listen']>>;
    try {
      bound = await server.listen(host, port, tls);
    } catch (e) {
      // Stop the server's timers (a listener that never listened closes at once), then say why in one line.
      await server.close(createServer());
      throw listenError(e, values.listen, host);
    }
    const { server: listener, url } = bound;
    // Handlers first, so a signal that arrives right after the ready line is handled too.
    const stopped = new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        say(`==> ${signal} received, shutting down`);
        void server.close(listener).then(resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });

    say(`==> sshca embedded Vault-compatible server ${packageVersion()} started`);
    if (values.dev) {
      say('');
      say('WARNING! dev mode is enabled! In this mode, the server runs entirely in memory, starts with a');
      say('single root token, and loses everything when it stops. Do not run dev mode in production.');
    } else {
      const tokenFile = join(dataDir!, 'root-token');
      say(`    Data directory: ${dataDir} (durable)`);
      if (!rootToken && existsSync(tokenFile)) say(`    Root token: in ${tokenFile} (created on the first start)`);
      if (sealState === 'uninitialised') {
        say(
          '    Not initialised: initialise with "sshca operator init" (or vault operator init, PUT /v1/sys/init), then unseal',
        );
      } else if (sealState === 'sealed') {
        say(
          '    Sealed: unseal with "sshca operator unseal" (or vault operator unseal, PUT /v1/sys/unseal), one key share at a time',
        );
      }
    }
    say('');
    say('You may need to set the following environment variables:');
    say('');
    say(`    $ export VAULT_ADDR='${url}'`);
    if (devUnsealKey) {
      say('');
      say('The unseal key and root token are shown below in case you seal the server and unseal it again.');
      say('');
      say(`Unseal Key: ${devUnsealKey}`);
    }
    if (rootToken) {
      if (!devUnsealKey) say('');
      say(`Root Token: ${rootToken}`);
    }
    say('');
    say(`Listening on ${url}`);

    await stopped;
    return 0;
  },
};
