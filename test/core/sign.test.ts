// Signing under a role (reference §2.9, §3): request coercion, the processing order (the first failing
// step answers), OTP roles on the sign path, the response shapes (serial_number, signed_key), Vault's
// own test scenario, and property tests over seeded random roles and requests.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';
import { isRequestError } from '../../core/errors.js';
import type { CaKey } from '../../core/keys/ca-key.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { SKIPPED_EXTENSIONS_WARNING } from '../../core/policy/options.js';
import type { MountTtls } from '../../core/policy/validity.js';
import { compareGoStrings, parseCommaList } from '../../core/go-lists.js';
import { parseRoleWrite, type Role } from '../../core/role.js';
import { parseFields } from '../../core/fields.js';
import { SIGN_FIELDS, parseSignRequest, signRequestFromFields, signWithRole, type SignInput } from '../../core/sign.js';
import { FIXED_NOW, KeyDir, blobOf, caRole, caught, fixedNonce, prng, type Caught } from './fixtures.js';

const SYSTEM: MountTtls = { defaultLeaseTtl: 2_764_800, maxLeaseTtl: 2_764_800 };

let keys: KeyDir;
let ed25519Ca: CaKey;
let rsaCa: CaKey;

beforeAll(() => {
  keys = new KeyDir('sign');
  ed25519Ca = generateKeyPair('ed25519', 0).caKey;
  rsaCa = generateKeyPair('rsa', 2048).caKey;
});

afterAll(() => keys.dispose());

/** Sign a raw (wire-format) request body under a role, with a fixed clock, serial and nonce. */
function sign(role: Role, body: Record<string, unknown>, over: Partial<SignInput> = {}) {
  return signWithRole({
    roleName: 'dev',
    role,
    request: parseSignRequest(body).request,
    mount: SYSTEM,
    requester: { displayName: 'root' },
    ca: ed25519Ca,
    now: FIXED_NOW,
    serial: 0x1234_5678_9abc_def0n,
    nonce: fixedNonce(),
    ...over,
  });
}

describe('parseSignRequest', () => {
  it("applies Vault's defaults and keeps track of what was supplied", () => {
    expect(parseSignRequest({ public_key: 'k' })).toEqual({
      request: { publicKey: 'k', certType: 'user', keyId: '', criticalOptions: {}, extensions: {} },
      unknown: [],
    });
  });

  it('counts an empty or null valid_principals as supplied, a null ttl as not supplied, ttl 0 as supplied', () => {
    expect(parseSignRequest({ valid_principals: '' }).request.validPrincipals).toBe('');
    expect(parseSignRequest({ valid_principals: null }).request.validPrincipals).toBe('');
    expect('ttl' in parseSignRequest({ ttl: null }).request).toBe(false);
    expect(parseSignRequest({ ttl: 0 }).request.ttl).toBe(0);
    expect(parseSignRequest({ ttl: '1h' }).request.ttl).toBe(3600);
  });

  it("stringifies map values with Go's %v and lists unknown parameters sorted", () => {
    expect(
      parseSignRequest({
        extensions: [{ 'permit-pty': '' }, { flag: true }],
        critical_options: { 'force-command': 5 },
        zeta: 1,
        role: 'x',
      }),
    ).toEqual({
      request: {
        publicKey: '',
        certType: 'user',
        keyId: '',
        criticalOptions: { 'force-command': '5' },
        extensions: { 'permit-pty': '', flag: 'true' },
      },
      unknown: ['role', 'zeta'],
    });
  });

  it('refuses bad types with the framework message', () => {
    expect(caught(() => parseSignRequest({ ttl: 'soon' }))).toEqual({
      message: 'Field validation failed: error converting input soon for field "ttl": time: invalid duration "soon"',
      name: 'RequestError',
      status: 400,
    });
  });
});

describe('signRequestFromFields', () => {
  it('builds the request from fields SIGN_FIELDS already coerced (what the server hands over), as parseSignRequest does', () => {
    const raw = { public_key: 'k', valid_principals: 7, ttl: '2m', extensions: [{ 'permit-pty': '' }], key_id: true };
    const { values } = parseFields(SIGN_FIELDS, raw);
    expect(signRequestFromFields(values)).toEqual({
      publicKey: 'k',
      validPrincipals: '7',
      certType: 'user',
      keyId: '1',
      ttl: 120,
      criticalOptions: {},
      extensions: { 'permit-pty': '' },
    });
    expect(parseSignRequest(raw).request).toEqual(signRequestFromFields(values));
  });

  it("takes Vault's defaults for absent fields", () => {
    expect(signRequestFromFields(new Map())).toEqual({
      publicKey: '',
      certType: 'user',
      keyId: '',
      criticalOptions: {},
      extensions: {},
    });
  });
});

describe('signWithRole: processing order (§2.9)', () => {
  // Every step of the staircase adds a fix for the previous failure; the rest of the request stays
  // wrong, so each answer proves that its step runs before all the later ones.
  const role = () =>
    caRole({
      allowed_users: 'ubuntu',
      default_user: 'ubuntu',
      max_ttl: '1h',
      allowed_user_key_lengths: { ed25519: [0] },
      allowed_critical_options: 'force-command',
      allowed_extensions: 'permit-pty',
      algorithm_signer: 'rsa-sha2-256',
    });
  const allBad = () => ({
    public_key: '',
    key_id: 'mine',
    cert_type: 'host',
    valid_principals: 'root',
    ttl: '2h',
    critical_options: { bogus: '' },
    extensions: { bogus: '' },
  });

  it('answers with the first failing step, in Vault order', () => {
    const body: Record<string, unknown> = allBad();
    const steps: Array<[() => void, Caught]> = [
      [() => {}, { message: 'missing public_key', name: 'RequestError', status: 400 }],
      [
        () => (body.public_key = 'ssh-ed25519 AAAA!'),
        {
          message: 'failed to parse public_key as SSH key: illegal base64 data at input byte 4',
          name: 'RequestError',
          status: 400,
        },
      ],
      [
        () => (body.public_key = keys.pub('rsa2048')),
        {
          message: 'public_key failed to meet the key requirements: key of type rsa is not allowed',
          name: 'RequestError',
          status: 400,
        },
      ],
      [
        () => (body.public_key = keys.pub('ed25519')),
        { message: 'setting key_id is not allowed by role', name: 'RequestError', status: 400 },
      ],
      [
        () => delete body.key_id,
        { message: "cert_type 'host' is not allowed by role", name: 'RequestError', status: 400 },
      ],
      [
        () => (body.cert_type = 'user'),
        { message: 'root is not a valid value for valid_principals', name: 'RequestError', status: 400 },
      ],
      [
        () => (body.valid_principals = 'ubuntu'),
        { message: 'ttl is larger than maximum allowed 3600', name: 'RequestError', status: 400 },
      ],
      [
        () => (body.ttl = '30m'),
        { message: 'critical options not on allowed list: [bogus]', name: 'RequestError', status: 400 },
      ],
      [
        () => (body.critical_options = { 'force-command': 'uptime' }),
        { message: 'extensions [bogus] are not on allowed list', name: 'RequestError', status: 400 },
      ],
      [
        () => (body.extensions = { 'permit-pty': '' }),
        { message: 'failed to read CA private key', name: 'InternalError', status: 500 },
      ],
      [
        () => {},
        {
          message:
            'failed to generate signed SSH key: sign error: ssh: unsupported signature algorithm "rsa-sha2-256" for key format "ssh-ed25519"',
          name: 'InternalError',
          status: 500,
        },
      ],
    ];
    for (const [n, [fix, expected]] of steps.entries()) {
      fix();
      // step 11 runs without a CA key; the others with an Ed25519 CA (which step 12 cannot use)
      const over = n === steps.length - 2 ? { ca: undefined } : {};
      expect(
        caught(() => sign(role(), body, over)),
        JSON.stringify(body),
      ).toEqual(expected);
    }
    const result = sign(role(), body, { ca: rsaCa });
    const cert = parseCertificate(result.signedKey);
    expect(cert.signatureAlgorithm).toBe('rsa-sha2-256');
    expect(cert.criticalOptions).toEqual({ 'force-command': 'uptime' });
    expect(cert.extensions).toEqual({ 'permit-pty': '' });
  });

  it('checks key_id before cert_type (a request with both wrong gets the key_id error)', () => {
    expect(
      caught(() =>
        sign(caRole({ allowed_users: '*' }), { public_key: keys.pub('ed25519'), key_id: 'x', cert_type: 'bogus' }),
      ).message,
    ).toBe('setting key_id is not allowed by role');
  });

  it('refuses an unknown cert_type, including an explicit empty one', () => {
    for (const certType of ['bogus', '', 'User']) {
      expect(
        caught(() => sign(caRole({ allowed_users: '*' }), { public_key: keys.pub('ed25519'), cert_type: certType })),
      ).toEqual({
        message: "cert_type must be either 'user' or 'host'",
        name: 'RequestError',
        status: 400,
      });
    }
  });

  it('refuses a user certificate on a host-only role', () => {
    const hostOnly = parseRoleWrite({ key_type: 'ca', allow_host_certificates: true, allowed_domains: '*' });
    expect(caught(() => sign(hostOnly, { public_key: keys.pub('ed25519') })).message).toBe(
      "cert_type 'user' is not allowed by role",
    );
  });
});

describe('signWithRole: OTP roles on the sign path', () => {
  const otp = parseRoleWrite({ key_type: 'otp', default_user: 'ubuntu', cidr_list: '10.0.0.0/8', allowed_users: '*' });

  it("fails on the cert type, as Vault's sign path does not look at key_type", () => {
    expect(caught(() => sign(otp, { public_key: keys.pub('ed25519') }))).toEqual({
      message: "cert_type 'user' is not allowed by role",
      name: 'RequestError',
      status: 400,
    });
    expect(caught(() => sign(otp, { public_key: keys.pub('ed25519'), cert_type: 'host' })).message).toBe(
      "cert_type 'host' is not allowed by role",
    );
  });

  it('still checks the key and key_id first', () => {
    expect(caught(() => sign(otp, { public_key: '' })).message).toBe('missing public_key');
    expect(caught(() => sign(otp, { public_key: keys.pub('ed25519'), key_id: 'x' })).message).toBe(
      'setting key_id is not allowed by role',
    );
  });
});

describe('signWithRole: response', () => {
  const role = () =>
    caRole({
      allowed_users: 'ubuntu,admin',
      default_user: 'ubuntu',
      ttl: '1h',
      default_extensions: { 'permit-pty': '' },
      key_id_format: '{{role_name}}-{{token_display_name}}',
    });

  it.each<[bigint, string]>([
    [0x1234_5678_9abc_def0n, '123456789abcdef0'],
    [0x00ab_cdefn, 'abcdef'],
    [0x0fn, 'f'],
    [0n, '0'],
    [0xffff_ffff_ffff_ffffn, 'ffffffffffffffff'],
    [0x0100_0000_0000_0000n, '100000000000000'],
  ])('serial %i → serial_number %j (lower-case hex, no leading zeros)', (serial, text) => {
    const result = sign(role(), { public_key: keys.pub('ed25519') }, { serial });
    expect(result.serialNumber).toBe(text);
    expect(parseCertificate(result.signedKey).serial).toBe(serial);
  });

  it('signed_key is "<cert type> <base64>\\n" with no comment', () => {
    for (const [kind, type] of [
      ['ed25519', 'ssh-ed25519-cert-v01@openssh.com'],
      ['rsa2048', 'ssh-rsa-cert-v01@openssh.com'],
      ['ecdsa384', 'ecdsa-sha2-nistp384-cert-v01@openssh.com'],
    ] as const) {
      const { signedKey } = sign(role(), { public_key: keys.pub(kind) });
      expect(signedKey).toMatch(new RegExp(`^${type.replace(/[.]/g, '\\.')} [A-Za-z0-9+/]+=*\\n$`));
      expect(signedKey.endsWith('\n')).toBe(true);
      expect(signedKey.split(' ')).toHaveLength(2);
    }
  });

  it('computes every field from role + request + clock', () => {
    const result = sign(role(), { public_key: keys.pub('ed25519'), valid_principals: 'admin,ubuntu,admin' });
    expect(result.fields).toEqual({
      certType: 'user',
      keyId: 'dev-root',
      principals: ['admin', 'ubuntu'],
      validAfter: BigInt(FIXED_NOW - 30),
      validBefore: BigInt(FIXED_NOW + 3600),
      criticalOptions: {},
      extensions: { 'permit-pty': '' },
      serial: 0x1234_5678_9abc_def0n,
      nonce: fixedNonce(),
    });
    expect(result.warnings).toEqual([]);
    const cert = parseCertificate(result.signedKey);
    expect(cert).toMatchObject({
      algorithm: 'ssh-ed25519-cert-v01@openssh.com',
      certType: 'user',
      keyId: 'dev-root',
      principals: ['admin', 'ubuntu'],
      validAfter: BigInt(FIXED_NOW - 30),
      validBefore: BigInt(FIXED_NOW + 3600),
      signatureAlgorithm: 'ssh-ed25519',
    });
    expect(cert.subjectBlob).toEqual(blobOf(keys.pub('ed25519')));
    expect(cert.signatureKeyBlob).toEqual(ed25519Ca.publicBlob);
    expect(cert.nonce).toEqual(fixedNonce());
  });

  it('signs identically for identical inputs (deterministic with a fixed serial and nonce)', () => {
    const a = sign(role(), { public_key: keys.pub('ed25519') });
    const b = sign(role(), { public_key: keys.pub('ed25519') });
    expect(a.signedKey).toBe(b.signedKey);
  });

  it('warns when templated default extensions are skipped for a caller without an entity', () => {
    const templated = caRole({
      allowed_users: '*',
      default_user: 'u',
      default_extensions_template: true,
      default_extensions: { 'login@example.com': '{{identity.entity.name}}', 'permit-pty': '' },
    });
    const result = sign(templated, { public_key: keys.pub('ed25519') });
    expect(result.warnings).toEqual([SKIPPED_EXTENSIONS_WARNING]);
    expect(parseCertificate(result.signedKey).extensions).toEqual({ 'permit-pty': '' });
  });

  it('signs with SHA-1 ssh-rsa only when the role names it', () => {
    const pub = keys.pub('ed25519');
    expect(parseCertificate(sign(role(), { public_key: pub }, { ca: rsaCa }).signedKey).signatureAlgorithm).toBe(
      'rsa-sha2-256',
    );
    const sha1 = caRole({ allowed_users: '*', default_user: 'u', algorithm_signer: 'ssh-rsa' });
    expect(parseCertificate(sign(sha1, { public_key: pub }, { ca: rsaCa }).signedKey).signatureAlgorithm).toBe(
      'ssh-rsa',
    );
  });
});

describe("signWithRole: Vault's TestBackend host-certificate scenario", () => {
  it('gives the key id, principals, options and validity Vault expects', () => {
    // role "testing" and request from builtin/logical/ssh/backend_test.go (publicKey2 is a bare base64
    // with a trailing newline)
    const role = parseRoleWrite({
      key_type: 'ca',
      allow_host_certificates: true,
      allowed_domains: 'example.com,example.org',
      allow_subdomains: true,
      default_critical_options: { option: 'value' },
      default_extensions: { extension: 'extended' },
    });
    const publicKey2 =
      'AAAAB3NzaC1yc2EAAAADAQABAAABAQDArgK0ilRRfk8E7HIsjz5l3BuxmwpDd8DHRCVfOhbZ4gOSVxjEOOqBwWGjygdboBIZwFXmwDlU6sWX0hBJAgpQz0Cjvbjxtq/NjkvATrYPgnrXUhTaEn2eQO0PsqRNSFH46SK/oJfTp0q8/WgojxWJ2L7FUV8PO8uIk49DzqAqPV7WXU63vFsjx+3WQOX/ILeQvHCvaqs3dWjjzEoDudRWCOdUqcHEOshV9azIzPrXlQVzRV3QAKl6u7pC+/Secorpwt6IHpMKoVPGiR0tMMuNOVH8zrAKzIxPGfy2WmNDpJopbXMTvSOGAqNcp49O4SKOQl9Fzfq2HEevJamKLrMB\n';
    const result = signWithRole({
      roleName: 'testing',
      role,
      request: parseSignRequest({
        public_key: publicKey2,
        ttl: '2h',
        cert_type: 'host',
        valid_principals: 'dummy.example.org,second.example.com',
      }).request,
      mount: SYSTEM,
      requester: { displayName: 'root' },
      ca: rsaCa,
      now: FIXED_NOW,
      serial: 1n,
      nonce: fixedNonce(1),
    });
    const cert = parseCertificate(result.signedKey);
    expect(cert).toMatchObject({
      algorithm: 'ssh-rsa-cert-v01@openssh.com',
      certType: 'host',
      keyId: 'vault-root-22608f5ef173aabf700797cb95c5641e792698ec6380e8e1eb55523e39aa5e51',
      principals: ['dummy.example.org', 'second.example.com'],
      criticalOptions: { option: 'value' },
      extensions: { extension: 'extended' },
      signatureAlgorithm: 'rsa-sha2-256',
    });
    expect(cert.validBefore - cert.validAfter).toBe(2n * 3600n + 30n);
  });
});

describe('signWithRole: invariants over seeded random roles and requests', () => {
  const SEED = 20_270_115;
  const USERS = ['ubuntu', 'admin', 'deploy', 'ec2-user', 'root', 'Alice', 'b\u00e9a', '\u{1F600}', '\uFF21'];
  const DOMAINS = ['example.com', 'example.org', 'corp.internal'];
  const HOSTS = ['example.com', 'a.example.com', 'b.c.example.org', 'x.corp.internal', 'evil.com', 'badexample.com'];
  const DURATIONS = [0, 0, 60, 300, 1800, 3600, 7200, 86_400, 2_764_800];
  const REQUEST_ERRORS = [
    /^empty valid principals not allowed by role$/,
    /^role is not configured to allow any principals$/,
    /^.+ is not a valid value for valid_principals$/,
    /^ttl is larger than maximum allowed \d+$/,
    /^cert_type '(user|host)' is not allowed by role$/,
  ];

  it('600 cases: TTL ≤ effective max, ValidBefore - ValidAfter = ttl + not_before, principals sorted, unique and allowed', () => {
    const rand = prng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const subset = <T>(xs: readonly T[]): T[] => xs.filter(() => rand() < 0.35);
    const publicKey = keys.pub('ed25519');
    const outcomes = { signed: 0, refused: 0, empty: 0, star: 0, host: 0 };

    for (let i = 0; i < 600; i++) {
      const host = rand() < 0.3;
      const star = rand() < 0.15;
      const allowedUsers = star ? '*' : subset(USERS).join(rand() < 0.5 ? ',' : ' , ');
      const allowedDomains = star ? '*' : subset(DOMAINS).join(',');
      let ttl = pick(DURATIONS);
      let maxTtl = pick(DURATIONS);
      if (ttl !== 0 && maxTtl !== 0 && ttl > maxTtl) [ttl, maxTtl] = [maxTtl, ttl];
      const body: Record<string, unknown> = {
        key_type: 'ca',
        allow_user_certificates: !host || rand() < 0.5,
        allow_host_certificates: host || rand() < 0.5,
        allowed_users: allowedUsers,
        allowed_domains: allowedDomains,
        allow_bare_domains: rand() < 0.5,
        allow_subdomains: rand() < 0.5,
        default_user: rand() < 0.6 ? pick(USERS) : '',
        ttl,
        max_ttl: maxTtl,
        not_before_duration: pick([0, 30, 30, 120]),
        allow_empty_principals: rand() < 0.2,
      };
      const role = caRole(body);
      const defaultLeaseTtl = pick([600, 3600, 2_764_800]);
      const mountTtls: MountTtls = {
        defaultLeaseTtl,
        maxLeaseTtl: Math.max(defaultLeaseTtl, pick([3600, 86_400, 2_764_800])),
      };
      const request: Record<string, unknown> = { public_key: publicKey, cert_type: host ? 'host' : 'user' };
      const r = rand();
      if (r < 0.6) {
        const names = host ? subset(HOSTS) : subset(USERS);
        if (rand() < 0.3 && names.length > 0) names.push(names[0]!); // a duplicate
        request.valid_principals = names.map((n) => (rand() < 0.3 ? ` ${n} ` : n)).join(',');
      } else if (r < 0.7) {
        request.valid_principals = '';
      }
      if (rand() < 0.4) request.ttl = pick(DURATIONS);

      const now = FIXED_NOW + i;
      let result;
      try {
        result = sign(role, request, { mount: mountTtls, now, serial: BigInt(i), nonce: fixedNonce(i % 256) });
      } catch (e) {
        const message = (e as Error).message;
        if (!isRequestError(e) || !REQUEST_ERRORS.some((re) => re.test(message))) {
          throw new Error(`case ${i} (seed ${SEED}) ${JSON.stringify({ body, request })}: unexpected ${String(e)}`);
        }
        outcomes.refused++;
        continue;
      }
      outcomes.signed++;
      const cert = parseCertificate(result.signedKey);
      const context = `case ${i}: ${JSON.stringify({ body, request, mountTtls })}`;

      // TTL ≤ effective max, and the window is exactly ttl + not_before_duration
      const issuedTtl = Number(cert.validBefore) - now;
      const effectiveMax = role.maxTtl !== 0 ? role.maxTtl : mountTtls.maxLeaseTtl;
      expect(issuedTtl, context).toBeGreaterThan(0);
      expect(issuedTtl, context).toBeLessThanOrEqual(effectiveMax);
      expect(cert.validBefore - cert.validAfter, context).toBe(BigInt(issuedTtl + role.notBeforeDuration));
      if (request.ttl !== undefined && request.ttl !== 0) expect(issuedTtl, context).toBe(request.ttl);

      // principals sorted (Go byte order) and unique
      const principals = [...cert.principals];
      expect(principals, context).toEqual([...new Set(principals)].sort(compareGoStrings));
      if (principals.length === 0) {
        expect(role.allowEmptyPrincipals, context).toBe(true);
        outcomes.empty++;
        continue;
      }

      // principals ⊆ allowed (unless "*")
      const allowedRaw = host ? role.allowedDomains : role.allowedUsers;
      if (allowedRaw === '*') {
        outcomes.star++;
        continue;
      }
      const allowed = parseCommaList(allowedRaw);
      for (const p of principals) {
        if (host) {
          outcomes.host++;
          const ok = allowed.some(
            (d) => (p === d && role.allowBareDomains) || (role.allowSubdomains && p.endsWith(`.${d}`)),
          );
          expect(ok, `${context}: ${p}`).toBe(true);
        } else {
          expect(allowed, `${context}: ${p}`).toContain(p);
        }
      }
    }
    // the generator reaches every branch
    expect(outcomes.signed).toBeGreaterThan(100);
    expect(outcomes.refused).toBeGreaterThan(100);
    expect(outcomes.empty).toBeGreaterThan(0);
    expect(outcomes.star).toBeGreaterThan(0);
    expect(outcomes.host).toBeGreaterThan(0);
  });
});
