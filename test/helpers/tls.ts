// TLS material for HTTPS test servers: a self-signed certificate for 127.0.0.1 made with openssl,
// which is its own CA, so the certificate file is also the bundle a client verifies it with.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A self-signed certificate and its key, as files and as PEM text. */
export interface SelfSignedTls {
  /** `<dir>/tls.crt`: the certificate, and the CA bundle that verifies it. */
  readonly certFile: string;
  /** `<dir>/tls.key`: its private key (unencrypted). */
  readonly keyFile: string;
  /** The certificate's PEM text, as `VaultServer.listen` and `VaultClient`'s `caCert` take it. */
  readonly cert: string;
  /** The key's PEM text. */
  readonly key: string;
}

/**
 * Write a P-256 certificate for 127.0.0.1 (CN and subjectAltName IP), valid for one day, and its key
 * to `dir/tls.crt` and `dir/tls.key`.
 */
export function makeSelfSignedTls(dir: string): SelfSignedTls {
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'],
      ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile],
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}
