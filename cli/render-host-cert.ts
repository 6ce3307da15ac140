// `sshca render --format cloud-init-host-cert`: user-data that certifies a new instance's own host
// keys at boot with its environment's host CA (core/render/host-cert-cloud-config.ts), given a
// response-wrapped, single-use token read from a file or standard input (never from the command line,
// where other users and shell history would see it). Nothing is fetched at render time.

import { clientOptionsFromEnv } from '../client/env.js';
import { UsageError } from '../core/errors.js';
import { DEFAULT_HOST_CERT_BOOT_PATHS, renderHostCertCloudConfig } from '../core/render/host-cert-cloud-config.js';
import { normaliseMount, required } from './args.js';
import { readText } from './files.js';

/** The options this format reads (the others are refused by the caller). */
export const HOST_CERT_OPTIONS = [
  'address',
  'mount',
  'role',
  'host-names',
  'wrapping-token-file',
  'ttl',
  'ca-cert',
  'host-keys',
  'drop-in',
  'reload-command',
  'out',
  'format',
] as const;

/** This format's part of `sshca render --help`. */
export const HOST_CERT_HELP = `Host certificate options (cloud-init-host-cert):
  --mount MOUNT                the environment's host CA mount, e.g. ssh-dev-host (required)
  --role ROLE                  its host role (default host)
  --host-names N1,N2           the names clients reach the instance by: the certificate's principals
                               (required), e.g. web-1.dev.example.com
  --wrapping-token-file FILE   a response-wrapped token that may sign on the host role, or - for
                               standard input (required; single use, short TTL, e.g. vault token create
                               -policy=dev-sign-host -ttl=15m -wrap-ttl=15m -field=wrapping_token)
  --ttl DURATION               certificate lifetime to ask for (default: the role's ttl)
  --ca-cert FILE               PEM CA bundle the instance verifies the backend with (default: the
                               system trust store)
  --host-keys K1,K2            private host key paths to certify (default ${DEFAULT_HOST_CERT_BOOT_PATHS.hostKeys.join(',')})
  --drop-in PATH               default ${DEFAULT_HOST_CERT_BOOT_PATHS.dropIn}
  The backend address is --address, else VAULT_ADDR or BAO_ADDR.`;

type Values = Record<string, string | boolean | string[] | undefined>;

const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** The user-data for the options given; throws UsageError or ValidationError for bad input. */
export function renderHostCertUserData(values: Values): string {
  const given = Object.keys(values).filter(
    (k) => values[k] !== undefined && !(HOST_CERT_OPTIONS as readonly string[]).includes(k),
  );
  if (given.length > 0) {
    throw new UsageError(`${given.map((n) => `--${n}`).join(', ')} cannot be used with --format cloud-init-host-cert`);
  }
  const address = clientOptionsFromEnv(
    process.env,
    values.address ? { address: values.address as string } : {},
    '--address',
  ).address;
  const tokenFile = required(values['wrapping-token-file'] as string | undefined, 'wrapping-token-file');
  const wrappingToken = readText(tokenFile, 'wrapping token').trim();
  if (wrappingToken === '') throw new UsageError(`the wrapping token file ${tokenFile} is empty`);
  const reloadCommand = values['reload-command'] as string | undefined;
  return renderHostCertCloudConfig(
    {
      vaultAddr: address,
      mount: required(normaliseMount(values.mount as string | undefined), 'mount'),
      ...(values.role !== undefined ? { role: values.role as string } : {}),
      principals: list(required(values['host-names'] as string | undefined, 'host-names')),
      wrappingToken,
      ...(values.ttl !== undefined ? { ttl: values.ttl as string } : {}),
      ...(values['ca-cert'] !== undefined ? { caCert: readText(values['ca-cert'] as string, 'CA bundle') } : {}),
      paths: {
        ...(values['host-keys'] !== undefined ? { hostKeys: list(values['host-keys'] as string) } : {}),
        ...(values['drop-in'] !== undefined ? { dropIn: values['drop-in'] as string } : {}),
      },
    },
    reloadCommand !== undefined ? { reloadCommand } : {},
  );
}
