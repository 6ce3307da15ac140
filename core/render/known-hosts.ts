// The client side of host certificates: `@cert-authority` lines of a known_hosts file, which make ssh
// accept a host key only when the environment's host CA certified it for the name it was asked to
// reach (issue 17, point 3). One renderer for `sshca render --format known-hosts`, and for the
// known_hosts files `sshca login`, `sshca config` and `sshca check-host` write.
//
// OpenSSH's rules these follow: a line is `@cert-authority <patterns> <key>`; the patterns are a comma
// list with `*` and `?` wildcards, `!` negation and `[host]:port` for one port; ssh matches them
// (case-insensitively) against the host name as given on its command line (or HostName), and for a
// certificate first as `[host]:port` when the port is not 22, then as the bare name (ssh -v: "checking
// without port identifier"), so a bare pattern covers every port.

import { ValidationError, type Issue } from '../errors.js';
import { formatAuthorizedKey, parseSshPublicKey } from '../keys/public-key.js';

/** Which hosts a host CA may vouch for, and its keys. */
export interface CertAuthoritySpec {
  /**
   * known_hosts patterns: `web-1.dev.example.com`, `*.dev.example.com`, `10.1.0.*`,
   * `[bastion.example.com]:2222`, `!db.dev.example.com`.
   */
  readonly hosts: readonly string[];
  /** The host CA's public keys (authorized_keys lines; comments dropped); two during a rotation. */
  readonly caKeys: readonly string[];
  /** Allow a pattern that matches every host, such as `*`. @default false: refused */
  readonly allowAnyHost?: boolean;
}

/** A validated spec: patterns as given, keys normalised to `<type> <base64>` and unique. */
export interface CertAuthorityTrust {
  readonly hosts: readonly string[];
  readonly caKeys: readonly string[];
}

/** The marker of a host CA line in known_hosts (sshd(8), SSH_KNOWN_HOSTS FILE FORMAT). */
export const CERT_AUTHORITY_MARKER = '@cert-authority';

// A host name, an address (IPv6 too, with a %zone) or a wildcard pattern of them: no white space or
// commas (they separate patterns), no "|" (hashed names, which ssh cannot match against patterns).
const HOST = /^[A-Za-z0-9._*?:%-]+$/;
const BRACKETED = /^\[([^\][]*)\]:([^\][]*)$/;
const PORT = /^(?:[0-9]{1,5}|[0-9*?]*[*?][0-9*?]*)$/;
const EXAMPLE = 'e.g. *.dev.example.com,10.1.0.*';

/**
 * Split a pattern list as users type it: commas (known_hosts) or white space (ssh_config `Host`).
 * An empty item (`a,,b`) stays in, as `''`, so that the validator names it.
 */
export function parseHostPatterns(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  return trimmed.split(/\s*,\s*|\s+/);
}

/** Whether a pattern (without `!`) matches every host: nothing but wildcards and separators. */
function matchesEveryHost(host: string): boolean {
  return host.includes('*') && /^[*?.:]+$/.test(host);
}

/** The issues of one pattern; `field` names it, e.g. `hosts[0]`. */
function checkPattern(pattern: string, field: string, allowAnyHost: boolean, issues: Issue[]): void {
  if (pattern === '') {
    issues.push({ field, message: `an empty host pattern (two commas in a row?): name hosts, ${EXAMPLE}` });
    return;
  }
  const negated = pattern.startsWith('!');
  const body = negated ? pattern.slice(1) : pattern;
  const bracketed = BRACKETED.exec(body);
  const host = bracketed ? bracketed[1]! : body;
  if (bracketed && !PORT.test(bracketed[2]!)) {
    issues.push({
      field,
      message: `host pattern ${JSON.stringify(pattern)} has no valid port after "]:": write [host]:port, e.g. [bastion.example.com]:2222`,
    });
    return;
  }
  if (host === '' || !HOST.test(host)) {
    issues.push({
      field,
      message:
        `host pattern ${JSON.stringify(pattern)} is not a host name, address or wildcard pattern ` +
        `(letters, digits, . - _ : %, wildcards * and ?, ! to exclude, [host]:port for one port), ${EXAMPLE}`,
    });
    return;
  }
  if (!negated && !allowAnyHost && matchesEveryHost(host)) {
    issues.push({
      field,
      message:
        `host pattern ${JSON.stringify(pattern)} matches every host: the host CA would vouch for any host ` +
        `you reach, inside the environment or not; name the environment's hosts, ${EXAMPLE} ` +
        '(or allow every host explicitly with --allow-any-host)',
    });
  }
}

/** The issues of a pattern list: empty, malformed, or matching every host unless allowed. */
export function checkHostPatterns(hosts: readonly string[], options: { allowAnyHost?: boolean } = {}): Issue[] {
  const issues: Issue[] = [];
  if (hosts.length === 0) {
    issues.push({
      field: 'hosts',
      message: `no host pattern given: name the hosts the host CA vouches for, ${EXAMPLE}`,
    });
    return issues;
  }
  hosts.forEach((p, i) => checkPattern(p, `hosts[${i}]`, options.allowAnyHost === true, issues));
  if (issues.length === 0 && hosts.every((p) => p.startsWith('!'))) {
    issues.push({
      field: 'hosts',
      message: `host patterns ${hosts.join(',')} only exclude hosts, so they match none: add the hosts to include, ${EXAMPLE}`,
    });
  }
  return issues;
}

function normaliseCaKeys(keys: readonly string[], issues: Issue[]): string[] {
  if (keys.length === 0) issues.push({ field: 'ca_keys', message: 'at least one host CA public key is required' });
  const out: string[] = [];
  keys.forEach((raw, i) => {
    const text = raw.trim();
    const field = `ca_keys[${i}]`;
    if (/PRIVATE KEY/.test(text)) {
      issues.push({ field, message: `${field} is a private key: clients need only the host CA's public key` });
      return;
    }
    try {
      const key = parseSshPublicKey(text.split(/\s+/).slice(0, 2).join(' '));
      const line = formatAuthorizedKey(key.blob);
      if (line.includes('-cert-v01@openssh.com ')) {
        issues.push({ field, message: `${field} is a certificate, not the host CA's public key` });
        return;
      }
      if (!out.includes(line)) out.push(line);
    } catch (e) {
      issues.push({ field, message: `${field} is not an SSH public key: ${(e as Error).message}` });
    }
  });
  return out;
}

/** Validate and normalise a spec; throws a ValidationError listing every problem. */
export function validateCertAuthority(spec: CertAuthoritySpec): CertAuthorityTrust {
  const issues = checkHostPatterns(spec.hosts, { allowAnyHost: spec.allowAnyHost === true });
  const caKeys = normaliseCaKeys(spec.caKeys, issues);
  if (issues.length > 0) throw new ValidationError(issues);
  return { hosts: [...spec.hosts], caKeys };
}

/** The `@cert-authority` lines of a trust, one per key, each ending in a newline. */
export function renderCertAuthorityLines(trust: CertAuthorityTrust): string {
  const patterns = trust.hosts.join(',');
  return trust.caKeys.map((key) => `${CERT_AUTHORITY_MARKER} ${patterns} ${key}\n`).join('');
}

/**
 * A known_hosts file holding `trust`: every line of `existing` kept except the `@cert-authority` lines
 * for exactly the same pattern list, which `trust`'s lines replace (a changed or rotated key for the
 * same hosts). Lines for other patterns, host keys and comments stay as they were, in order.
 */
export function renderKnownHostsFile(existing: string, trust: CertAuthorityTrust): string {
  const prefix = `${CERT_AUTHORITY_MARKER} ${trust.hosts.join(',')} `;
  const kept = existing.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(prefix));
  return `${kept.map((l) => `${l}\n`).join('')}${renderCertAuthorityLines(trust)}`;
}
