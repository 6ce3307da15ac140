// How a provider reaches its backend. Inside provider methods only (never captured in a closure):
// the resource's own `address` and `token` inputs (the token a secret), else VAULT_ADDR/VAULT_TOKEN
// (or BAO_*) of the process running the provider, read at run time.

import { clientOptionsFromEnv } from '../client/env.js';
import { VaultClient } from '../client/vault-client.js';

/** Connection inputs every resource accepts. */
export interface ConnectionInputs {
  /** Backend address, e.g. `https://vault.example.com:8200`. @default VAULT_ADDR at run time */
  readonly address?: string;
  /** Token (a secret). @default VAULT_TOKEN at run time */
  readonly token?: string;
}

/** A client for the connection inputs of a resource. */
export function connect(inputs: ConnectionInputs): VaultClient {
  return new VaultClient(
    clientOptionsFromEnv(process.env, {
      ...(inputs.address ? { address: inputs.address } : {}),
      ...(inputs.token ? { token: inputs.token } : {}),
    }),
  );
}
