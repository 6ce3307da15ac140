// The pure claim rules of the JWT auth method (core/jwt-claims.ts, core/jwt-role.ts), table-driven
// against Vault's jwt plugin and hashicorp/cap: go-glob matching, the time window with leeways and
// clock skew, bound claims over strings, numbers, bools, lists and JSON pointers, the user claim,
// claim mappings, and the role write rules.

import { describe, expect, it } from 'vitest';
import {
  extractClaimMetadata,
  matchGlob,
  resolveClaim,
  resolveGroups,
  resolveUserClaim,
  validateBoundClaims,
  validateJwtClaims,
  validateUnboundAudience,
  type JwtExpectations,
} from '../../core/jwt-claims.js';
import {
  parseSignedDurationSeconds,
  resolveBoundClaimsType,
  resolveJwtRoleType,
  validateClaimMappings,
  validateGlobBoundClaims,
  validateJwtRoleConstraints,
} from '../../core/jwt-role.js';

const NOW = 1_800_000_000;

const expect0: JwtExpectations = {
  algorithm: 'RS256',
  supportedAlgorithms: [],
  issuer: '',
  subject: '',
  audiences: [],
  expirationLeeway: 0,
  notBeforeLeeway: 0,
  clockSkewLeeway: 0,
};

describe('matchGlob (ryanuber/go-glob)', () => {
  const cases: [string, string, boolean][] = [
    ['', '', true],
    ['', 'a', false],
    ['*', '', true],
    ['*', 'anything', true],
    ['main', 'main', true],
    ['main', 'mainline', false],
    ['refs/heads/*', 'refs/heads/main', true],
    ['refs/heads/*', 'refs/tags/v1', false],
    ['*/deploy', 'acme/deploy', true],
    ['*/deploy', 'acme/deployer', false],
    ['acme/*/prod', 'acme/x/y/prod', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['a*a', 'a', false],
    ['v?.*', 'v1.2', false], // `?` is literal
    ['**', 'x', true],
  ];
  it.each(cases)('%j against %j → %s', (pattern, subject, result) => {
    expect(matchGlob(pattern, subject)).toBe(result);
  });
});

describe('validateJwtClaims: registered claims', () => {
  const cases: [string, Record<string, unknown>, Partial<JwtExpectations>, string | undefined][] = [
    ['valid', { iat: NOW }, {}, undefined],
    ['issuer', { iat: NOW, iss: 'a' }, { issuer: 'b' }, 'invalid issuer (iss) claim'],
    ['subject', { iat: NOW, sub: 'a' }, { subject: 'b' }, 'invalid subject (sub) claim'],
    ['audience string', { iat: NOW, aud: 'x' }, { audiences: ['x'] }, undefined],
    ['audience list', { iat: NOW, aud: ['y', 'x'] }, { audiences: ['z', 'x'] }, undefined],
    [
      'audience miss',
      { iat: NOW, aud: ['y'] },
      { audiences: ['x'] },
      'invalid audience (aud) claim: audience claim does not match any expected audience',
    ],
    [
      'audience missing',
      { iat: NOW },
      { audiences: ['x'] },
      'invalid audience (aud) claim: audience claim does not match any expected audience',
    ],
    [
      'aud of numbers',
      { iat: NOW, aud: [1] },
      {},
      'go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience',
    ],
    [
      'iss a number',
      { iat: NOW, iss: 5 },
      {},
      'json: cannot unmarshal number into Go struct field Claims.iss of type string',
    ],
    ['exp a string', { exp: 'soon' }, {}, 'go-jose/go-jose/jwt: failed to unmarshal JSON NumericDate'],
    [
      'case-folded duplicate',
      { iat: NOW, SUB: 'x' },
      {},
      'ambiguous claim: key "SUB" collides with registered claim "sub" under case folding',
    ],
    [
      'long s folds to s',
      { iat: NOW, ſub: 'x' },
      {},
      'ambiguous claim: key "ſub" collides with registered claim "sub" under case folding',
    ],
    [
      'algorithm outside jwt_supported_algs',
      { iat: NOW },
      { algorithm: 'ES256', supportedAlgorithms: ['RS256'] },
      'invalid algorithm (alg) header parameter: token signed with unexpected algorithm',
    ],
    ['algorithm within the default set', { iat: NOW }, { algorithm: 'EdDSA' }, undefined],
  ];
  it.each(cases)('%s', (_, claims, expected, error) => {
    expect(validateJwtClaims(claims, { ...expect0, ...expected }, NOW)).toBe(error);
  });
});

describe('validateJwtClaims: the time window (cap: leeways, then clock skew)', () => {
  const expired = 'invalid expiration time (exp) claim: token is expired';
  const early = 'invalid not before (nbf) claim: token not yet valid';
  const future = 'invalid issued at (iat) claim: token issued in the future';
  const cases: [string, Record<string, unknown>, Partial<JwtExpectations>, string | undefined][] = [
    ['no time claim', {}, {}, 'no issued at (iat), not before (nbf), or expiration time (exp) claims in token'],
    ['exp within the 60 s skew', { exp: NOW - 60 }, {}, undefined],
    ['exp past the skew', { exp: NOW - 61 }, {}, expired],
    ['exp with skew disabled', { exp: NOW - 1 }, { clockSkewLeeway: -1 }, expired],
    ['exp with a 5 s skew', { exp: NOW - 5 }, { clockSkewLeeway: 5 }, undefined],
    ['nbf within the skew', { exp: NOW + 100, nbf: NOW + 60 }, {}, undefined],
    ['nbf past the skew', { exp: NOW + 100, nbf: NOW + 61 }, {}, early],
    ['iat in the future', { iat: NOW + 61, nbf: NOW - 5, exp: NOW + 600 }, {}, future],
    ['iat in the future without nbf: nbf is iat', { iat: NOW + 61, exp: NOW + 600 }, {}, early],
    // Without exp: exp = max(iat, nbf) + expiration leeway (150 by default).
    ['no exp: iat + 150 + 60', { iat: NOW - 210 }, {}, undefined],
    ['no exp: one second later', { iat: NOW - 211 }, {}, expired],
    ['no exp: nbf later than iat counts', { iat: NOW - 500, nbf: NOW - 210 }, {}, undefined],
    ['no exp: expiration leeway 10', { iat: NOW - 71 }, { expirationLeeway: 10 }, expired],
    ['no exp: expiration leeway -1', { iat: NOW - 60 }, { expirationLeeway: -1 }, undefined],
    ['no exp: expiration leeway -1, later', { iat: NOW - 61 }, { expirationLeeway: -1 }, expired],
    // Without nbf and iat: nbf = exp - not-before leeway (150 by default).
    ['no nbf/iat: exp far ahead', { exp: NOW + 211 }, {}, early],
    ['no nbf/iat: exp near', { exp: NOW + 210 }, {}, undefined],
    ['no nbf/iat: not-before leeway 1000', { exp: NOW + 900 }, { notBeforeLeeway: 1000 }, undefined],
    ['no nbf/iat: not-before leeway -1', { exp: NOW + 61 }, { notBeforeLeeway: -1 }, early],
    ['fractional dates are truncated, not rounded', { exp: NOW - 60.4 }, {}, expired],
  ];
  it.each(cases)('%s', (_, claims, expected, error) => {
    expect(validateJwtClaims(claims, { ...expect0, ...expected }, NOW)).toBe(error);
  });
});

describe('validateBoundClaims', () => {
  const claims = {
    project_path: 'infra/deploy',
    ref: 'main',
    groups: ['ops', 'dev'],
    ref_protected: true,
    project_id: 1234,
    nested: { a: { b: 'deep' }, list: ['x', 'y'], 'we/ird': 'slash', 'ti~lde': 't' },
    nothing: null,
  };
  const miss = (c: string) => `claim ${JSON.stringify(c)} does not match any associated bound claim values`;
  const cases: [string, 'string' | 'glob', Record<string, unknown>, string | undefined][] = [
    ['exact string', 'string', { project_path: 'infra/deploy' }, undefined],
    ['string is not a glob', 'string', { project_path: 'infra/*' }, miss('project_path')],
    ['glob', 'glob', { project_path: 'infra/*' }, undefined],
    ['glob miss', 'glob', { project_path: 'other/*' }, miss('project_path')],
    ['any of a bound list', 'string', { ref: ['dev', 'main'] }, undefined],
    ['a list claim: any member', 'string', { groups: 'dev' }, undefined],
    ['a list claim against a bound list', 'glob', { groups: ['adm*', 'op*'] }, undefined],
    ['bool', 'string', { ref_protected: true }, undefined],
    ['bool is not its string', 'string', { ref_protected: 'true' }, miss('ref_protected')],
    ['number', 'string', { project_id: 1234 }, undefined],
    ['number is not its string', 'string', { project_id: '1234' }, miss('project_id')],
    ['glob skips non-strings', 'glob', { project_id: '*' }, miss('project_id')],
    ['JSON pointer', 'string', { '/nested/a/b': 'deep' }, undefined],
    ['JSON pointer into a list', 'string', { '/nested/list/1': 'y' }, undefined],
    ['JSON pointer escapes', 'string', { '/nested/we~1ird': 'slash', '/nested/ti~0lde': 't' }, undefined],
    ['missing', 'string', { environment: 'prod' }, 'claim "environment" is missing'],
    ['null is missing', 'string', { nothing: 'x' }, 'claim "nothing" is missing'],
    ['missing pointer', 'string', { '/nested/zzz': 'x' }, 'claim "/nested/zzz" is missing'],
    [
      'an object claim',
      'string',
      { nested: 'x' },
      'received claim is not a string, bool, int or list: map[a:map[b:deep] list:[x y] ti~lde:t we/ird:slash]',
    ],
    ['an object bound value', 'string', { ref: { a: 1 } }, 'bound claim is not a string, bool, int or list: map[a:1]'],
  ];
  it.each(cases)('%s', (_, type, bound, error) => {
    expect(validateBoundClaims(type, bound, claims)).toBe(error);
  });

  it('resolveClaim turns numbers into integers as Vault does', () => {
    expect(resolveClaim({ n: 12.9 }, 'n')).toEqual({ goNumber: '12' });
    expect(validateBoundClaims('string', { n: 12 }, { n: 12.9 })).toBeUndefined();
  });
});

describe('user claim, claim mappings, groups, audience rule', () => {
  it('resolveUserClaim', () => {
    expect(resolveUserClaim({ sub: 'a' }, 'sub', false)).toEqual({ name: 'a' });
    expect(resolveUserClaim({}, 'sub', false)).toEqual({ error: 'claim "sub" not found in token' });
    expect(resolveUserClaim({ sub: 1 }, 'sub', false)).toEqual({
      error: 'claim "sub" could not be converted to string',
    });
    // Without user_claim_json_pointer, a leading slash is part of the claim name.
    expect(resolveUserClaim({ a: { b: 'x' } }, '/a/b', false)).toEqual({ error: 'claim "/a/b" not found in token' });
    expect(resolveUserClaim({ a: { b: 'x' } }, '/a/b', true)).toEqual({ name: 'x' });
  });

  it('extractClaimMetadata', () => {
    expect(extractClaimMetadata({ ref: 'main', n: { p: 'q' } }, { ref: 'branch', '/n/p': 'p', absent: 'z' })).toEqual({
      metadata: { branch: 'main', p: 'q' },
    });
    expect(extractClaimMetadata({ n: 5 }, { n: 'n' })).toEqual({ error: "error converting claim 'n' to string" });
  });

  it('resolveGroups', () => {
    expect(resolveGroups({ g: ['a', '', 'b'] }, 'g')).toEqual({ groups: ['a', 'b'] });
    expect(resolveGroups({ g: 'a' }, 'g')).toEqual({ groups: ['a'] });
    expect(resolveGroups({}, 'g')).toEqual({ error: 'failed to fetch groups: "g" claim not found in token' });
    expect(resolveGroups({ g: { a: 1 } }, 'g')).toEqual({ error: '"g" claim could not be converted to string list' });
    expect(resolveGroups({ g: ['a', 1] }, 'g')).toEqual({
      error: 'value 1 in groups claim could not be parsed as string',
    });
  });

  it('validateUnboundAudience', () => {
    const refused = 'audience claim found in JWT but no audiences bound to the role';
    expect(validateUnboundAudience([], { aud: 'x' })).toBe(refused);
    expect(validateUnboundAudience([], { aud: ['x'] })).toBe(refused);
    expect(validateUnboundAudience([], { aud: [] })).toBeUndefined();
    expect(validateUnboundAudience([], { aud: '' })).toBeUndefined();
    expect(validateUnboundAudience(['y'], { aud: 'x' })).toBeUndefined();
  });
});

describe('role write rules', () => {
  it('role type and bound claims type defaults', () => {
    expect(resolveJwtRoleType(undefined)).toBe('oidc');
    expect(resolveJwtRoleType('')).toBe('oidc');
    expect(resolveJwtRoleType('jwt')).toBe('jwt');
    expect(resolveJwtRoleType('x')).toEqual({ error: "invalid 'role_type': x" });
    expect(resolveBoundClaimsType(undefined)).toBe('string');
    expect(resolveBoundClaimsType('x')).toEqual({ error: "invalid 'bound_claims_type': x" });
  });

  it('signed durations', () => {
    expect(parseSignedDurationSeconds('-1')).toBe(-1);
    expect(parseSignedDurationSeconds(-1)).toBe(-1);
    expect(parseSignedDurationSeconds('2m30s')).toBe(150);
    expect(parseSignedDurationSeconds('x')).toEqual({ error: 'time: invalid duration "x"' });
  });

  it('glob values and claim mappings', () => {
    expect(validateGlobBoundClaims({ a: 'x*', b: ['y', 'z*'] })).toBeUndefined();
    expect(validateGlobBoundClaims({ a: true })).toBe('claim is not a string: true');
    expect(validateClaimMappings({ a: 'x', b: 'y' })).toBeUndefined();
    expect(validateClaimMappings({ a: 'role' })).toBe(
      'metadata key "role" is reserved and may not be a mapping destination',
    );
  });

  it('constraints, in Vault’s order', () => {
    const base = {
      roleType: 'jwt' as const,
      userClaim: 'sub',
      allowedRedirectUris: [],
      boundAudiences: [],
      boundSubject: '',
      boundClaims: {},
      tokenBoundCidrs: [],
      tokenTtl: 0,
      tokenMaxTtl: 0,
    };
    expect(validateJwtRoleConstraints({ ...base, userClaim: '' })).toBe('a user claim must be defined on the role');
    expect(validateJwtRoleConstraints(base)).toBe(
      'must have at least one bound constraint when creating/updating a role',
    );
    for (const bound of [
      { boundAudiences: ['a'] },
      { boundSubject: 's' },
      { boundClaims: { a: 'b' } },
      { tokenBoundCidrs: ['10.0.0.0/8'] },
    ]) {
      expect(validateJwtRoleConstraints({ ...base, ...bound })).toBeUndefined();
    }
    expect(validateJwtRoleConstraints({ ...base, roleType: 'oidc' })).toBe(
      "'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.",
    );
    expect(validateJwtRoleConstraints({ ...base, roleType: 'oidc', allowedRedirectUris: ['u'] })).toBeUndefined();
    expect(validateJwtRoleConstraints({ ...base, boundSubject: 's', tokenTtl: 10, tokenMaxTtl: 5 })).toBe(
      'ttl should not be greater than max ttl',
    );
  });
});
