// The read-only ACL policy `sshca report` needs (issue 21, point 2), as `sshca report --print-policy`
// prints it: read and list what the page shows (SSH mounts, their roles and CA keys, ACL policies,
// auth methods' users and roles, identity entities, the audit devices), plus `update` on
// sys/audit-hash, which only hashes a value the caller already has (how login serials are matched to
// an HMAC'd audit log). Both sys/audit paths are root-protected, hence `sudo` there: it adds no
// capability, it only lets the ones given work on such a path. It grants no write, no secret and no
// signing. List requests carry a trailing slash (Vault adds it): `<path>/` with `list` is the
// listing; `<path>/+` with `read` one entry and nothing below it (an AppRole's role-id is below its
// role). Only the named SSH mounts' roles are read: `+` there would read any mount's `roles/…`.

const block = (path: string, capabilities: readonly string[]) =>
  `path "${path}" {\n  capabilities = [${capabilities.map((c) => `"${c}"`).join(', ')}]\n}\n`;

/** HCL of the report's read-only policy for these SSH mounts (at least one). */
export function reportPolicy(mounts: readonly string[]): string {
  return [
    '# sshca report: read-only access to what the report shows',
    block('sys/mounts', ['read']),
    block('sys/mounts/+/tune', ['read']),
    block('sys/auth', ['read']),
    block('sys/policies/acl/', ['list']),
    block('sys/policies/acl/+', ['read']),
    block('auth/+/users/', ['list']),
    block('auth/+/users/+', ['read']),
    block('auth/+/role/', ['list']),
    block('auth/+/role/+', ['read']),
    block('identity/entity/id/', ['list']),
    block('identity/entity/id/+', ['read']),
    ...mounts.flatMap((m) => [
      block(`${m}/roles/`, ['list']),
      block(`${m}/roles/+`, ['read']),
      block(`${m}/config/issuers`, ['read']),
      block(`${m}/issuers/`, ['list']),
    ]),
    "# find the audit device and hash login serials to match the HMAC'd audit log (root-protected paths)",
    block('sys/audit', ['read', 'sudo']),
    block('sys/audit-hash/+', ['update', 'sudo']),
  ].join('\n');
}
