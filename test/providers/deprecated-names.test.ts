// The renamed Pulumi resource keeps existing stacks working (issue 16, point 5): `SshCa`, now a
// deprecated alias of `SshCertificateAuthority`, still creates a CA through the dynamic provider,
// and both names register the type token `SshCa` that is in existing stacks' URNs, so an existing
// CA is neither replaced nor re-keyed. Programs run under setMocks against the embedded server.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { SshCa, SshCertificateAuthority } from '../../providers/index.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';
import { setEngineMocks, settled, value } from './mock-engine.js';

let backend: TestServer;
const created: string[] = [];

beforeAll(async () => {
  backend = await startTestServer();
  for (const path of ['ssh-old', 'ssh-new']) await backend.request('POST', `/v1/sys/mounts/${path}`, { type: 'ssh' });
  await setEngineMocks('names', created);
});
afterAll(() => backend?.close());

/** The URN type a CA had before the rename (written out, not computed: it is what old stacks hold). */
const OLD_CA_TYPE = 'pulumi-nodejs:dynamic/vault-ssh-ca:SshCa';

it('the deprecated SshCa and SshCertificateAuthority create the CA with the type token old stacks hold', async () => {
  const conn = { address: backend.url, token: backend.token };
  const old = new SshCa('old', { ...conn, mount: 'ssh-old' });
  const renamed = new SshCertificateAuthority('new', { ...conn, mount: 'ssh-new' });
  expect(old).toBeInstanceOf(SshCertificateAuthority);
  expect(await value(old.urn)).toBe(`urn:pulumi:dev::names::${OLD_CA_TYPE}::old`);
  expect(await value(renamed.urn)).toBe(`urn:pulumi:dev::names::${OLD_CA_TYPE}::new`);
  await settled(created);
  expect(created).toEqual(['SshCa:ssh-old/config/ca', 'SshCa:ssh-new/config/ca']);
  for (const [ca, mount] of [
    [old, 'ssh-old'],
    [renamed, 'ssh-new'],
  ] as const) {
    const served = await backend.request('GET', `/v1/${mount}/config/ca`);
    expect(await value(ca.publicKey)).toBe(served.json.data.public_key);
  }
});
