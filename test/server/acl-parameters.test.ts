// Policy parameter constraints over real HTTP (issue 14): Vault's own ACL test tables
// (vault/acl_test.go TestACL_AllowOperation, TestACL_ValuePermissions) replayed as requests with
// the status Vault answers; the shared-role pattern refused for root and allowed for ubuntu, in
// parallel and after a restart; the audit log's denial; sys/capabilities* agreeing with decisions.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';
import { generateKeyPair } from '../../server/ssh/generate-key-pair.js';
import { FileStorage } from '../../server/storage/file-storage.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

const DENIED = { status: 403, json: { errors: ['1 error occurred:\n\t* permission denied\n\n'] } };
// An allowed request reaches the mount, which has no such path: Vault's router answers this after the ACL.
const PASSED = { status: 404, json: { errors: ['1 error occurred:\n\t* unsupported path\n\n'] } };

async function tokenFor(srv: TestServer, name: string, policy: string): Promise<string> {
  expect((await srv.request('POST', `/v1/sys/policies/acl/${name}`, { policy })).status).toBe(204);
  const r = await srv.request('POST', '/v1/auth/token/create', { policies: [name] });
  expect(r.status).toBe(200);
  return r.json.auth.client_token as string;
}

// vault/acl_test.go `permissionsPolicy`, verbatim.
const PERMISSIONS_POLICY = `
name = "dev"
path "dev/*" {
	policy = "write"
	allowed_parameters = {
		"zip" = []
	}
}
path "foo/bar" {
	policy = "write"
	denied_parameters = {
		"zap" = []
	}
	min_wrapping_ttl = 300
	max_wrapping_ttl = 400
}
path "foo/baz" {
	policy = "write"
	allowed_parameters = {
		"hello" = []
	}
	denied_parameters = {
		"zap" = []
	}
	min_wrapping_ttl = 300
}
path "working/phone" {
	policy = "write"
	max_wrapping_ttl = 400
}
path "broken/phone" {
	policy = "write"
	allowed_parameters = {
	  "steve" = []
	}
	denied_parameters = {
	  "steve" = []
	}
}
path "hello/world" {
	policy = "write"
	allowed_parameters = {
		"*" = []
	}
	denied_parameters = {
		"*" = []
	}
}
path "tree/fort" {
	policy = "write"
	allowed_parameters = {
		"*" = []
	}
	denied_parameters = {
		"foo" = []
	}
}
path "fruit/apple" {
	policy = "write"
	allowed_parameters = {
		"pear" = []
	}
	denied_parameters = {
		"*" = []
	}
}
path "cold/weather" {
	policy = "write"
	allowed_parameters = {}
	denied_parameters = {}
}
path "var/aws" {
	policy = "write"
	allowed_parameters = {
		"*" = []
	}
	denied_parameters = {
		"soft" = []
		"warm" = []
		"kitty" = []
	}
}
path "var/req" {
	policy = "write"
	required_parameters = ["foo"]
}
`;

// vault/acl_test.go `valuePermissionsPolicy`, verbatim.
const VALUE_PERMISSIONS_POLICY = `
name = "op"
path "dev/*" {
	policy = "write"
	allowed_parameters = {
		"allow" = ["good"]
	}
}
path "foo/bar" {
	policy = "write"
	denied_parameters = {
		"deny" = ["bad*"]
	}
}
path "foo/baz" {
	policy = "write"
	allowed_parameters = {
		"ALLOW" = ["good"]
	}
	denied_parameters = {
		"dEny" = ["bad"]
	}
}
path "fizz/buzz" {
	policy = "write"
	allowed_parameters = {
		"allow_multi" = ["good", "good1", "good2", "*good3"]
		"allow" = ["good"]
	}
	denied_parameters = {
		"deny_multi" = ["bad", "bad1", "bad2"]
	}
}
path "test/types" {
	policy = "write"
	allowed_parameters = {
		"map" = [{"good" = "one"}]
		"int" = [1, 2]
		"bool" = [false]
	}
	denied_parameters = {
	}
}
path "test/star" {
	policy = "write"
	allowed_parameters = {
		"*" = []
		"foo" = []
		"bar" = [false]
	}
	denied_parameters = {
	}
}
`;

describe("Vault's ACL parameter tables over HTTP", () => {
  let srv: TestServer;
  let permissions: string;
  let values: string;

  beforeAll(async () => {
    srv = await startTestServer();
    for (const mount of ['dev', 'foo', 'fizz', 'test', 'working', 'broken', 'hello', 'tree', 'fruit', 'cold', 'var']) {
      expect((await srv.request('POST', `/v1/sys/mounts/${mount}`, { type: 'ssh' })).status).toBe(204);
    }
    permissions = await tokenFor(srv, 'permissions', PERMISSIONS_POLICY);
    values = await tokenFor(srv, 'values', VALUE_PERMISSIONS_POLICY);
  });
  afterAll(() => srv.close());

  // TestACL_AllowOperation: every parameter sent as "". The rows with a wrapping TTL need
  // X-Vault-Wrap-TTL (response wrapping) and are proven in test/core/acl/parameters.test.ts;
  // unwrapped, a rule with a wrapping bound refuses, as here.
  const allowOperation: Array<[string, string[], boolean]> = [
    ['dev/ops', ['zip'], true],
    ['foo/bar', ['zap'], false],
    ['foo/bar', ['zip'], false], // min/max_wrapping_ttl and not wrapped
    ['foo/baz', ['hello'], false], // min_wrapping_ttl and not wrapped
    ['foo/baz', ['zap'], false],
    ['broken/phone', ['steve'], false],
    ['working/phone', [''], false], // max_wrapping_ttl and not wrapped
    ['hello/world', ['one'], false],
    ['tree/fort', ['one'], true],
    ['tree/fort', ['foo'], false],
    ['fruit/apple', ['pear'], false],
    ['fruit/apple', ['one'], false],
    ['cold/weather', ['four'], true],
    ['var/aws', ['cold', 'warm', 'kitty'], false],
    ['var/req', ['cold', 'warm', 'kitty'], false],
    ['var/req', ['cold', 'warm', 'kitty', 'foo'], true],
  ];
  it.each(allowOperation)('TestACL_AllowOperation: POST %s with %j → allowed %s', async (path, params, allowed) => {
    const body = Object.fromEntries(params.map((p) => [p, '']));
    expect(await srv.request('POST', `/v1/${path}`, body, permissions)).toMatchObject(allowed ? PASSED : DENIED);
  });

  // TestACL_ValuePermissions. Vault's Go test passes Go ints; over HTTP Vault decodes JSON numbers
  // as json.Number, which never equals a policy's int: both "int" rows are refused over HTTP.
  const valuePermissions: Array<[string, Record<string, unknown>, boolean]> = [
    ['dev/ops', { allow: 'good' }, true],
    ['dev/ops', { allow: 'bad' }, false],
    ['foo/bar', { deny: 'bad' }, false],
    ['foo/bar', { deny: 'bad glob' }, false],
    ['foo/bar', { deny: 'good' }, true],
    ['foo/bar', { allow: 'good' }, true],
    ['foo/bar', { deny: null }, true],
    ['foo/bar', { allow: null }, true],
    ['foo/baz', { aLLow: 'good' }, true],
    ['foo/baz', { deny: 'bad' }, false],
    ['foo/baz', { deny: 'good' }, false],
    ['foo/baz', { allow: 'good', deny: 'bad' }, false],
    ['foo/baz', { deNy: 'bad', allow: 'good' }, false],
    ['foo/baz', { aLLow: 'bad' }, false],
    ['foo/baz', { Neither: 'bad' }, false],
    ['foo/baz', { allow: null }, false],
    ['fizz/buzz', { allow_multi: 'good' }, true],
    ['fizz/buzz', { allow_multi: 'good1' }, true],
    ['fizz/buzz', { allow_multi: 'good2' }, true],
    ['fizz/buzz', { allow_multi: 'glob good2' }, false],
    ['fizz/buzz', { allow_multi: 'glob good3' }, true],
    ['fizz/buzz', { allow_multi: 'bad' }, false],
    ['fizz/buzz', { allow_multi: 'good1', allow: 'good' }, true],
    ['fizz/buzz', { deny_multi: 'bad2' }, false],
    ['fizz/buzz', { deny_multi: 'good', allow_multi: 'good2' }, false],
    ['test/types', { map: { good: 'one' } }, true],
    ['test/types', { map: { bad: 'one' } }, false],
    ['test/types', { int: 1 }, false], // Vault's Go test: true (a Go int); over HTTP a json.Number
    ['test/types', { int: 3 }, false],
    ['test/types', { bool: false }, true],
    ['test/types', { bool: true }, false],
    ['test/star', { anything: true }, true],
    ['test/star', { foo: true }, true],
    ['test/star', { bar: false }, true],
    ['test/star', { bar: true }, false],
    // The relaxed list matching of current Vault (valueIn*ParameterList): arrays and comma lists.
    ['fizz/buzz', { allow_multi: ['good', 'good1', 'x good3'] }, true],
    ['fizz/buzz', { allow_multi: ['good', 'bad'] }, false],
    ['fizz/buzz', { allow_multi: 'good, good1,good2' }, true],
    ['fizz/buzz', { allow_multi: 'good,bad' }, false],
    ['fizz/buzz', { allow_multi: '' }, true], // "" is an empty comma list: nothing to refuse
    ['fizz/buzz', { allow_multi: [] }, true],
    ['fizz/buzz', { deny_multi: ['good', 'bad1'] }, false],
    ['fizz/buzz', { deny_multi: 'ok,bad2' }, false],
    ['fizz/buzz', { deny_multi: 'ok,fine' }, false], // deny_multi is not an allowed parameter
    ['test/types', { bool: 'false' }, false], // a string never equals a bool
    ['test/types', { int: '1' }, false],
  ];
  it.each(valuePermissions)('TestACL_ValuePermissions: POST %s with %j → allowed %s', async (path, body, allowed) => {
    expect(await srv.request('POST', `/v1/${path}`, body, values)).toMatchObject(allowed ? PASSED : DENIED);
  });

  it('checks the query parameters of reads (current Vault) but not of lists and deletes', async () => {
    expect(await srv.request('GET', '/v1/dev/ops?allow=good', undefined, values)).toMatchObject(PASSED);
    expect(await srv.request('GET', '/v1/dev/ops?allow=bad', undefined, values)).toMatchObject(DENIED);
    expect(await srv.request('GET', '/v1/dev/ops?other=x', undefined, values)).toMatchObject(DENIED);
    expect((await srv.request('GET', '/v1/dev/ops?list=true&other=x', undefined, values)).status).not.toBe(403);
    expect((await srv.request('DELETE', '/v1/dev/ops?other=x', undefined, values)).status).not.toBe(403);
  });

  it('merges the same pattern across policies as Vault does (TestACL_PolicyMerge) and applies it', async () => {
    const token = await (async () => {
      await tokenFor(
        srv,
        'merge-a',
        'path "tree/*" { capabilities = ["update"] allowed_parameters = { "a" = ["x"] } }',
      );
      await tokenFor(
        srv,
        'merge-b',
        'path "tree/*" { capabilities = ["update"] allowed_parameters = { "a" = ["y"] "*" = [] } denied_parameters = { "d" = [] } }',
      );
      const r = await srv.request('POST', '/v1/auth/token/create', { policies: ['merge-a', 'merge-b'] });
      return r.json.auth.client_token as string;
    })();
    expect(await srv.request('POST', '/v1/tree/x', { a: 'x' }, token)).toMatchObject(PASSED);
    expect(await srv.request('POST', '/v1/tree/x', { a: 'y' }, token)).toMatchObject(PASSED);
    expect(await srv.request('POST', '/v1/tree/x', { a: 'z' }, token)).toMatchObject(DENIED);
    expect(await srv.request('POST', '/v1/tree/x', { other: 'z' }, token)).toMatchObject(PASSED);
    expect(await srv.request('POST', '/v1/tree/x', { d: 'z' }, token)).toMatchObject(DENIED);
  });

  it('applies constraints on sys/ paths too, merged with the default policy', async () => {
    const token = await tokenFor(
      srv,
      'caps-narrow',
      'path "sys/capabilities-self" { capabilities = ["update"] denied_parameters = { "paths" = ["secret/*"] } }',
    );
    const self = (body: unknown) => srv.request('POST', '/v1/sys/capabilities-self', body, token);
    expect((await self({ paths: ['ssh/sign/x'] })).status).toBe(200);
    expect(await self({ paths: ['secret/foo'] })).toMatchObject(DENIED);
    expect(await self({ paths: ['ssh/a', 'secret/b'] })).toMatchObject(DENIED);
    expect(await self({ paths: 'ssh/a,secret/b' })).toMatchObject(DENIED);
  });
});

const SHARED_POLICY = `path "ssh/sign/shared" {
  capabilities = ["update"]
  allowed_parameters = {
    "public_key" = []
    "valid_principals" = ["ubuntu"]
  }
}`;

async function setUpSharedRole(srv: TestServer): Promise<string> {
  expect((await srv.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh' })).status).toBe(204);
  expect((await srv.request('POST', '/v1/ssh/config/ca', { generate_signing_key: true })).status).toBe(200);
  const role = {
    key_type: 'ca',
    allow_user_certificates: true,
    allowed_users: 'ubuntu,root',
    default_user: 'ubuntu',
    ttl: '5m',
  };
  expect((await srv.request('POST', '/v1/ssh/roles/shared', role)).status).toBe(204);
  return tokenFor(srv, 'shared-signer', SHARED_POLICY);
}

const publicKey = generateKeyPair('ed25519', 0).publicKey;
const sign = (srv: TestServer, token: string, extra: Record<string, unknown>) =>
  srv.request('POST', '/v1/ssh/sign/shared', { public_key: publicKey, ...extra }, token);
const principalsOf = (r: { json: any }) => parseCertificate(r.json.data.signed_key).principals;

describe('the shared-role pattern (issue 14)', () => {
  let dir: string;
  let srv: TestServer | undefined;
  afterEach(async () => {
    await srv?.close();
    srv = undefined;
    if (dir) removeScratchDir(dir);
  });

  it('refuses root and allows ubuntu, as a single value or in a comma list, and logs the denial', async () => {
    dir = makeScratchDir('acl-shared');
    srv = await startTestServer();
    const token = await setUpSharedRole(srv);
    const audit = join(dir, 'audit.log');
    expect(
      (await srv.request('POST', '/v1/sys/audit/file', { type: 'file', options: { file_path: audit } })).status,
    ).toBe(204);

    expect(await sign(srv, token, { valid_principals: 'root' })).toMatchObject(DENIED);
    const lines = readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const denial = lines.at(-1);
    expect(denial).toMatchObject({
      type: 'response',
      error: 'permission denied',
      request: { path: 'ssh/sign/shared' },
    });

    const ok = await sign(srv, token, { valid_principals: 'ubuntu' });
    expect(ok.status).toBe(200);
    expect(principalsOf(ok)).toEqual(['ubuntu']);
    // The ACL lets an array of allowed values through; the endpoint's string field then refuses it.
    const array = await sign(srv, token, { valid_principals: ['ubuntu'] });
    expect(array.status).toBe(400);
    expect(array.json.errors[0]).toMatch(
      /^Field validation failed: error converting input \[ubuntu\] for field "valid_principals"/,
    );
    expect(await sign(srv, token, { valid_principals: 'ubuntu,root' })).toMatchObject(DENIED);
    expect(await sign(srv, token, { valid_principals: ['ubuntu', 'root'] })).toMatchObject(DENIED);
    expect(await sign(srv, token, { valid_principals: 'ubuntu', cert_type: 'host' })).toMatchObject(DENIED);
    // As in Vault: leaving valid_principals out passes the ACL, and the role then signs its default user.
    expect(principalsOf(await sign(srv, token, {}))).toEqual(['ubuntu']);
    // A root token is not bound by policies.
    expect((await sign(srv, srv.token, { valid_principals: 'root' })).status).toBe(200);
  });

  it('decides each of many parallel signs on its own parameters', async () => {
    srv = await startTestServer();
    const token = await setUpSharedRole(srv);
    const who = Array.from({ length: 64 }, (_, i) => (i % 2 === 0 ? 'root' : 'ubuntu'));
    const answers = await Promise.all(who.map((p) => sign(srv!, token, { valid_principals: p })));
    answers.forEach((r, i) => {
      if (who[i] === 'root') expect(r).toMatchObject(DENIED);
      else expect(principalsOf(r)).toEqual(['ubuntu']);
    });
  });

  it('keeps refusing root and allowing ubuntu after a restart (file storage)', async () => {
    dir = makeScratchDir('acl-restart');
    const storage = () => new FileStorage(join(dir, 'storage'));
    srv = await startTestServer({ storage: storage() });
    const token = await setUpSharedRole(srv);
    await srv.close();
    srv = await startTestServer({ storage: storage() });
    expect(await sign(srv, token, { valid_principals: 'root' })).toMatchObject(DENIED);
    expect(principalsOf(await sign(srv, token, { valid_principals: 'ubuntu' }))).toEqual(['ubuntu']);
  });
});

describe('sys/capabilities, sys/capabilities-self, sys/capabilities-accessor', () => {
  let srv: TestServer;
  let token: string;
  let accessor: string;
  beforeAll(async () => {
    srv = await startTestServer();
    token = await setUpSharedRole(srv);
    accessor = (await srv.request('GET', '/v1/auth/token/lookup-self', undefined, token)).json.data.accessor;
  });
  afterAll(() => srv.close());

  it('answers per path, `capabilities` for a single path, root as root', async () => {
    const r = await srv.request('POST', '/v1/sys/capabilities-self', { path: 'ssh/sign/shared' }, token);
    expect(r.status).toBe(200);
    expect(r.json.data).toEqual({ capabilities: ['update'], 'ssh/sign/shared': ['update'] });
    // Copied to the top level too, as Vault does for all three paths.
    expect(r.json.capabilities).toEqual(['update']);

    const many = await srv.request('POST', '/v1/sys/capabilities', {
      token,
      paths: ['ssh/sign/shared', 'ssh/roles/x', 'auth/token/lookup-self'],
    });
    expect(many.json['ssh/sign/shared']).toEqual(['update']);
    expect(many.json.data).toEqual({
      'auth/token/lookup-self': ['read'],
      'ssh/roles/x': ['deny'],
      'ssh/sign/shared': ['update'],
    });

    const byAccessor = await srv.request('POST', '/v1/sys/capabilities-accessor', {
      accessor,
      paths: 'ssh/sign/shared,sys/mounts',
    });
    expect(byAccessor.json.data).toEqual({ 'ssh/sign/shared': ['update'], 'sys/mounts': ['deny'] });
    expect(byAccessor.json['sys/mounts']).toEqual(['deny']);

    expect((await srv.request('POST', '/v1/sys/capabilities-self', { paths: ['any/path'] })).json.data).toEqual({
      'any/path': ['root'],
      capabilities: ['root'],
    });
  });

  it("agrees with the server's decisions", async () => {
    for (const path of ['ssh/sign/shared', 'ssh/sign/other', 'ssh/roles/shared', 'sys/mounts/x']) {
      const caps = (await srv.request('POST', '/v1/sys/capabilities-self', { path }, token)).json.data.capabilities;
      const write = await srv.request(
        'POST',
        `/v1/${path}`,
        { public_key: publicKey, valid_principals: 'ubuntu' },
        token,
      );
      expect(write.status === 403).toBe(!caps.includes('update'));
    }
  });

  it('refuses as Vault does', async () => {
    const wrapped = (m: string) => `1 error occurred:\n\t* ${m}\n\n`;
    expect(await srv.request('POST', '/v1/sys/capabilities-self', {})).toMatchObject({
      status: 400,
      json: { errors: ['paths must be supplied'] },
    });
    expect(await srv.request('POST', '/v1/sys/capabilities', { paths: ['a'] })).toMatchObject({
      status: 500,
      json: { errors: [wrapped('no token found')] },
    });
    expect(await srv.request('POST', '/v1/sys/capabilities', { token: 'nope', paths: ['a'] })).toMatchObject({
      status: 400,
      json: { errors: [wrapped('invalid token')] },
    });
    expect(await srv.request('POST', '/v1/sys/capabilities-accessor', { paths: ['a'] })).toMatchObject({
      status: 400,
      json: { errors: ['missing accessor'] },
    });
    expect(
      await srv.request('POST', '/v1/sys/capabilities-accessor', { accessor: 'nope', paths: ['a'] }),
    ).toMatchObject({
      status: 400,
      json: { errors: [wrapped('invalid accessor')] },
    });
    // The default policy lets a token ask about itself only.
    expect(await srv.request('POST', '/v1/sys/capabilities', { token, paths: ['a'] }, token)).toMatchObject(DENIED);
    expect((await srv.request('GET', '/v1/sys/capabilities-self')).status).toBe(405);
  });
});
