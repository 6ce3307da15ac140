// What the resource classes share: connection inputs from the resource's args, else the Pulumi
// config `vault-ssh-ca:address` / `vault-ssh-ca:token` (the token kept secret). Provider methods
// fall back to VAULT_ADDR / VAULT_TOKEN when neither is set (providers/connection.ts).

import * as pulumi from '@pulumi/pulumi';

/** Connection arguments every resource takes. */
export interface ConnectionArgs {
  /**
   * Backend address, e.g. `https://vault.example.com:8200`.
   * @default - the stack config `vault-ssh-ca:address`, else VAULT_ADDR (or BAO_ADDR) of the process that runs
   * the provider, read when it runs
   */
  readonly address?: pulumi.Input<string>;
  /**
   * Token (kept secret).
   * @default - the stack config `vault-ssh-ca:token`, else VAULT_TOKEN (or BAO_TOKEN) of the process that runs
   * the provider, read when it runs
   */
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
