// The arguments of one non-interactive login with a key and its certificate and nothing else: no
// config file, no agent, no connection sharing (an earlier login can never carry a later one),
// batch mode, and the host key checked as asked. With a host CA (issue 17), only the given known_hosts
// counts (no global file) and ssh says at debug level which host key or certificate it was shown, so
// that a refusal can say whether the host presented no certificate or one of another CA.

/** What one probe login uses. */
export interface ProbeLogin {
  readonly identityFile: string;
  readonly certificateFile: string;
  readonly knownHosts: string;
  /** `yes`: the host key must be in knownHosts; `accept-new`: a new key is learnt, a changed one refused. */
  readonly strictHostKeyChecking: 'yes' | 'accept-new';
  readonly port: number;
  readonly destination: string;
  readonly connectTimeoutSeconds?: number;
  /**
   * Trust knownHosts alone: GlobalKnownHostsFile=/dev/null, and ssh -v so that its output names the
   * host key or certificate the host presented (see {@link classifyHostKey}).
   * @default false: the system's global known_hosts files count too, and ssh is quiet
   */
  readonly onlyKnownHosts?: boolean;
}

/** What a host presented, as ssh -v reports it. */
export type PresentedHostKey =
  | { readonly kind: 'plain-key'; readonly fingerprint: string }
  | { readonly kind: 'certificate'; readonly fingerprint: string; readonly caFingerprint: string; readonly id: string }
  | { readonly kind: 'unknown' };

/**
 * The host key or certificate ssh -v says the host presented: "Server host key: ssh-ed25519 SHA256:…"
 * or "Server host certificate: ssh-ed25519-cert-v01@openssh.com SHA256:…, serial 0 ID "…" CA
 * ssh-ed25519 SHA256:… valid from …".
 */
export function classifyHostKey(stderr: string): PresentedHostKey {
  const cert =
    /^debug1: Server host certificate: \S+ (SHA256:[A-Za-z0-9+/]+), serial \d+ ID "(.*)" CA \S+ (SHA256:[A-Za-z0-9+/]+)/m.exec(
      stderr,
    );
  if (cert) return { kind: 'certificate', fingerprint: cert[1]!, id: cert[2]!, caFingerprint: cert[3]! };
  const key = /^debug1: Server host key: \S+ (SHA256:[A-Za-z0-9+/]+)/m.exec(stderr);
  if (key) return { kind: 'plain-key', fingerprint: key[1]! };
  return { kind: 'unknown' };
}

/** ssh's output without its debug lines (what it says at its normal level). */
export const withoutDebug = (stderr: string): string =>
  stderr
    .split('\n')
    .filter((l) => !/^debug\d: /.test(l))
    .join('\n');

/** `ssh` arguments running `true` on the host. */
export function probeArgs(p: ProbeLogin): string[] {
  const options = [
    'IdentitiesOnly=yes',
    'IdentityAgent=none',
    'BatchMode=yes',
    'ControlPath=none',
    `CertificateFile=${p.certificateFile}`,
    `UserKnownHostsFile=${p.knownHosts}`,
    `StrictHostKeyChecking=${p.strictHostKeyChecking}`,
    `ConnectTimeout=${p.connectTimeoutSeconds ?? 10}`,
    ...(p.onlyKnownHosts ? ['GlobalKnownHostsFile=/dev/null'] : []),
  ];
  return [
    '-F',
    'none',
    ...(p.onlyKnownHosts ? ['-v'] : []),
    '-i',
    p.identityFile,
    ...options.flatMap((o) => ['-o', o]),
    '-p',
    String(p.port),
    '-T',
    p.destination,
    'true',
  ];
}
