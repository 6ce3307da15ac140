// ACL policies over real HTTP: sys/policies/acl and the legacy sys/policy, and every request
// checked against the token's policies (most specific path wins, deny wins, sudo paths).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(() => server.close());

const SSH_ACCESS = 'path "ssh/sign/user-role" {\n  capabilities = ["create", "update"]\n}\n';

async function tokenWith(...policies: string[]): Promise<string> {
  const r = await server.request('POST', '/v1/auth/token/create', { policies });
  expect(r.status).toBe(200);
  return r.json.auth.client_token;
}

describe('sys/policies/acl', () => {
  it('writes, reads, lists and deletes; root and default are built in', async () => {
    expect((await server.request('POST', '/v1/sys/policies/acl/ssh-access', { policy: SSH_ACCESS })).status).toBe(204);
    expect((await server.request('GET', '/v1/sys/policies/acl/ssh-access')).json.data).toEqual({
      name: 'ssh-access',
      policy: SSH_ACCESS,
    });
    expect((await server.request('GET', '/v1/sys/policies/acl?list=true')).json.data.keys).toEqual(
      ['default', 'ssh-access', 'root'].sort(),
    );
    expect((await server.request('GET', '/v1/sys/policies/acl/default')).json.data.policy).toContain(
      'path "auth/token/lookup-self"',
    );
    expect((await server.request('DELETE', '/v1/sys/policies/acl/ssh-access')).status).toBe(204);
    expect((await server.request('GET', '/v1/sys/policies/acl/ssh-access')).status).toBe(404);
  });

  it("answers Vault's errors", async () => {
    expect((await server.request('POST', '/v1/sys/policies/acl/x', { policy: '' })).json).toEqual({
      errors: ["'policy' parameter not supplied or empty"],
    });
    expect((await server.request('POST', '/v1/sys/policies/acl/root', { policy: SSH_ACCESS })).json).toEqual({
      errors: ['cannot update "root" policy'],
    });
    // The policy wrapping tokens carry cannot be written (it would let them do more than unwrap).
    expect(
      (await server.request('POST', '/v1/sys/policies/acl/Response-Wrapping', { policy: SSH_ACCESS })).json,
    ).toEqual({ errors: ['cannot update "response-wrapping" policy'] });
    expect((await server.request('DELETE', '/v1/sys/policies/acl/root')).json).toEqual({
      errors: ['cannot delete "root" policy'],
    });
    expect((await server.request('DELETE', '/v1/sys/policies/acl/default')).json).toEqual({
      errors: ['cannot delete default policy'],
    });
    const bad = await server.request('POST', '/v1/sys/policies/acl/x', {
      policy: 'path "ssh/*" { capabilities = ["foo"] }',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0]).toMatch(/^failed to parse policy: /);
  });

  it('lower-cases the name with a warning, and takes base64 text', async () => {
    const r = await server.request('POST', '/v1/sys/policies/acl/SSH-Admin', {
      policy: Buffer.from('path "ssh/*" { capabilities = ["read"] }').toString('base64'),
    });
    expect(r.json.warnings).toEqual(['policy name was converted to ssh-admin']);
    expect((await server.request('GET', '/v1/sys/policies/acl/ssh-admin')).json.data.policy).toBe(
      'path "ssh/*" { capabilities = ["read"] }',
    );
  });

  it('serves the legacy sys/policy that `vault policy write` uses', async () => {
    expect((await server.request('PUT', '/v1/sys/policy/legacy', { rules: SSH_ACCESS })).status).toBe(204);
    const r = await server.request('GET', '/v1/sys/policy/legacy');
    expect(r.json.data).toEqual({ name: 'legacy', rules: SSH_ACCESS });
    expect(r.json.rules).toBe(SSH_ACCESS);
    expect((await server.request('GET', '/v1/sys/policy')).json.data.policies).toEqual(['default', 'legacy', 'root']);
  });
});

describe('enforcement', () => {
  beforeEach(async () => {
    await server.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh' });
    await server.request('POST', '/v1/ssh/config/ca', { generate_signing_key: true });
    await server.request('POST', '/v1/ssh/roles/user-role', {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: 'ubuntu',
      default_user: 'ubuntu',
    });
    await server.request('POST', '/v1/sys/policies/acl/ssh-access', { policy: SSH_ACCESS });
  });

  it('lets a token do exactly what its policies allow', async () => {
    const t = await tokenWith('ssh-access');
    const denied = { status: 403, json: { errors: ['1 error occurred:\n\t* permission denied\n\n'] } };
    expect(await server.request('POST', '/v1/ssh/sign/emergency', { public_key: 'x' }, t)).toMatchObject(denied);
    expect(await server.request('POST', '/v1/ssh/roles/user-role', { key_type: 'ca' }, t)).toMatchObject(denied);
    expect(await server.request('GET', '/v1/sys/mounts', undefined, t)).toMatchObject(denied);
    const sign = await server.request('POST', '/v1/ssh/sign/user-role', { public_key: 'garbage' }, t);
    expect(sign.status).toBe(400); // allowed through the ACL; the key itself is refused
    // The default policy lets every token look itself up.
    expect((await server.request('GET', '/v1/auth/token/lookup-self', undefined, t)).status).toBe(200);
  });

  it('deny wins across policies; the most specific path wins within', async () => {
    await server.request('POST', '/v1/sys/policies/acl/ssh-admin', {
      policy: 'path "ssh/*" { capabilities = ["create", "read", "update", "delete", "list"] }',
    });
    await server.request('POST', '/v1/sys/policies/acl/no-roles', {
      policy: 'path "ssh/roles/*" { capabilities = ["deny"] }',
    });
    const admin = await tokenWith('ssh-admin');
    expect((await server.request('GET', '/v1/ssh/roles/user-role', undefined, admin)).status).toBe(200);
    const both = await tokenWith('ssh-admin', 'no-roles');
    expect((await server.request('GET', '/v1/ssh/roles/user-role', undefined, both)).status).toBe(403);
    expect((await server.request('GET', '/v1/ssh/config/ca', undefined, both)).status).toBe(200);
  });

  it('needs sudo on root-protected paths (sys/audit, sys/auth/*)', async () => {
    await server.request('POST', '/v1/sys/policies/acl/sys-ops', {
      policy: 'path "sys/auth/*" { capabilities = ["create", "update", "read"] }',
    });
    await server.request('POST', '/v1/sys/policies/acl/sys-sudo', {
      policy: 'path "sys/auth/*" { capabilities = ["create", "update", "read", "sudo"] }',
    });
    const plain = await tokenWith('sys-ops');
    expect((await server.request('POST', '/v1/sys/auth/userpass', { type: 'userpass' }, plain)).status).toBe(403);
    const sudo = await tokenWith('sys-sudo');
    expect((await server.request('POST', '/v1/sys/auth/userpass', { type: 'userpass' }, sudo)).status).toBe(204);
  });

  it('tells create from update where the path knows whether its target exists', async () => {
    await server.request('POST', '/v1/sys/auth/userpass', { type: 'userpass' });
    await server.request('POST', '/v1/sys/policies/acl/user-admin', {
      policy: 'path "auth/userpass/users/*" { capabilities = ["update"] }',
    });
    const t = await tokenWith('user-admin');
    expect((await server.request('POST', '/v1/auth/userpass/users/alice', { password: 'p' }, t)).status).toBe(403);
    await server.request('POST', '/v1/auth/userpass/users/alice', { password: 'p' });
    expect((await server.request('POST', '/v1/auth/userpass/users/alice', { password: 'q' }, t)).status).toBe(204);
  });

  it('applies a changed policy to existing tokens at once', async () => {
    const t = await tokenWith('ssh-access');
    expect((await server.request('GET', '/v1/ssh/roles/user-role', undefined, t)).status).toBe(403);
    await server.request('POST', '/v1/sys/policies/acl/ssh-access', {
      policy: `${SSH_ACCESS}path "ssh/roles/*" { capabilities = ["read"] }\n`,
    });
    expect((await server.request('GET', '/v1/ssh/roles/user-role', undefined, t)).status).toBe(200);
  });
});
