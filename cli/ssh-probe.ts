// The arguments of one non-interactive login with a key and its certificate and nothing else: no
// config file, no agent, no connection sharing (an earlier login can never carry a later one),
// batch mode, and the host key checked as asked.

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
}

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
  ];
  return [
    '-F',
    'none',
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
