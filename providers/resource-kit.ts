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

/**
 * The arguments of `dynamic.Resource`'s constructor for a resource of this package: its props with
 * the connection inputs (`connectionInputs`), `token` and the given outputs kept secret, and the
 * type token `vault-ssh-ca:<type>` (in every URN: never change one).
 */
export function resourceArgs<P extends ConnectionArgs>(
  provider: pulumi.dynamic.ResourceProvider,
  type: string,
  name: string,
  props: P,
  opts: pulumi.CustomResourceOptions | undefined,
  secretOutputs: readonly string[] = [],
): [pulumi.dynamic.ResourceProvider, string, pulumi.Inputs, pulumi.CustomResourceOptions, string, string] {
  return [
    provider,
    name,
    { ...props, ...connectionInputs(props) } as pulumi.Inputs,
    { ...opts, additionalSecretOutputs: ['token', ...secretOutputs] },
    'vault-ssh-ca',
    type,
  ];
}
