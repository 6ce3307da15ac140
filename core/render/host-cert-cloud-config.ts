// cloud-init user-data that certifies a new instance's own host keys at boot (issue 17, point 2): the
// runcmd script unwraps a response-wrapped token (`POST /v1/sys/wrapping/unwrap`: single use, short
// TTL), sends each public host key to `POST /v1/<host CA mount>/sign/<role>` with curl (JSON through
// python3's standard library; hosts have no Node), installs `<key>-cert.pub` next to each key, writes
// the drop-in with the `HostCertificate` lines (the same bytes as the Ansible role ssh_host_certificate),
// checks it alone with `sshd -t` (silently) and then the whole configuration with `sshd -T` (every
// certificate in effect) before it reloads sshd; if a check fails the drop-in is removed and sshd is
// left as it was. The wrapping token is deleted before it is used, the unwrapped token lives only in
// a 0700 temporary directory removed on exit and is revoked after signing.
//
// User-data is readable on the instance (and by anyone who can describe it): the only secret in it is
// the wrapping token, which is worth nothing once the boot has unwrapped it, and nothing after its TTL.

import { ValidationError, type Issue } from '../errors.js';
import {
  checkUserDataSize,
  renderRuncmdScript,
  renderWriteFile,
  resolveCloudConfigOptions,
  type CloudConfigOptions,
} from './cloud-config-parts.js';

/** Where the boot script finds and puts things; tests point them at a scratch directory. */
export interface HostCertBootPaths {
  /**
   * Private host key paths to certify, those whose `<key>.pub` exists (the private keys are only
   * passed to `sshd -t -h`). @default /etc/ssh/ssh_host_{ed25519,ecdsa,rsa}_key
   */
  readonly hostKeys: readonly string[];
  /** The drop-in with the `HostCertificate` lines. @default /etc/ssh/sshd_config.d/10-sshca-host-certificate.conf */
  readonly dropIn: string;
  /** Where write_files puts the wrapping token (0600); deleted at boot. @default /run/sshca/wrapping-token */
  readonly wrappingToken: string;
  /** The sshd configuration checked as a whole. @default /etc/ssh/sshd_config */
  readonly sshdConfig: string;
  /** The backend's CA bundle, when `caCert` is given. @default /etc/ssh/sshca/backend-ca.pem */
  readonly caCert: string;
}

export const DEFAULT_HOST_CERT_BOOT_PATHS: HostCertBootPaths = {
  hostKeys: ['ed25519', 'ecdsa', 'rsa'].map((t) => `/etc/ssh/ssh_host_${t}_key`),
  dropIn: '/etc/ssh/sshd_config.d/10-sshca-host-certificate.conf',
  wrappingToken: '/run/sshca/wrapping-token',
  sshdConfig: '/etc/ssh/sshd_config',
  caCert: '/etc/ssh/sshca/backend-ca.pem',
};

/** What the instance asks the backend for. */
export interface HostCertBootSpec {
  /** The backend, e.g. `https://vault.example.com:8200`. */
  readonly vaultAddr: string;
  /** The environment's host CA mount, e.g. `ssh-dev-host`. */
  readonly mount: string;
  /** Its host role. @default 'host' */
  readonly role?: string;
  /** The names clients use to reach the instance (the certificate's principals). */
  readonly principals: readonly string[];
  /**
   * A response-wrapped token (`X-Vault-Wrap-TTL`, e.g. `vault token create -policy=<sign policy>
   * -wrap-ttl=15m -use-limit=…`): single use, short TTL. Never a long-lived token.
   */
  readonly wrappingToken: string;
  /** TTL to ask for (`720h`). @default the role's ttl */
  readonly ttl?: string;
  /** PEM bundle to verify the backend's TLS certificate with. @default none: the system's trust store */
  readonly caCert?: string;
  /** @default {@link DEFAULT_HOST_CERT_BOOT_PATHS} */
  readonly paths?: Partial<HostCertBootPaths>;
}

/** A checked spec. */
export interface HostCertBoot {
  readonly vaultAddr: string;
  readonly mount: string;
  readonly role: string;
  readonly principals: readonly string[];
  readonly wrappingToken: string;
  readonly ttl: string;
  readonly caCert: string;
  readonly paths: HostCertBootPaths;
}

const URL_FORM = /^https?:\/\/[A-Za-z0-9.:[\]-]+(?:\/[A-Za-z0-9._~/-]*)?$/;
const MOUNT_FORM = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
const NAME_FORM = /^[A-Za-z0-9_.-]+$/;
const PRINCIPAL_FORM = /^[A-Za-z0-9_.:*-]+$/;
const TOKEN_FORM = /^[A-Za-z0-9._-]{8,}$/;
const DURATION_FORM = /^[0-9]+[smhd]?$/;
const PATH_FORM = /^\/[A-Za-z0-9._/-]+$/;

/** Validate and fill in defaults; throws a ValidationError listing every problem. */
export function validateHostCertBoot(spec: HostCertBootSpec): HostCertBoot {
  const issues: Issue[] = [];
  const vaultAddr = spec.vaultAddr.replace(/\/+$/, '');
  const mount = spec.mount.replace(/^\/+|\/+$/g, '');
  const role = spec.role ?? 'host';
  const ttl = spec.ttl ?? '';
  const paths: HostCertBootPaths = { ...DEFAULT_HOST_CERT_BOOT_PATHS, ...spec.paths };
  if (!URL_FORM.test(vaultAddr)) {
    issues.push({
      field: 'vault_addr',
      message: `vault_addr must be an http:// or https:// URL, got ${JSON.stringify(spec.vaultAddr)}`,
    });
  }
  if (!MOUNT_FORM.test(mount)) {
    issues.push({
      field: 'mount',
      message: `mount must name the host CA mount, e.g. ssh-dev-host, got ${JSON.stringify(spec.mount)}`,
    });
  }
  if (!NAME_FORM.test(role))
    issues.push({ field: 'role', message: `role must be a role name, got ${JSON.stringify(role)}` });
  if (spec.principals.length === 0) {
    issues.push({
      field: 'principals',
      message: 'no principals: name the host as clients reach it, e.g. web-1.dev.example.com',
    });
  }
  spec.principals.forEach((p, i) => {
    if (!PRINCIPAL_FORM.test(p)) {
      issues.push({
        field: `principals[${i}]`,
        message: `principal ${JSON.stringify(p)} must be a host name or address (letters, digits, . - _ : *)`,
      });
    }
  });
  if (!TOKEN_FORM.test(spec.wrappingToken)) {
    issues.push({
      field: 'wrapping_token',
      message:
        'wrapping_token must be a response-wrapped token (letters, digits, . _ -), e.g. the wrap_info.token of vault token create -wrap-ttl=15m',
    });
  }
  if (ttl !== '' && !DURATION_FORM.test(ttl)) {
    issues.push({
      field: 'ttl',
      message: `ttl must be seconds or a duration such as 720h, got ${JSON.stringify(ttl)}`,
    });
  }
  if (paths.hostKeys.length === 0)
    issues.push({ field: 'paths.hostKeys', message: 'at least one host key path is required' });
  const named: [string, string][] = [
    ...paths.hostKeys.map((k, i): [string, string] => [`paths.hostKeys[${i}]`, k]),
    ['paths.dropIn', paths.dropIn],
    ['paths.wrappingToken', paths.wrappingToken],
    ['paths.sshdConfig', paths.sshdConfig],
    ['paths.caCert', paths.caCert],
  ];
  for (const [field, path] of named) {
    if (!PATH_FORM.test(path) || path.split('/').some((s) => s === '.' || s === '..')) {
      issues.push({
        field,
        message: `${field} must be an absolute path of letters, digits and ._/-, got ${JSON.stringify(path)}`,
      });
    }
  }
  if (!paths.dropIn.endsWith('.conf')) {
    issues.push({
      field: 'paths.dropIn',
      message: `the drop-in's name must end in .conf (sshd_config.d/*.conf), got ${paths.dropIn}`,
    });
  }
  const caCert = spec.caCert ?? '';
  if (caCert !== '' && !/^-----BEGIN CERTIFICATE-----\n[\s\S]*-----END CERTIFICATE-----\n?$/.test(caCert)) {
    issues.push({ field: 'ca_cert', message: 'ca_cert must be PEM certificates (-----BEGIN CERTIFICATE-----)' });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return {
    vaultAddr,
    mount,
    role,
    principals: [...new Set(spec.principals)].sort(),
    wrappingToken: spec.wrappingToken,
    ttl,
    caCert: caCert === '' || caCert.endsWith('\n') ? caCert : `${caCert}\n`,
    paths,
  };
}

const MANAGED = '# Managed by vault-ssh-ca: changes here are overwritten.';

/** The header of the HostCertificate drop-in (the Ansible role's template writes the same lines). */
export function hostCertificateDropInHeader(mount: string): string[] {
  return [
    MANAGED,
    `# This host's own keys, certified by the host CA of ${mount}: clients with its @cert-authority line accept them.`,
  ];
}

/** The drop-in for these host keys: one `HostCertificate <key>-cert.pub` line each. */
export function renderHostCertificateDropIn(mount: string, hostKeys: readonly string[]): string {
  return [...hostCertificateDropInHeader(mount), ...hostKeys.map((k) => `HostCertificate ${k}-cert.pub`), ''].join(
    '\n',
  );
}

/** `'text'` for sh. */
const shq = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

// python3 one-liners (stdlib only) that read JSON on stdin or build it from argv.
const PY_FIELD =
  'import functools,json,sys;print(str(functools.reduce(lambda d,k:d[k],sys.argv[1:],json.load(sys.stdin))).strip())';
const PY_SIGN_BODY =
  "import json,sys;b={'cert_type':'host','valid_principals':sys.argv[1],'public_key':sys.argv[2]};" +
  "b.update({'ttl':sys.argv[3]} if sys.argv[3] else {});print(json.dumps(b))";
const PY_ERRORS =
  "import json,sys\ntry: print('; '.join(json.load(sys.stdin)['errors']))\nexcept Exception: print('no JSON answer')";

/** The boot script (runcmd): unwrap, sign, install, check, reload; or leave sshd as it was. */
export function renderHostCertBootScript(boot: HostCertBoot, sshd: string, reload: string): string {
  const { paths } = boot;
  const curlTls = boot.caCert !== '' ? ` --cacert ${paths.caCert}` : '';
  return [
    'set -u',
    `addr=${shq(boot.vaultAddr)}`,
    `mount=${shq(boot.mount)}`,
    `role=${shq(boot.role)}`,
    `principals=${shq(boot.principals.join(','))}`,
    `ttl=${shq(boot.ttl)}`,
    `host_keys=${shq(paths.hostKeys.join(' '))}`,
    `dropin=${shq(paths.dropIn)}`,
    `wrapped=${shq(paths.wrappingToken)}`,
    `sshd_config=${shq(paths.sshdConfig)}`,
    'fail() { echo "vault-ssh-ca: $1; sshd left unchanged" >&2; exit 1; }',
    'umask 077',
    'work=$(mktemp -d) || fail "cannot make a temporary directory"',
    'trap \'rm -rf "$work"\' EXIT',
    `call() { curl -sS${curlTls} -o "$work/answer" -w '%{http_code}' -H @"$work/header" "$@"; }`,
    `field() { python3 -c ${shq(PY_FIELD)} "$@" < "$work/answer"; }`,
    `errors() { python3 -c ${shq(PY_ERRORS)} < "$work/answer"; }`,
    // The wrapping token is single use: delete it before using it, whatever happens next.
    '[ -s "$wrapped" ] || fail "no wrapping token at $wrapped (already used at an earlier boot?)"',
    'printf \'X-Vault-Token: %s\\n\' "$(cat "$wrapped")" > "$work/header"',
    'rm -f "$wrapped"',
    'status=$(call -X POST "$addr/v1/sys/wrapping/unwrap")',
    '[ "$status" = 200 ] || fail "$addr refused the wrapping token ($status: $(errors)): it was already unwrapped, has expired or is not a wrapping token; ask for a new one"',
    'token=$(field auth client_token) || fail "the unwrapped answer holds no token"',
    'printf \'X-Vault-Token: %s\\n\' "$token" > "$work/header"',
    'unset token',
    'signed=',
    'for key in $host_keys; do',
    '  [ -f "$key.pub" ] || continue',
    '  python3 -c ' + shq(PY_SIGN_BODY) + ' "$principals" "$(cut -d\' \' -f1,2 "$key.pub")" "$ttl" > "$work/body"',
    '  status=$(call -X POST --data-binary @"$work/body" "$addr/v1/$mount/sign/$role")',
    '  [ "$status" = 200 ] || fail "$addr did not sign $key.pub ($status: $(errors))"',
    '  field data signed_key > "$work/cert" && ssh-keygen -L -f "$work/cert" > /dev/null || fail "the backend answered no certificate for $key.pub"',
    '  signed="$signed $key"',
    '  cp "$work/cert" "$work/$(basename "$key")-cert.pub"',
    'done',
    // Best effort: the token is of no further use.
    'call -X POST "$addr/v1/auth/token/revoke-self" > /dev/null || true',
    '[ -n "$signed" ] || fail "no public host key found among $host_keys"',
    '{',
    ...hostCertificateDropInHeader(boot.mount).map((l) => `  echo ${shq(l)}`),
    '  for key in $signed; do echo "HostCertificate $key-cert.pub"; done',
    '} > "$work/dropin"',
    'hargs=; for key in $signed; do hargs="$hargs -h $key"; done',
    // sshd -t only warns about a certificate it cannot load: the drop-in must pass without a word.
    'for key in $signed; do cp "$work/$(basename "$key")-cert.pub" "$key-cert.pub.sshca-new" && chmod 0644 "$key-cert.pub.sshca-new" || fail "cannot write $key-cert.pub"; done',
    'for key in $signed; do mv -f "$key-cert.pub.sshca-new" "$key-cert.pub"; done',
    `out=$(${sshd} -t -f "$work/dropin" $hargs 2>&1) && [ -z "$out" ] || fail "sshd -t refused the drop-in: $out"`,
    'mkdir -p "$(dirname "$dropin")" && cp "$work/dropin" "$dropin.sshca-new" && chmod 0644 "$dropin.sshca-new" && mv -f "$dropin.sshca-new" "$dropin" || fail "cannot write $dropin"',
    'ok=1',
    `effective=$(${sshd} -T -f "$sshd_config" 2>"$work/stderr") && [ ! -s "$work/stderr" ] || ok=0`,
    'for key in $signed; do printf \'%s\\n\' "$effective" | grep -qxF "hostcertificate $key-cert.pub" || ok=0; done',
    'if [ "$ok" = 0 ]; then',
    '  rm -f "$dropin"',
    '  fail "sshd refused the host certificates, or they are not in effect (sshd -T -f $sshd_config: $(cat "$work/stderr"))"',
    'fi',
    reload,
    '',
  ].join('\n');
}

/**
 * `#cloud-config` user-data that certifies the instance's host keys at boot. Throws a ValidationError
 * for bad input, and a RequestError when it would exceed EC2's 16 KB.
 */
export function renderHostCertCloudConfig(spec: HostCertBootSpec, options: CloudConfigOptions = {}): string {
  const boot = validateHostCertBoot(spec);
  const { sshd, reload } = resolveCloudConfigOptions(options);
  const text = [
    '#cloud-config',
    `# vault-ssh-ca: certify this host's keys with the host CA of ${boot.mount} at boot. The one secret here is a`,
    '# single-use wrapping token with a short TTL, deleted before it is used.',
    'write_files:',
    renderWriteFile(boot.paths.wrappingToken, `${boot.wrappingToken}\n`, '0600'),
    ...(boot.caCert !== '' ? [renderWriteFile(boot.paths.caCert, boot.caCert)] : []),
    renderRuncmdScript(renderHostCertBootScript(boot, sshd, reload)),
    '',
  ].join('\n');
  return checkUserDataSize(text, 'the host certificate user-data', 'leave out the CA bundle (ca_cert)');
}
