// From Vault's snake_case names to this project's camelCase ones.

/** `allowed_user_key_lengths` → `allowedUserKeyLengths`. */
export const toCamelCase = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
