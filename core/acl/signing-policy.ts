// The usual ACL policies of the SSH workflows: may sign keys (CA roles) or ask for one-time passwords
// (OTP roles) on these roles of this mount.

/** One `create`/`update` path block per role on `<mount>/<endpoint>/<role>`. */
const rolePathPolicy = (mount: string, endpoint: string, roles: readonly string[]): string =>
  roles.map((r) => `path "${mount}/${endpoint}/${r}" {\n  capabilities = ["create", "update"]\n}\n`).join('\n');

/** HCL allowing `create` and `update` on `<mount>/sign/<role>` for each role. */
export function signingPolicy(mount: string, roles: readonly string[]): string {
  return rolePathPolicy(mount, 'sign', roles);
}

/** HCL allowing `create` and `update` on `<mount>/creds/<role>` (asking for an OTP) for each role. */
export function credsPolicy(mount: string, roles: readonly string[]): string {
  return rolePathPolicy(mount, 'creds', roles);
}
