// What the resource classes share: connection inputs from the resource's args, else the Pulumi
// config `vault-ssh-ca:address` / `vault-ssh-ca:token` (the token kept secret). Provider methods
// fall back to VAULT_ADDR / VAULT_TOKEN when neither is set (providers/connection.ts).

import * as pulumi from '@pulumi/pulumi';

/** Connection arguments every resource takes. */
export interface ConnectionArgs {
  /** Backend address. @default config `vault-ssh-ca:address`, else VAULT_ADDR when the provider runs */
  readonly address?: pulumi.Input<string>;
  /** Token (kept secret). @default config `vault-ssh-ca:token`, else VAULT_TOKEN when the provider runs */
  readonly token?: pulumi.Input<string>;
}

/** Connection inputs for a resource: its own args, else the stack's config. */
export function connectionInputs(args: ConnectionArgs): {
  address?: pulumi.Input<string>;
  token?: pulumi.Input<string>;
} {
  const config = new pulumi.Config('vault-ssh-ca');
  const address = args.address ?? config.get('address');
  const token = args.token ?? config.getSecret('token');
  return {
    ...(address !== undefined ? { address } : {}),
    ...(token !== undefined ? { token: pulumi.secret(token) } : {}),
  };
}
