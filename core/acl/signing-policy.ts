// The usual ACL policy of the SSH workflow: may sign keys on these roles of this mount.

/** HCL allowing `create` and `update` on `<mount>/sign/<role>` for each role. */
export function signingPolicy(mount: string, roles: readonly string[]): string {
  return roles.map((r) => `path "${mount}/sign/${r}" {\n  capabilities = ["create", "update"]\n}\n`).join('\n');
}
