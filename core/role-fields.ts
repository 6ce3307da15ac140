// Every field of a Vault SSH role, in one table (as Vault's path_roles.go keeps them in one place):
// its wire name, framework type and description, which role kinds store it, the value stored when a
// write omits it, how the infrastructure-code spec declares it and our secure default there, and its
// attribute in Terraform's `vault_ssh_secret_backend_role`. The server's field schema (ROLE_FIELDS),
// the stored role and its read shape (core/role.ts), the Pulumi/CDKTF spec mappers
// (core/role-spec.ts, core/role-spec-otp.ts) and the Terraform mapping (core/role-spec-terraform.ts)
// are derived from it. Adding a field: one row here, a prop with TSDoc in RoleSpec or OtpRoleSpec,
// and tests. The TypeScript name is the camelCase of the wire name.

import { toCamelCase } from './case.js';
import { toStringMap, type FieldSpec, type FieldType } from './fields.js';
import { parseIntSlice } from './go-lists.js';

/** `algorithm_signer` values Vault accepts. `default` = rsa-sha2-256 on RSA CAs, the key's own algorithm otherwise. */
export const ALGORITHM_SIGNERS = ['default', 'ssh-rsa', 'rsa-sha2-256', 'rsa-sha2-512'] as const;
export type AlgorithmSigner = (typeof ALGORITHM_SIGNERS)[number];

/**
 * The kinds of role this project stores (Vault's `key_type`). `dynamic` is Vault 1.12's removed
 * dynamic-key mode, stored only by a server started with `--legacy-dynamic-keys` (issue 23); no spec
 * (Pulumi, CDKTF) declares it.
 */
export type RoleKind = 'ca' | 'otp' | 'dynamic';

/**
 * How a spec declares a field and how that maps to the wire: `value` as is; `list` an array sent as a
 * comma list; `map` an object; `key-lengths` key type → sizes.
 */
export type SpecShape = 'value' | 'list' | 'map' | 'key-lengths';

/**
 * The attribute in `vault_ssh_secret_backend_role` (provider 5.x): `same` the wire value under the
 * camelCase name; `seconds` a duration as a string of seconds (Vault reads durations back as integers);
 * `key-config` `allowed_user_key_config` blocks. Absent: the resource has no attribute for the field.
 */
export type TerraformForm = 'same' | 'seconds' | 'key-config';

/** One row of the table; `T` is the stored (TypeScript) type, `K` the kinds that store it. */
export interface RoleField<T = unknown, K extends RoleKind = RoleKind> extends FieldSpec {
  readonly type: FieldType;
  readonly description: string;
  /** The role kinds that store the field; Vault ignores it in a write for the other kind. */
  readonly kinds: readonly K[];
  /** The stored value when a write omits the field (Vault's default). */
  readonly vaultDefault: T;
  /** The stored value from the coerced request value; absent: stored as coerced. */
  readonly store?: (coerced: unknown) => T;
  /** How RoleSpec / OtpRoleSpec declare it; absent: not in specs. */
  readonly spec?: SpecShape;
  /** Our secure default in a spec, where it differs from Vault's. */
  readonly secureDefault?: unknown;
  /** Its Terraform attribute; absent: none (a spec may then only leave it at Vault's default). */
  readonly terraform?: TerraformForm;
  /**
   * A field of the legacy dynamic-key mode only: in the server's role schema only with
   * `--legacy-dynamic-keys`, never in a spec or in Terraform.
   */
  readonly legacy?: true;
}

type Row<T, K extends RoleKind> = Omit<RoleField<T, K>, 'kinds'>;
const ca = <T>(row: Row<T, 'ca'>): RoleField<T, 'ca'> => ({ ...row, kinds: ['ca'] });
const both = <T>(row: Row<T, RoleKind>): RoleField<T, RoleKind> => ({ ...row, kinds: ['ca', 'otp', 'dynamic'] });
/** Fields OTP and (legacy) dynamic roles share. */
const hostCred = <T>(row: Row<T, 'otp' | 'dynamic'>): RoleField<T, 'otp' | 'dynamic'> => ({
  ...row,
  kinds: ['otp', 'dynamic'],
});
/** A field of the legacy dynamic-key mode only (Vault 1.12; issue 23). */
const dyn = <T>(row: Omit<Row<T, 'dynamic'>, 'legacy'>): RoleField<T, 'dynamic'> => ({
  ...row,
  kinds: ['dynamic'],
  legacy: true,
});

/** Vault's conversion of a map parameter's values to strings, for the stored role. */
const storeStringMap = (m: unknown): Readonly<Record<string, string>> =>
  toStringMap((m as Record<string, unknown> | undefined) ?? {});

/** The key types and sizes roles allow unless told otherwise (Amazon Linux 2's OpenSSH 7.4 included). */
export const DEFAULT_USER_KEY_LENGTHS: Readonly<Record<string, readonly number[]>> = {
  ed25519: [0],
  ecdsa: [256, 384],
  rsa: [3072, 4096],
};

/** The role fields, by wire name, in the order a CA role reads back. */
export const ROLE_FIELD_TABLE = {
  allowed_users: both<string>({
    type: 'string',
    description: 'Comma list of accounts (user principals) a request may name; * allows any.',
    vaultDefault: '',
    spec: 'list',
    terraform: 'same',
  }),
  allowed_users_template: ca<boolean>({
    type: 'bool',
    description: 'allowed_users may hold identity templates.',
    vaultDefault: false,
    spec: 'value',
    terraform: 'same',
  }),
  allowed_domains: ca<string>({
    type: 'string',
    description: 'Comma list of domains host certificates may be signed for; * allows any.',
    vaultDefault: '',
    spec: 'list',
    terraform: 'same',
  }),
  allowed_domains_template: ca<boolean>({
    type: 'bool',
    description: 'allowed_domains may hold identity templates.',
    vaultDefault: false,
    spec: 'value',
    terraform: 'same',
  }),
  default_user: both<string>({
    type: 'string',
    description: 'The account a certificate or OTP is for when the request names none.',
    vaultDefault: '',
    spec: 'value',
    terraform: 'same',
  }),
  default_user_template: ca<boolean>({
    type: 'bool',
    description: 'default_user may be an identity template.',
    vaultDefault: false,
    spec: 'value',
    terraform: 'same',
  }),
  ttl: ca<number>({
    type: 'duration',
    description: "Certificate lifetime when the request asks for none; 0 uses the mount's default.",
    vaultDefault: 0,
    spec: 'value',
    secureDefault: '30m',
    terraform: 'seconds',
  }),
  max_ttl: ca<number>({
    type: 'duration',
    description: "Longest certificate lifetime a request may ask for; 0 uses the mount's maximum.",
    vaultDefault: 0,
    spec: 'value',
    secureDefault: '1h',
    terraform: 'seconds',
  }),
  allowed_critical_options: ca<string>({
    type: 'string',
    description: 'Comma list of critical options a request may set; empty allows any.',
    vaultDefault: '',
    spec: 'list',
    terraform: 'same',
  }),
  allowed_extensions: ca<string>({
    type: 'string',
    description: 'Comma list of extensions a request may set; empty allows none, * allows any.',
    vaultDefault: '',
    spec: 'list',
    terraform: 'same',
  }),
  allow_user_certificates: ca<boolean>({
    type: 'bool',
    description: 'The role signs user certificates.',
    vaultDefault: false,
    spec: 'value',
    secureDefault: true,
    terraform: 'same',
  }),
  allow_host_certificates: ca<boolean>({
    type: 'bool',
    description: 'The role signs host certificates.',
    vaultDefault: false,
    spec: 'value',
    terraform: 'same',
  }),
  allow_bare_domains: ca<boolean>({
    type: 'bool',
    description: 'Host certificates may name a domain of allowed_domains itself.',
    vaultDefault: false,
    spec: 'value',
    terraform: 'same',
  }),
  allow_subdomains: ca<boolean>({
    type: 'bool',
    description: 'Host certificates may name subdomains of allowed_domains.',
    vaultDefault: false,
    spec: 'value',
    terraform: 'same',
  }),
  allow_user_key_ids: ca<boolean>({
    type: 'bool',
    description: "A request may set the certificate's key id.",
    vaultDefault: false,
    spec: 'value',
    terraform: 'same',
  }),
  key_id_format: ca<string>({
    type: 'string',
    description:
      'Template of the key id when the request sets none; empty: vault-{{token_display_name}}-{{public_key_hash}}.',
    vaultDefault: '',
    spec: 'value',
    terraform: 'same',
  }),
  // The kind itself: written by every role, stored as the role's `keyType`, not as a field.
  key_type: {
    type: 'string',
    description: 'The kind of role: ca signs certificates, otp issues one-time passwords.',
    kinds: [] as readonly never[],
    vaultDefault: '',
    terraform: 'same',
  } satisfies RoleField<string, never>,
  default_critical_options: ca<Readonly<Record<string, string>>>({
    type: 'map',
    description: 'Critical options certificates carry when the request sets none.',
    vaultDefault: {},
    store: storeStringMap,
    spec: 'map',
    terraform: 'same',
  }),
  default_extensions: ca<Readonly<Record<string, string>>>({
    type: 'map',
    description: 'Extensions certificates carry when the request sets none.',
    vaultDefault: {},
    store: storeStringMap,
    spec: 'map',
    terraform: 'same',
  }),
  default_extensions_template: ca<boolean>({
    type: 'bool',
    description: 'default_extensions values may hold identity templates.',
    vaultDefault: false,
    spec: 'value',
  }),
  allowed_user_key_lengths: ca<Readonly<Record<string, readonly number[]>>>({
    type: 'map',
    description: 'Key type to the sizes of subject keys the role signs; empty allows any key.',
    vaultDefault: {},
    store: (m) =>
      Object.fromEntries(
        Object.entries((m as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [k, parseIntSlice(v)]),
      ),
    spec: 'key-lengths',
    secureDefault: DEFAULT_USER_KEY_LENGTHS,
    terraform: 'key-config',
  }),
  algorithm_signer: ca<AlgorithmSigner>({
    type: 'string',
    description: 'Signature algorithm of an RSA CA: default (rsa-sha2-256), ssh-rsa, rsa-sha2-256 or rsa-sha2-512.',
    vaultDefault: 'default',
    store: (v) => ((v as string) || 'default') as AlgorithmSigner,
    spec: 'value',
    terraform: 'same',
  }),
  not_before_duration: ca<number>({
    type: 'duration',
    description: 'How far a certificate is backdated for clock skew.',
    vaultDefault: 30,
    spec: 'value',
    secureDefault: '30s',
    terraform: 'seconds',
  }),
  allow_empty_principals: ca<boolean>({
    type: 'bool',
    description: 'Sign certificates without principals, which are valid for every account (CVE-2024-7594).',
    vaultDefault: false,
    spec: 'value',
    terraform: 'same',
  }),
  cidr_list: hostCred<string>({
    type: 'string',
    description: 'Comma list of CIDR blocks of the hosts OTPs may be issued for.',
    vaultDefault: '',
    spec: 'list',
    terraform: 'same',
  }),
  exclude_cidr_list: hostCred<string>({
    type: 'string',
    description: 'Comma list of CIDR blocks inside cidr_list that are refused.',
    vaultDefault: '',
    spec: 'list',
  }),
  port: hostCred<number>({
    type: 'int',
    description: 'SSH port of the hosts, returned with each OTP; 0 means 22.',
    vaultDefault: 22,
    store: (v) => ((v as number) === 0 ? 22 : (v as number)),
    spec: 'value',
  }),
  // The legacy dynamic-key mode (Vault 1.12's `key_type=dynamic`, removed in 1.13; issue 23).
  key: dyn<string>({
    type: 'string',
    description: 'Dynamic roles: name of the admin key (keys/:name) the server logs in to hosts with.',
    vaultDefault: '',
  }),
  admin_user: dyn<string>({
    type: 'string',
    description: 'Dynamic roles: the account on the hosts that the admin key logs in as (passwordless sudo).',
    vaultDefault: '',
  }),
  key_bits: dyn<number>({
    type: 'int',
    description: 'Dynamic roles: RSA size of the generated user keys, 2048 or more here; 0 means 2048.',
    vaultDefault: 2048,
    store: (v) => ((v as number) === 0 ? 2048 : (v as number)),
  }),
  install_script: dyn<string>({
    type: 'string',
    description: "Dynamic roles: a custom install script (Vault's three arguments); empty uses sshca-authorized-key.",
    vaultDefault: '',
  }),
  key_option_specs: dyn<string>({
    type: 'string',
    description: 'Dynamic roles: authorized_keys options put before each installed key, e.g. no-port-forwarding.',
    vaultDefault: '',
  }),
  known_hosts: dyn<string>({
    type: 'string',
    description: "Dynamic roles: known_hosts lines pinning the hosts' keys (@cert-authority allowed).",
    vaultDefault: '',
  }),
  insecure_ignore_host_key: dyn<boolean>({
    type: 'bool',
    description: "Dynamic roles: connect to hosts without checking their keys (Vault 1.12's behaviour).",
    vaultDefault: false,
  }),
} as const;

type Table = typeof ROLE_FIELD_TABLE;
/** A wire name's camelCase, as a type (`allowed_users` → `allowedUsers`). */
export type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type KindsOf<R> = R extends { readonly kinds: readonly (infer K)[] } ? K : never;
type StoredOf<R> = R extends { readonly vaultDefault: infer T } ? T : never;
/** The wire names a kind stores. */
export type FieldsOf<K extends RoleKind> = { [W in keyof Table]: K extends KindsOf<Table[W]> ? W : never }[keyof Table];
/** The stored role of a kind, derived from the table. */
export type StoredRole<K extends RoleKind> = { readonly keyType: K } & {
  readonly [W in FieldsOf<K> as Camel<W>]: StoredOf<Table[W]>;
};

/** Every row as `[wire name, row]`, in table order (legacy dynamic-key rows included). */
export const ROLE_FIELD_ROWS = Object.entries(ROLE_FIELD_TABLE) as ReadonlyArray<readonly [string, RoleField]>;

/** The rows of today's roles: ROLE_FIELD_ROWS without the legacy dynamic-key rows. */
export const CURRENT_ROLE_FIELD_ROWS = ROLE_FIELD_ROWS.filter(([, row]) => row.legacy !== true);

/** The rows a kind stores, with their camelCase names. */
export const rowsOf = (kind: RoleKind): ReadonlyArray<readonly [wire: string, camel: string, row: RoleField]> =>
  ROLE_FIELD_ROWS.filter(([, row]) => row.kinds.includes(kind)).map(([wire, row]) => [wire, toCamelCase(wire), row]);

/** True when A and B are the same union. */
export type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * Compile-time check: a spec of a kind declares exactly the table's fields of that kind
 * (core/role-fields.ts) plus its opt-ins, which are not sent. A row added without its spec prop, or a
 * prop without its row, fails the type check of
 * test/core/role-fields.test.ts.
 */
export type SpecMatchesTable<S, K extends RoleKind, OptIns extends keyof S> = SameKeys<
  Exclude<keyof S, OptIns>,
  Camel<FieldsOf<K>>
>;
