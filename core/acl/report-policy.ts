// The read-only ACL policy `sshca report` needs (issue 21, point 2), as `sshca report --print-policy`
// prints it: read and list what the page shows (SSH mounts, their roles and CA keys, ACL policies,
// auth methods' users and roles, identity entities, the audit devices), plus `update` on
// sys/audit-hash, which only hashes a value the caller already has (how login serials are matched to
// an HMAC'd audit log). Both sys/audit paths are root-protected, hence `sudo` there: it adds no
// capability, it only lets the ones given work on such a path. It grants no write, no secret and no
// signing. List requests carry a trailing slash (Vault adds it),
// so `<path>/*` with `list` covers the listing itself.

const block = (path: string, capabilities: readonly string[]) =>
  `path "${path}" {\n  capabilities = [${capabilities.map((c) => `"${c}"`).join(', ')}]\n}\n`;

/** HCL of the report's read-only policy for these SSH mounts (`+` = any mount when none is named). */
export function reportPolicy(mounts: readonly string[]): string {
  const sshMounts = mounts.length > 0 ? mounts : ['+'];
  return [
    '# sshca report: read-only access to what the report shows',
    block('sys/mounts', ['read']),
    block('sys/mounts/+/tune', ['read']),
    block('sys/auth', ['read']),
    block('sys/policies/acl/*', ['read', 'list']),
    block('auth/+/users/*', ['read', 'list']),
    block('auth/+/role/*', ['read', 'list']),
    block('identity/entity/id/*', ['read', 'list']),
    ...sshMounts.flatMap((m) => [
      block(`${m}/roles/*`, ['read', 'list']),
      block(`${m}/config/issuers`, ['read']),
      block(`${m}/issuers/*`, ['list']),
    ]),
    "# find the audit device and hash login serials to match the HMAC'd audit log (root-protected paths)",
    block('sys/audit', ['read', 'sudo']),
    block('sys/audit-hash/*', ['update', 'sudo']),
  ].join('\n');
}
