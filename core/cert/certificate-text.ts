// Renders a certificate the way `ssh-keygen -L` prints it (OpenSSH 9.x `print_cert`), so that
// people read our output with the habits they already have. Times are shown in UTC.

import { fingerprint, parseSshPublicKeyBlob } from '../keys/public-key.js';
import type { DecodedCertificate } from './certificate.js';

const FOREVER = 0xffff_ffff_ffff_ffffn;
const FLAG_EXTENSIONS = new Set([
  'permit-X11-forwarding',
  'permit-agent-forwarding',
  'permit-port-forwarding',
  'permit-pty',
  'permit-user-rc',
  'no-touch-required',
]);

/** OpenSSH's `sshkey_type` names: `ED25519`, `RSA`, `ECDSA`, `DSA`, `ECDSA-SK`, `ED25519-SK`. */
function keyTypeLabel(algorithm: string): string {
  if (algorithm.startsWith('sk-ecdsa')) return 'ECDSA-SK';
  if (algorithm.startsWith('sk-ssh-ed25519')) return 'ED25519-SK';
  if (algorithm.startsWith('ecdsa')) return 'ECDSA';
  return (
    ({ 'ssh-ed25519': 'ED25519', 'ssh-rsa': 'RSA', 'ssh-dss': 'DSA' } as Record<string, string>)[algorithm] ?? algorithm
  );
}

const formatTime = (t: bigint): string => new Date(Number(t) * 1000).toISOString().slice(0, 19);

function formatValidity(after: bigint, before: bigint): string {
  if (after === 0n && before === FOREVER) return 'forever';
  if (after === 0n) return `before ${formatTime(before)}`;
  if (before === FOREVER) return `after ${formatTime(after)}`;
  return `from ${formatTime(after)} to ${formatTime(before)}`;
}

function optionLines(options: Readonly<Record<string, string>>, critical: boolean): string[] {
  return Object.keys(options).map((name) => {
    const value = options[name]!;
    const indent = `                ${name}`;
    if (!critical && FLAG_EXTENSIONS.has(name)) return indent;
    if (critical && (name === 'force-command' || name === 'source-address')) return `${indent} ${value}`;
    if (critical && name === 'verify-required') return indent;
    if (value === '') return `${indent} UNKNOWN FLAG OPTION`;
    const data = Buffer.alloc(4 + Buffer.byteLength(value));
    data.writeUInt32BE(Buffer.byteLength(value), 0);
    data.write(value, 4);
    // sshbuf_dtob16 writes lower-case hex
    return `${indent} UNKNOWN OPTION: ${data.toString('hex')} (len ${data.length})`;
  });
}

/** The body `ssh-keygen -L` prints for a certificate (without its `<file>:` header line). */
export function renderCertificateText(cert: DecodedCertificate): string {
  const subject = parseSshPublicKeyBlob(cert.subjectBlob);
  const ca = parseSshPublicKeyBlob(cert.signatureKeyBlob);
  const lines = [
    `        Type: ${cert.algorithm} ${cert.certType} certificate`,
    `        Public key: ${keyTypeLabel(subject.algorithm)}-CERT ${fingerprint(cert.subjectBlob)}`,
    `        Signing CA: ${keyTypeLabel(ca.algorithm)} ${fingerprint(cert.signatureKeyBlob)} (using ${cert.signatureAlgorithm})`,
    `        Key ID: "${cert.keyId}"`,
    `        Serial: ${cert.serial}`,
    `        Valid: ${formatValidity(cert.validAfter, cert.validBefore)}`,
  ];
  const section = (title: string, items: string[]) =>
    items.length === 0 ? [`        ${title}: (none)`] : [`        ${title}: `, ...items];
  lines.push(
    ...section(
      'Principals',
      cert.principals.map((p) => `                ${p}`),
    ),
  );
  lines.push(...section('Critical Options', optionLines(cert.criticalOptions, true)));
  lines.push(...section('Extensions', optionLines(cert.extensions, false)));
  return `${lines.join('\n')}\n`;
}
