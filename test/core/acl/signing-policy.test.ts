// The usual ACL policies of the SSH workflows (core/acl/signing-policy.ts): exact HCL, one path block
// per role.

import { describe, expect, it } from 'vitest';
import { credsPolicy, signingPolicy } from '../../../core/acl/signing-policy.js';

describe('signingPolicy', () => {
  it('allows signing on the named roles only', () => {
    expect(signingPolicy('ssh-dev', ['developer', 'ops'])).toBe(
      'path "ssh-dev/sign/developer" {\n  capabilities = ["create", "update"]\n}\n\npath "ssh-dev/sign/ops" {\n  capabilities = ["create", "update"]\n}\n',
    );
  });
});

describe('credsPolicy', () => {
  it('allows asking for OTPs on the named roles only', () => {
    expect(credsPolicy('ssh-dev', ['web', 'db'])).toBe(
      'path "ssh-dev/creds/web" {\n  capabilities = ["create", "update"]\n}\n\npath "ssh-dev/creds/db" {\n  capabilities = ["create", "update"]\n}\n',
    );
  });
});
