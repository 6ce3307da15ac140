// `AuthMethod`: an auth method enabled at a path (`vault_auth_backend`), e.g. `userpass`, the CDKTF
// twin of the Pulumi resource of the same name, with the same validator (core/auth-method-spec.ts).

import { AuthBackend } from '@cdktf/provider-vault/lib/auth-backend/index.js';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { validateAuthMethodSpec } from '../core/auth-method-spec.js';
import { validateWith } from './validation.js';

/** Props of an AuthMethod. */
export interface AuthMethodProps {
  /** Where it is enabled, e.g. `userpass`. */
  readonly path: string;
  /** Its type, e.g. `userpass`. */
  readonly type: string;
  /** Shown by `vault auth list`. @default - empty */
  readonly description?: string;
}

/** An auth method (`vault_auth_backend`, construct id `backend`). */
export class AuthMethod extends Construct {
  /** The `vault_auth_backend` resource. */
  readonly backend: AuthBackend;
  /** The path (a Terraform reference). */
  readonly path: string;
  /** The method's accessor (a Terraform reference), for identity aliases and templates. */
  readonly accessor: string;

  constructor(scope: Construct, id: string, props: AuthMethodProps) {
    super(scope, id);
    validateWith(this, () => (Token.isUnresolved(props.path) ? [] : validateAuthMethodSpec(props)));
    this.backend = new AuthBackend(this, 'backend', {
      path: props.path,
      type: props.type,
      ...(props.description ? { description: props.description } : {}),
    });
    this.path = this.backend.path;
    this.accessor = this.backend.accessor;
  }
}
