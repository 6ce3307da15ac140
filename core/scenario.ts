// The dev+prod scenario, written once: environments, CA roles, the dev OTP role, host principals,
// host CAs, policies and userpass users. `sshca demo` (cli/scenario/seed.ts), examples/pulumi-dev-prod,
// examples/cdktf-dev-prod and examples/roles.json state it; test/scenario.test.ts fails if any of
// them diverges. Values follow the zero-trust post (../shared/seeds, roles developer, automation and
// emergency; automation users jenkins and gitlab-runner) except where the README's "Roles" section
// says why not (shorter TTLs, no `*` principals). Data only: no I/O.

import type { CiLoginSpec } from './ci-login.js';
import type { DeliveryPlatformSpec } from './delivery-platform.js';
import type { HostCaSpec } from './host-ca.js';
import type { JwtAuthBackendSpec } from './jwt-auth-backend-spec.js';
import type { RoleSpec } from './role-spec.js';
import type { OtpRoleSpec } from './role-spec-otp.js';

/** The environments, each with its own mount (`ssh-<env>`) and CA. */
export const SCENARIO_ENVIRONMENTS = ['dev', 'prod'] as const;
export type ScenarioEnvironment = (typeof SCENARIO_ENVIRONMENTS)[number];

/** The mount of an environment: `ssh-dev`, `ssh-prod`. */
export const scenarioMount = (env: ScenarioEnvironment): string => `ssh-${env}`;

/** Mount TTLs of every environment (what `sys/mounts` is given). */
export const SCENARIO_MOUNT = { defaultLeaseTtl: '1h', maxLeaseTtl: '24h' } as const;

const KEY_ID_FORMAT = '{{role_name}}-{{token_display_name}}-{{public_key_hash}}';

/** The CA roles of every environment (the same in dev and prod; each mount has its own CA). */
export const SCENARIO_ROLES: Readonly<Record<'developer' | 'automation' | 'emergency', RoleSpec>> = {
  developer: {
    allowedUsers: ['ubuntu', 'ec2-user'],
    defaultUser: 'ubuntu',
    ttl: '1h',
    maxTtl: '8h',
    allowedExtensions: ['permit-pty'],
    defaultExtensions: { 'permit-pty': '' },
    allowedUserKeyLengths: { ed25519: [0], 'ecdsa-sha2-nistp256': [0], rsa: [3072, 4096] },
    keyIdFormat: KEY_ID_FORMAT,
  },
  // CI jobs: the post's users; no pty; no default user, so a job names its principal.
  automation: {
    allowedUsers: ['jenkins', 'gitlab-runner'],
    ttl: '30m',
    maxTtl: '1h',
    allowedUserKeyLengths: { ed25519: [0] },
    keyIdFormat: KEY_ID_FORMAT,
  },
  // Break-glass: root only, and short (the post's 24h would outlive the incident).
  emergency: {
    allowedUsers: ['root'],
    defaultUser: 'root',
    ttl: '15m',
    maxTtl: '1h',
    allowedExtensions: ['permit-pty'],
    defaultExtensions: { 'permit-pty': '' },
    allowedUserKeyLengths: { ed25519: [0] },
    keyIdFormat: KEY_ID_FORMAT,
  },
};

/** The OTP role of dev only: passwords for the demo's local hosts (loopback), for ubuntu or root. */
export const SCENARIO_OTP_ROLE: {
  readonly env: ScenarioEnvironment;
  readonly name: string;
  readonly spec: OtpRoleSpec;
} = {
  env: 'dev',
  name: 'otp',
  spec: { defaultUser: 'ubuntu', allowedUsers: ['root'], cidrList: ['127.0.0.0/8'] },
};

const PEOPLE = { ubuntu: ['ubuntu'], 'ec2-user': ['ec2-user'], root: ['root'] } as const;

/**
 * Host accounts → the principals that may log in as them, per environment. CI's automation
 * certificates (jenkins, gitlab-runner) deploy to dev only, as the account `deploy`; prod hosts take
 * no automation certificate.
 */
export const SCENARIO_HOST_PRINCIPALS: Readonly<
  Record<ScenarioEnvironment, Readonly<Record<string, readonly string[]>>>
> = {
  dev: { ...PEOPLE, deploy: ['gitlab-runner', 'jenkins'] },
  prod: PEOPLE,
};

/**
 * Each environment's host CA (mount `ssh-<env>-host`, role `host`): host certificates for the
 * environment's own domain only, so a dev host certificate does not pass for a prod host.
 */
export const SCENARIO_HOST_CA: Readonly<Record<ScenarioEnvironment, HostCaSpec>> = {
  dev: { allowedDomains: ['dev.example.com'] },
  prod: { allowedDomains: ['prod.example.com'] },
};

/** A policy allowing `sign` on these roles of these environments' mounts. */
export interface ScenarioPolicy {
  readonly environments: readonly ScenarioEnvironment[];
  readonly roles: readonly string[];
}

/**
 * The signing policies besides the per-role ones every environment gets (`<env>-sign-<role>`):
 * engineers sign as developer, on-call as emergency, on both environments (the post's names).
 */
export const SCENARIO_POLICIES: Readonly<Record<'ssh-access' | 'emergency-ssh', ScenarioPolicy>> = {
  'ssh-access': { environments: SCENARIO_ENVIRONMENTS, roles: ['developer'] },
  'emergency-ssh': { environments: SCENARIO_ENVIRONMENTS, roles: ['emergency'] },
};

/** The per-role signing policy of an environment: `dev-sign-developer`. */
export const scenarioRolePolicy = (env: ScenarioEnvironment, role: string): string => `${env}-sign-${role}`;

/** The creds policy of the OTP role: `dev-creds-otp`. */
export const SCENARIO_OTP_POLICY = `${SCENARIO_OTP_ROLE.env}-creds-${SCENARIO_OTP_ROLE.name}`;

/** A userpass user: its token policies and TTL. */
export interface ScenarioUser {
  readonly policies: readonly string[];
  readonly tokenTtl: string;
  /** Policies it also holds where the OTP role exists (the demo). */
  readonly otpPolicies?: readonly string[];
}

/** The userpass users (the post's testuser; oncall holds the emergency role). CI uses its own tokens. */
export const SCENARIO_USERS: Readonly<Record<'testuser' | 'oncall', ScenarioUser>> = {
  testuser: { policies: ['ssh-access'], tokenTtl: '1h', otpPolicies: [SCENARIO_OTP_POLICY] },
  oncall: { policies: ['emergency-ssh'], tokenTtl: '30m' },
};

/**
 * The JWT auth method CI jobs log in with (issue 18): GitLab's job tokens (`id_tokens`), verified
 * with the keys GitLab publishes, from GitLab only.
 */
export const SCENARIO_JWT_AUTH: JwtAuthBackendSpec & { readonly path: string; readonly jwksUrl: string } = {
  path: 'jwt',
  description: 'GitLab CI job tokens',
  jwksUrl: 'https://gitlab.example.com/oauth/discovery/keys',
  boundIssuer: 'https://gitlab.example.com',
};

/**
 * The CI login (issue 18): dev only (prod hosts take no automation certificate). The jobs of the
 * project infra/deploy on its branch main, with a token for Vault's audience, log in to the JWT role
 * `dev-ci` and get `dev-sign-automation` for 15 minutes; the job's identity is its project.
 */
export const SCENARIO_CI_LOGIN: { readonly env: ScenarioEnvironment; readonly spec: CiLoginSpec } = {
  env: 'dev',
  spec: {
    authMount: SCENARIO_JWT_AUTH.path,
    role: 'dev-ci',
    signingRole: 'automation',
    boundAudiences: ['https://vault.example.com'],
    boundClaims: { project_path: 'infra/deploy', ref: 'main', ref_type: 'branch' },
    userClaim: 'project_path',
    tokenTtl: '15m',
    tokenMaxTtl: '1h',
  },
};

/** The AppRole auth method the delivery platform logs in with (issue 24). */
export const SCENARIO_APPROLE_AUTH: { readonly path: string; readonly description: string } = {
  path: 'approle',
  description: 'Delivery platform (deploy automation)',
};

/**
 * The delivery platform's identity (issue 24): dev only, like the CI login (prod hosts take no
 * automation certificate). The deploy automation logs in to the AppRole role `dev-delivery` with a
 * secret ID it asks for per deploy (one use, 10 minutes) and gets `dev-sign-automation` for 15 minutes.
 */
export const SCENARIO_DELIVERY: { readonly env: ScenarioEnvironment; readonly spec: DeliveryPlatformSpec } = {
  env: 'dev',
  spec: {
    authMount: SCENARIO_APPROLE_AUTH.path,
    role: 'dev-delivery',
    signingRole: 'automation',
    secretIdNumUses: 1,
    secretIdTtl: '10m',
    tokenTtl: '15m',
    tokenMaxTtl: '1h',
  },
};
