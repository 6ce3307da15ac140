// The OTP host model every OTP renderer shares: which backend vault-ssh-helper asks, which roles and
// addresses it accepts, and where the helper, its config, the PAM include and the sshd drop-in live;
// plus those three text files. The Ansible role ssh_otp_helper's templates produce the same bytes for
// the same inputs (test/golden/otp-helper holds the shared expectations), and its input checks refuse
// the same things.

import { ValidationError, type Issue } from '../errors.js';
import { checkDropInName, checkPath } from './path-checks.js';

/** Where the OTP files live on a host. */
export interface OtpHelperPaths {
  /** The helper (root, 0755). */
  readonly helper: string;
  /** Its configuration (root, 0644; no secret). */
  readonly config: string;
  /** The PAM service of sshd; one `@include` line is added before its first auth line. */
  readonly pamService: string;
  /** The PAM file with the OTP auth lines. */
  readonly pamInclude: string;
  /** The sshd drop-in. Its name must sort before `50-cloud-init.conf` (sshd keeps the first value it reads). */
  readonly dropIn: string;
  /** Where the CA bundle goes, when one is given. */
  readonly caCert: string;
}

/** vault-ssh-helper's own defaults, and Debian's and Ubuntu's PAM and sshd layout. */
export const DEFAULT_OTP_HELPER_PATHS: OtpHelperPaths = {
  helper: '/usr/local/bin/vault-ssh-helper',
  config: '/etc/vault-ssh-helper.d/config.hcl',
  pamService: '/etc/pam.d/sshd',
  pamInclude: '/etc/pam.d/sshca-otp',
  dropIn: '/etc/ssh/sshd_config.d/20-sshca-otp.conf',
  caCert: '/etc/vault-ssh-helper.d/vault-ca.pem',
};

/** sshd's own files on Debian and Ubuntu, which the OTP files must never be. */
const SSHD_COMMAND = '/usr/sbin/sshd';
const SSHD_CONFIG = '/etc/ssh/sshd_config';

/** The header line of every file, as Ansible's `{{ ansible_managed | comment }}` frames it. */
export const DEFAULT_OTP_MANAGED = 'Managed by vault-ssh-ca: changes here are overwritten.';

/** What an OTP host trusts. */
export interface OtpHelperSpec {
  /** The backend, e.g. `https://vault.example.com:8200`; plain http only with `dev`. */
  readonly vaultAddr: string;
  /** The SSH mount that issues the OTPs. @default 'ssh' */
  readonly mount?: string;
  /** Sent as X-Vault-Namespace. @default none */
  readonly namespace?: string;
  /** OTP roles accepted, or `['*']` for every role of the mount. */
  readonly allowedRoles: readonly string[];
  /** CIDR blocks accepted beside the host's own addresses (hosts behind NAT). @default none */
  readonly allowedCidrList?: readonly string[];
  /** PEM CA bundle that verifies the backend, written to `paths.caCert`. @default the system trust store */
  readonly caCert?: string;
  /** A directory of CA certificates already on the host. @default none */
  readonly caPath?: string;
  /** Turn certificate verification off. @default false */
  readonly tlsSkipVerify?: boolean;
  /** Run the helper with `-dev` (plain http, test backends only). @default false */
  readonly dev?: boolean;
  /** pam_exec's `log=` file for the helper's decision lines. @default none */
  readonly pamLog?: string;
  /** @default DEFAULT_OTP_HELPER_PATHS */
  readonly paths?: Partial<OtpHelperPaths>;
  /** The text framed as the files' first comment (Ansible: the `ansible_managed` setting). @default DEFAULT_OTP_MANAGED */
  readonly managed?: string;
}

/** A validated spec, every default resolved. */
export interface OtpHelper {
  readonly vaultAddr: string;
  readonly mount: string;
  readonly namespace: string;
  readonly allowedRoles: readonly string[];
  readonly allowedCidrList: readonly string[];
  readonly caCert: string;
  readonly caPath: string;
  readonly tlsSkipVerify: boolean;
  readonly dev: boolean;
  readonly pamLog: string;
  readonly paths: OtpHelperPaths;
  readonly managed: string;
}

// The same forms as the role's vars/main.yml (Python re there, fullmatch).
const ADDR = /^https?:\/\/[A-Za-z0-9.:[\]_-]+(\/[A-Za-z0-9._~/-]*)?$/;
const MOUNT = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
const NAMESPACE = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/?$/;
const ROLE = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const CIDR = /^([0-9]{1,3}(\.[0-9]{1,3}){3}\/[0-9]{1,2}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\/[0-9]{1,3})$/;
const MANAGED = /^[^\u0000-\u001f\u007f]+$/;

/** Validate and resolve a spec; throws a ValidationError listing every problem. */
export function validateOtpHelper(spec: OtpHelperSpec): OtpHelper {
  const issues: Issue[] = [];
  const dev = spec.dev ?? false;
  const addr = spec.vaultAddr;
  if (!ADDR.test(addr)) {
    issues.push({ field: 'vault_addr', message: `vault_addr must be an https:// URL, got ${JSON.stringify(addr)}` });
  } else if (addr.startsWith('http://') && !dev) {
    issues.push({
      field: 'vault_addr',
      message: `vault_addr ${addr} is plain http: one-time passwords would cross the network in clear. Use https, or dev mode for a test backend`,
    });
  } else if (addr.startsWith('https://') && dev) {
    issues.push({
      field: 'dev',
      message: `dev mode is for plain http test backends, but vault_addr ${addr} is https: drop dev mode`,
    });
  }
  const mount = spec.mount ?? 'ssh';
  if (!MOUNT.test(mount)) {
    issues.push({
      field: 'ssh_mount_point',
      message: `ssh_mount_point must be a mount path such as ssh or ssh-dev, got ${JSON.stringify(mount)}`,
    });
  }
  const namespace = spec.namespace ?? '';
  if (namespace !== '' && !NAMESPACE.test(namespace)) {
    issues.push({
      field: 'namespace',
      message: `namespace must be a namespace path such as team-a/, got ${JSON.stringify(namespace)}`,
    });
  }
  const roles = spec.allowedRoles;
  if (roles.length === 0) {
    issues.push({
      field: 'allowed_roles',
      message: 'allowed_roles must name at least one OTP role, or be ["*"] for every role of the mount',
    });
  } else if (roles.includes('*') && roles.length > 1) {
    issues.push({
      field: 'allowed_roles',
      message: `allowed_roles: "*" allows every role and stands alone, got ${JSON.stringify(roles)}`,
    });
  } else {
    for (const role of roles) {
      if (role !== '*' && !ROLE.test(role)) {
        issues.push({ field: 'allowed_roles', message: `allowed_roles: ${JSON.stringify(role)} is not a role name` });
      }
    }
  }
  const cidrs = spec.allowedCidrList ?? [];
  for (const cidr of cidrs) {
    if (!CIDR.test(cidr)) {
      issues.push({
        field: 'allowed_cidr_list',
        message: `allowed_cidr_list: ${JSON.stringify(cidr)} is not a CIDR block such as 10.0.0.0/16`,
      });
    }
  }
  const caCert = spec.caCert ?? '';
  if (
    caCert !== '' &&
    !/^-----BEGIN CERTIFICATE-----\n[\s\S]*-----END CERTIFICATE-----\n?$/.test(caCert.trim() + '\n')
  ) {
    issues.push({ field: 'ca_cert', message: 'ca_cert must be PEM certificates (-----BEGIN CERTIFICATE-----)' });
  }
  const paths = { ...DEFAULT_OTP_HELPER_PATHS, ...spec.paths };
  checkPath('paths.helper', paths.helper, issues);
  checkPath('paths.config', paths.config, issues);
  checkPath('paths.pam_service', paths.pamService, issues);
  checkPath('paths.pam_include', paths.pamInclude, issues);
  checkPath('paths.drop_in', paths.dropIn, issues);
  checkPath('paths.ca_cert', paths.caCert, issues);
  const caPath = spec.caPath ?? '';
  if (caPath !== '') checkPath('ca_path', caPath, issues);
  const pamLog = spec.pamLog ?? '';
  if (pamLog !== '') checkPath('pam_log', pamLog, issues);
  if (paths.pamInclude === paths.pamService) {
    issues.push({
      field: 'paths.pam_include',
      message: `paths.pam_include must be a file of its own, not the sshd PAM service ${paths.pamService}`,
    });
  }
  // Files the host's files would overwrite one another or sshd's own (the Ansible role refuses the same).
  const same = (a: string, b: string) => a.replace(/\/+/g, '/') === b.replace(/\/+/g, '/');
  const written: [string, string][] = [
    ['paths.helper', paths.helper],
    ['paths.config', paths.config],
    ['paths.pam_include', paths.pamInclude],
    ['paths.drop_in', paths.dropIn],
    ...(caCert !== '' ? ([['paths.ca_cert', paths.caCert]] as [string, string][]) : []),
  ];
  const theirs: [string, string][] = [
    ['paths.pam_service', paths.pamService],
    ['the sshd command', SSHD_COMMAND],
    ['the sshd configuration', SSHD_CONFIG],
  ];
  written.forEach(([field, path], i) => {
    for (const [other, otherPath] of [...written.slice(i + 1), ...theirs]) {
      if (field === 'paths.pam_include' && other === 'paths.pam_service') continue; // said above
      if (same(path, otherPath)) {
        issues.push({
          field,
          message: `${field} and ${other} are the same file ${path}: one would overwrite the other; give each a path of its own`,
        });
      }
    }
  });
  checkDropInName(paths.dropIn, issues);
  const managed = spec.managed ?? DEFAULT_OTP_MANAGED;
  if (!MANAGED.test(managed)) {
    issues.push({ field: 'managed', message: 'managed must be one line of text without control characters' });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return {
    vaultAddr: addr,
    mount,
    namespace,
    allowedRoles: [...roles],
    allowedCidrList: [...cidrs],
    caCert: caCert === '' ? '' : `${caCert.trim()}\n`,
    caPath,
    tlsSkipVerify: spec.tlsSkipVerify ?? false,
    dev,
    pamLog,
    paths,
    managed,
  };
}

/** `{{ ansible_managed | comment }}` and its newline. */
const header = (otp: OtpHelper) => `#\n# ${otp.managed}\n#\n`;

/** The helper's arguments after its path, as PAM and the checks run it. */
export const otpHelperArgs = (otp: OtpHelper): string[] => [
  `-config=${otp.paths.config}`,
  ...(otp.dev ? ['-dev'] : []),
];

/** The helper's configuration, in vault-ssh-helper's HCL. */
export function renderOtpHelperConfig(otp: OtpHelper): string {
  return (
    header(otp) +
    [
      '# vault-ssh-helper: the backend that verifies one-time passwords, and which of them this host accepts.',
      '# No secret here: the helper calls the unauthenticated <mount>/verify endpoint.',
      `vault_addr = "${otp.vaultAddr}"`,
      `ssh_mount_point = "${otp.mount}"`,
      ...(otp.namespace !== '' ? [`namespace = "${otp.namespace}"`] : []),
      ...(otp.caCert !== '' ? [`ca_cert = "${otp.paths.caCert}"`] : []),
      ...(otp.caPath !== '' ? [`ca_path = "${otp.caPath}"`] : []),
      `tls_skip_verify = ${otp.tlsSkipVerify ? 'true' : 'false'}`,
      `allowed_roles = "${otp.allowedRoles.join(',')}"`,
      ...(otp.allowedCidrList.length > 0 ? [`allowed_cidr_list = "${otp.allowedCidrList.join(',')}"`] : []),
      '',
    ].join('\n')
  );
}

/**
 * The PAM include: a verified OTP ends the auth stack (`done`), any other answer fails it (`die`), so
 * the host's other auth lines never see an OTP prompt. `ignore=ignore` lets pam_setcred pass pam_exec
 * (which sets no credentials) on to pam_unix.
 */
export function renderOtpPamInclude(otp: OtpHelper): string {
  return (
    header(otp) +
    [
      '# One-time passwords for sshd (vault-ssh-ca), included by the sshd PAM service before its other auth',
      '# lines: a verified OTP ends the auth stack, any other answer is refused. Public-key logins skip it.',
      [
        'auth [success=done new_authtok_reqd=done ignore=ignore default=die] pam_exec.so quiet expose_authtok',
        ...(otp.pamLog !== '' ? [`log=${otp.pamLog}`] : []),
        otp.paths.helper,
        ...otpHelperArgs(otp),
      ].join(' '),
      '# pam_exec sets no credentials: without this line sshd drops an accepted login at pam_setcred().',
      'auth optional pam_unix.so not_set_pass use_first_pass nodelay',
      '',
    ].join('\n')
  );
}

/** The line added to the sshd PAM service, before its first auth line. */
export const otpPamIncludeLine = (otp: OtpHelper): string => `@include ${otp.paths.pamInclude}`;

/** The sshd drop-in: keyboard-interactive through PAM, public keys kept, plain passwords off. */
export function renderOtpSshdDropIn(otp: OtpHelper): string {
  return (
    header(otp) +
    [
      '# One-time passwords (vault-ssh-ca): keyboard-interactive through PAM, whose pam_exec runs vault-ssh-helper.',
      '# Public keys and certificates keep working; plain password logins stay off.',
      '# sshd keeps the first value it reads: this file sorts before 50-cloud-init.conf on purpose.',
      'KbdInteractiveAuthentication yes',
      'UsePAM yes',
      'PasswordAuthentication no',
      'PubkeyAuthentication yes',
      '',
    ].join('\n')
  );
}
