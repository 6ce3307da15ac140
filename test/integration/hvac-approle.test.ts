// hvac, a real Vault client (Debian's python3-hvac 0.11), drives the embedded server's AppRole auth
// method unchanged (issue 24): with the root token it mounts ssh-dev, writes the automation role, a
// signing policy and an AppRole role through its own API calls; then reads the role_id, generates a
// secret ID (plain, and one wrapped and unwrapped through sys/wrapping/unwrap), logs in with
// `client.auth.approle.login`, and with that token signs an SSH key on ssh-dev/sign/automation
// (hvac 0.11 has no SSH engine API: the generic `client.write`). The script prints JSON on stdout; the
// test checks its values exactly. Token roles (`auth/token/roles`) are not on this branch yet.

import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

/** Debian's interpreter, which has python3-hvac (a python3 first on PATH, e.g. pyenv's, may not). */
const PYTHON = '/usr/bin/python3';

const SCRIPT = String.raw`
import json, os, sys
import hvac

url, root, public_key = os.environ["VAULT_ADDR"], os.environ["ROOT_TOKEN"], os.environ["PUBLIC_KEY"]
admin = hvac.Client(url=url, token=root)
out = {"authenticated": admin.is_authenticated()}

admin.sys.enable_secrets_engine("ssh", path="ssh-dev")
admin.write("ssh-dev/config/ca", generate_signing_key=True)
admin.write("ssh-dev/roles/automation", key_type="ca", allow_user_certificates=True,
            allowed_users="jenkins,gitlab-runner", ttl="30m", max_ttl="1h")
admin.sys.create_or_update_policy(
    "dev-sign-automation", 'path "ssh-dev/sign/automation" { capabilities = ["create", "update"] }')
admin.sys.enable_auth_method("approle")
out["auth_methods"] = sorted(admin.sys.list_auth_methods()["data"].keys())

approle = admin.auth.approle
approle.create_or_update_approle("deploy", token_policies=["dev-sign-automation"], token_ttl="15m",
                                 secret_id_num_uses=2)
role = approle.read_role("deploy")["data"]
out["role"] = {k: role[k] for k in ("token_policies", "token_ttl", "secret_id_num_uses", "bind_secret_id")}
out["roles"] = approle.list_roles()["data"]["keys"]
role_id = approle.read_role_id("deploy")["data"]["role_id"]
out["role_id"] = role_id

generated = approle.generate_secret_id("deploy", metadata={"delegate": "harness-1"})["data"]
out["generated"] = sorted(generated.keys())
looked_up = approle.read_secret_id("deploy", generated["secret_id"])["data"]
out["looked_up"] = {k: looked_up[k] for k in ("metadata", "secret_id_num_uses", "secret_id_accessor")}
out["accessors"] = approle.list_secret_id_accessors("deploy")["data"]["keys"]

wrapped = admin.write("auth/approle/role/deploy/secret-id", wrap_ttl="60s")["wrap_info"]
out["wrap"] = {k: wrapped[k] for k in ("ttl", "creation_path")}
# As Vault's own client does: a client without a token of its own unwraps with the wrapping token
# itself (sys/wrapping/unwrap is not an unauthenticated path).
unwrapped = hvac.Client(url=url, token=wrapped["token"]).sys.unwrap()["data"]
try:
    hvac.Client(url=url, token=wrapped["token"]).sys.unwrap()
    out["second_unwrap"] = "accepted"
except hvac.exceptions.InvalidRequest as e:
    out["second_unwrap"] = e.errors

delegate = hvac.Client(url=url)
auth = delegate.auth.approle.login(role_id, generated["secret_id"])["auth"]
out["login"] = {k: auth[k] for k in ("policies", "token_policies", "metadata", "lease_duration", "renewable")}
out["delegate_authenticated"] = delegate.is_authenticated()
signed = delegate.write("ssh-dev/sign/automation", public_key=public_key, valid_principals="gitlab-runner")["data"]
out["signed_key"] = signed["signed_key"]
out["serial_number"] = signed["serial_number"]

second = hvac.Client(url=url)
second.auth.approle.login(role_id, unwrapped["secret_id"])
out["wrapped_secret_id_logs_in"] = second.is_authenticated()

try:
    hvac.Client(url=url).auth.approle.login(role_id, "00000000-1111-2222-3333-444444444444")
    out["wrong_secret_id"] = "accepted"
except hvac.exceptions.InvalidRequest as e:
    out["wrong_secret_id"] = e.errors
try:
    delegate.write("ssh-dev/sign/automation", public_key=public_key, valid_principals="root")
    out["root_principal"] = "accepted"
except hvac.exceptions.InvalidRequest as e:
    out["root_principal"] = e.errors
approle.generate_secret_id("deploy")  # no metadata: hvac sends "metadata": null
delegate.auth.approle.login(role_id, generated["secret_id"])  # its second and last use
try:
    hvac.Client(url=url).auth.approle.login(role_id, generated["secret_id"])
    out["third_use"] = "accepted"
except hvac.exceptions.InvalidRequest as e:
    out["third_use"] = e.errors
json.dump(out, sys.stdout)
`;

let server: TestServer;
let dir: string;
let publicKey: string;

beforeAll(async () => {
  dir = makeScratchDir('hvac-approle');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'delegate', '-f', join(dir, 'delegate')]);
  publicKey = readFileSync(join(dir, 'delegate.pub'), 'utf8').trim();
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
  if (dir) removeScratchDir(dir);
});

function runPython(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(PYTHON, ['-c', SCRIPT], { env: { ...env, PATH: '/usr/bin:/bin' } }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Debian's python3-hvac is installed by .ci/run; without it this test fails (No module named 'hvac').
describe('hvac 0.11 against the embedded server', () => {
  it('writes an AppRole role, logs in with a role_id and secret ID, and signs an automation certificate', async () => {
    const r = await runPython({ VAULT_ADDR: server.url, ROOT_TOKEN: server.token, PUBLIC_KEY: publicKey });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const { role_id, signed_key, serial_number, looked_up, accessors, ...rest } = out;
    expect(role_id).toMatch(UUID);
    expect(looked_up.secret_id_accessor).toMatch(UUID);
    expect(accessors).toEqual([looked_up.secret_id_accessor]);
    expect(rest).toEqual({
      authenticated: true,
      auth_methods: ['approle/', 'token/'],
      role: {
        token_policies: ['dev-sign-automation'],
        token_ttl: 900,
        secret_id_num_uses: 2,
        bind_secret_id: true,
      },
      roles: ['deploy'],
      generated: ['secret_id', 'secret_id_accessor', 'secret_id_num_uses', 'secret_id_ttl'],
      wrap: { ttl: 60, creation_path: 'auth/approle/role/deploy/secret-id' },
      second_unwrap: ['wrapping token is not valid or does not exist'],
      login: {
        policies: ['default', 'dev-sign-automation'],
        token_policies: ['default', 'dev-sign-automation'],
        metadata: { delegate: 'harness-1', role_name: 'deploy' },
        lease_duration: 900,
        renewable: true,
      },
      delegate_authenticated: true,
      wrapped_secret_id_logs_in: true,
      wrong_secret_id: ['invalid role or secret ID'],
      root_principal: ['root is not a valid value for valid_principals'],
      third_use: ['invalid role or secret ID'],
    });
    expect(looked_up).toMatchObject({ metadata: { delegate: 'harness-1' }, secret_id_num_uses: 2 });
    const cert = parseCertificate(signed_key);
    expect(cert.principals).toEqual(['gitlab-runner']);
    expect(cert.keyId).toMatch(/^vault-approle-[0-9a-f]{64}$/);
    expect(cert.serial.toString(16).padStart(16, '0')).toBe(serial_number);
    expect(Number(cert.validBefore) - Number(cert.validAfter)).toBe(30 * 60 + 30);
  });
});
