// Vault's snake_case names and this project's camelCase ones.

/** `allowed_user_key_lengths` → `allowedUserKeyLengths`. */
export const toCamelCase = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** `allowedUserKeyLengths` → `allowed_user_key_lengths`. */
export const toSnakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
