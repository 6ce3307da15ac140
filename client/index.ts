// The public API of the Vault-compatible client (re-exports only).

export * from './env.js';
export * from './vault-client.js';
export * from './sys-api.js';
export * from './ssh-api.js';
export * from './access-api.js';
export * from './wrapping-api.js';
export * from './auth-role-api.js';
export * from './jwt-api.js';
export * from './approle-api.js';
export * from './identity-api.js';
