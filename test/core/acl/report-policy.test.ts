// The read-only policy `sshca report --print-policy` prints (core/acl/report-policy.ts; issue 21,
// point 2), parsed and enforced by the same ACL code as the embedded server: it reads and lists what
// the page shows and grants no write, no signing and nothing on other mounts.

import { describe, expect, it } from 'vitest';
import { compileAcl, type AclOperation } from '../../../core/acl/acl.js';
import { parsePolicy } from '../../../core/acl/policy-document.js';
import { reportPolicy } from '../../../core/acl/report-policy.js';

const aclOf = (mounts: readonly string[]) => compileAcl([parsePolicy('sshca-report', reportPolicy(mounts))]);

describe('reportPolicy', () => {
  const acl = aclOf(['ssh-dev']);

  it.each([
    ['read', 'sys/mounts'],
    ['read', 'sys/mounts/ssh-dev/tune'],
    ['read', 'sys/auth'],
    ['read', 'sys/audit'],
    ['list', 'sys/policies/acl/'], // list requests arrive with a trailing slash
    ['read', 'sys/policies/acl/default'],
    ['list', 'auth/userpass/users/'],
    ['read', 'auth/userpass/users/alice'],
    ['list', 'auth/jwt/role/'],
    ['read', 'auth/jwt/role/ci'],
    ['read', 'identity/entity/id/x'],
    ['list', 'identity/entity/id/'],
    ['list', 'ssh-dev/roles/'],
    ['read', 'ssh-dev/roles/developer'],
    ['read', 'ssh-dev/config/issuers'],
    ['list', 'ssh-dev/issuers/'],
    ['update', 'sys/audit-hash/file'],
  ] as const)('allows %s %s', (operation: AclOperation, path) => {
    expect(acl.allows(path, operation)).toBe(true);
  });

  it.each([
    ['update', 'ssh-dev/sign/developer'],
    ['create', 'ssh-dev/sign/developer'],
    ['update', 'ssh-dev/issue/developer'],
    ['update', 'ssh-dev/creds/otp'],
    ['update', 'ssh-dev/roles/developer'],
    ['create', 'ssh-dev/roles/developer'],
    ['delete', 'ssh-dev/roles/developer'],
    ['update', 'ssh-dev/config/ca'],
    ['read', 'ssh-dev/config/ca'],
    ['update', 'ssh-dev/config/issuers'],
    ['read', 'ssh-dev/issuers/default'],
    ['update', 'sys/policies/acl/x'],
    ['delete', 'sys/policies/acl/x'],
    ['update', 'auth/userpass/users/alice'],
    ['update', 'auth/userpass/users/alice/password'],
    ['update', 'auth/jwt/role/ci'],
    ['update', 'identity/entity/id/x'],
    ['read', 'ssh-prod/roles/x'],
    ['list', 'ssh-prod/roles/'],
    ['read', 'ssh-prod/config/issuers'],
    ['update', 'sys/mounts/x'],
    ['update', 'sys/mounts/ssh-dev/tune'],
    ['update', 'sys/auth/userpass'],
    ['update', 'sys/audit'],
    ['update', 'sys/audit/file'],
    ['delete', 'sys/audit/file'],
    ['read', 'sys/audit-hash/file'],
    ['read', 'secret/data/x'],
  ] as const)('refuses %s %s', (operation: AclOperation, path) => {
    expect(acl.allows(path, operation)).toBe(false);
  });

  it('gives sudo on the root-protected sys/audit paths, and only there', () => {
    expect(acl.allows('sys/audit', 'read', { sudo: true })).toBe(true);
    expect(acl.allows('sys/audit-hash/file', 'update', { sudo: true })).toBe(true);
    expect(acl.allows('sys/mounts', 'read', { sudo: true })).toBe(false);
    expect(acl.allows('sys/policies/acl/default', 'read', { sudo: true })).toBe(false);
    expect(acl.allows('ssh-dev/roles/developer', 'read', { sudo: true })).toBe(false);
  });

  it('is this HCL for one mount', () => {
    expect(reportPolicy(['ssh-dev'])).toBe(
      [
        '# sshca report: read-only access to what the report shows',
        'path "sys/mounts" {\n  capabilities = ["read"]\n}\n',
        'path "sys/mounts/+/tune" {\n  capabilities = ["read"]\n}\n',
        'path "sys/auth" {\n  capabilities = ["read"]\n}\n',
        'path "sys/policies/acl/" {\n  capabilities = ["list"]\n}\n',
        'path "sys/policies/acl/+" {\n  capabilities = ["read"]\n}\n',
        'path "auth/+/users/" {\n  capabilities = ["list"]\n}\n',
        'path "auth/+/users/+" {\n  capabilities = ["read"]\n}\n',
        'path "auth/+/role/" {\n  capabilities = ["list"]\n}\n',
        'path "auth/+/role/+" {\n  capabilities = ["read"]\n}\n',
        'path "identity/entity/id/" {\n  capabilities = ["list"]\n}\n',
        'path "identity/entity/id/+" {\n  capabilities = ["read"]\n}\n',
        'path "ssh-dev/roles/" {\n  capabilities = ["list"]\n}\n',
        'path "ssh-dev/roles/+" {\n  capabilities = ["read"]\n}\n',
        'path "ssh-dev/config/issuers" {\n  capabilities = ["read"]\n}\n',
        'path "ssh-dev/issuers/" {\n  capabilities = ["list"]\n}\n',
        "# find the audit device and hash login serials to match the HMAC'd audit log (root-protected paths)",
        'path "sys/audit" {\n  capabilities = ["read", "sudo"]\n}\n',
        'path "sys/audit-hash/+" {\n  capabilities = ["update", "sudo"]\n}\n',
      ].join('\n'),
    );
  });

  it('covers each mount named, and only those', () => {
    const two = aclOf(['ssh-dev', 'ssh-prod']);
    expect(two.allows('ssh-prod/roles/x', 'read')).toBe(true);
    expect(two.allows('ssh-dev/roles/x', 'read')).toBe(true);
    expect(two.allows('ssh-prod/config/issuers', 'read')).toBe(true);
    expect(two.allows('ssh-stage/roles/x', 'read')).toBe(false);
    expect(two.allows('ssh-prod/sign/x', 'update')).toBe(false);
  });

  it('reads one entry, not what lies below it: no AppRole role-id or secret-id accessors, no user sub-path', () => {
    const acl = aclOf(['ssh-dev']);
    expect(acl.allows('auth/approle/role/ci', 'read')).toBe(true);
    expect(acl.allows('auth/approle/role/ci/role-id', 'read')).toBe(false);
    expect(acl.allows('auth/approle/role/ci/secret-id/', 'list')).toBe(false);
    expect(acl.allows('auth/userpass/users/alice/policies', 'read')).toBe(false);
    expect(acl.allows('ssh-dev/roles/developer/x', 'read')).toBe(false);
  });
});
