// hvac, a real Vault client (Debian's python3-hvac 0.11), drives the embedded server's AppRole auth
// method unchanged (issue 24): with the root token it mounts ssh-dev, writes the automation role, a
// signing policy and an AppRole role through its own API calls; then reads the role_id, generates a
// secret ID (plain, and one wrapped and unwrapped through sys/wrapping/unwrap), logs in with
// `client.auth.approle.login`, and with that token signs an SSH key on ssh-dev/sign/automation
// (hvac 0.11 has no SSH engine API: the generic `client.write`). A second script drives token roles
// with `client.auth.token`: writes, reads, lists and deletes roles, creates tokens against them (and is
// refused, with Vault's messages, policies a role does not allow), and renews a periodic role's token.
// Each script prints JSON on stdout; the tests check its values exactly.

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

const TOKEN_ROLES_SCRIPT = String.raw`
import json, os, sys
import hvac

url, root = os.environ["VAULT_ADDR"], os.environ["ROOT_TOKEN"]
admin = hvac.Client(url=url, token=root)
admin.sys.create_or_update_policy(
    "dev-sign-automation", 'path "ssh-dev/sign/automation" { capabilities = ["create", "update"] }')
admin.sys.create_or_update_policy("ops", 'path "sys/mounts" { capabilities = ["read"] }')
tokens = admin.auth.token
out = {}

out["write_status"] = tokens.create_or_update_role(
    "deployer", allowed_policies=["dev-sign-automation"], orphan=True).status_code
tokens.create_or_update_role("restricted", disallowed_policies=["ops"])
# hvac 0.11's create_or_update_role takes no period: the generic write.
admin.write("auth/token/roles/periodic", allowed_policies="dev-sign-automation", token_period="1h")
out["role"] = tokens.read_role("deployer")["data"]
out["periodic_role"] = {k: v for k, v in tokens.read_role("periodic")["data"].items() if k in ("period", "token_period")}
out["roles"] = tokens.list_roles()["data"]["keys"]

auth = tokens.create(role_name="deployer", policies=["dev-sign-automation"])["auth"]
out["created"] = {k: auth[k] for k in ("policies", "token_policies", "orphan", "renewable", "lease_duration", "token_type")}
looked_up = tokens.lookup(auth["client_token"])["data"]
out["looked_up"] = {k: looked_up.get(k) for k in ("role", "path", "orphan", "policies", "period")}

def refusal(role, policies):
    try:
        tokens.create(role_name=role, policies=policies)
        return "accepted"
    except hvac.exceptions.InvalidRequest as e:
        return e.errors
out["not_allowed"] = refusal("deployer", ["ops"])
out["disallowed"] = refusal("restricted", ["ops"])

periodic = hvac.Client(url=url, token=tokens.create(role_name="periodic")["auth"]["client_token"])
renewed = periodic.auth.token.renew_self(increment="10m")["auth"]
out["renewed"] = {k: renewed[k] for k in ("lease_duration", "policies", "renewable")}
self_ = periodic.auth.token.lookup_self()["data"]
out["after_renewal"] = {k: self_[k] for k in ("ttl", "period", "role", "explicit_max_ttl")}
out["renewed_by_root"] = tokens.renew(periodic.token, increment="48h")["auth"]["lease_duration"]

tokens.delete_role("restricted")
out["roles_after_delete"] = tokens.list_roles()["data"]["keys"]
try:
    tokens.read_role("restricted")
    out["deleted_read"] = "found"
except hvac.exceptions.InvalidPath as e:
    out["deleted_read"] = e.errors
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

function runPython(
  env: Record<string, string>,
  script = SCRIPT,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(PYTHON, ['-c', script], { env: { ...env, PATH: '/usr/bin:/bin' } }, (error, stdout, stderr) =>
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
    // Vault's serial_number: lower-case hex without leading zeros (core/sign.ts).
    expect(cert.serial.toString(16)).toBe(serial_number);
    expect(Number(cert.validBefore) - Number(cert.validAfter)).toBe(30 * 60 + 30);
  });

  it('writes, reads, lists and deletes token roles, creates tokens with them, renews a periodic one', async () => {
    // A server of its own on a fixed clock, so that the renewed token's TTL reads back exactly.
    const vault = await startTestServer({ clock: () => Date.UTC(2027, 0, 15, 8, 0, 0) });
    const r = await runPython({ VAULT_ADDR: vault.url, ROOT_TOKEN: vault.token }, TOKEN_ROLES_SCRIPT).finally(() =>
      vault.close(),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      write_status: 204,
      role: {
        allowed_entity_aliases: null,
        allowed_policies: ['dev-sign-automation'],
        allowed_policies_glob: [],
        disallowed_policies: [],
        disallowed_policies_glob: [],
        explicit_max_ttl: 0,
        name: 'deployer',
        orphan: true,
        path_suffix: '',
        period: 0,
        renewable: true,
        token_explicit_max_ttl: 0,
        token_no_default_policy: false,
        token_period: 0,
        token_type: 'default-service',
      },
      periodic_role: { period: 0, token_period: 3600 },
      roles: ['deployer', 'periodic', 'restricted'],
      created: {
        policies: ['default', 'dev-sign-automation'],
        token_policies: ['default', 'dev-sign-automation'],
        orphan: true,
        renewable: true,
        lease_duration: 2764800,
        token_type: 'service',
      },
      looked_up: {
        role: 'deployer',
        path: 'auth/token/create/deployer',
        orphan: true,
        policies: ['default', 'dev-sign-automation'],
        period: null,
      },
      not_allowed: [
        `token policies (["default" "ops"]) must be subset of the role's allowed policies (["default" "dev-sign-automation"]) or glob policies ([])`,
      ],
      disallowed: ['token policy "ops" is disallowed by this role'],
      renewed: { lease_duration: 3600, policies: ['default', 'dev-sign-automation'], renewable: true },
      after_renewal: { ttl: 3600, period: 3600, role: 'periodic', explicit_max_ttl: 0 },
      renewed_by_root: 3600,
      roles_after_delete: ['deployer', 'periodic'],
      deleted_read: [],
    });
  });
});
