// Identity templates in signing over real HTTP (issue 18): one role with templated principals lets
// each userpass user sign only for their own name (default and explicit), with Vault's refusal; the
// certificate logs into a real sshd for alice and not for bob; entity metadata in allowed users and
// templated default extensions; a missing value fails with Vault's wrapped message (400 for allowed
// users, 500 for the default user); the root token keeps templates literal; key_id_format renders
// only Vault's three substitutions, never identity templates.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/cert/certificate.js';
import { SKIPPED_EXTENSIONS_WARNING } from '../../core/policy/options.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { sshLogin } from '../helpers/ssh-client.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { ensureTestUser } from '../helpers/test-user.js';
import { mountSshCa, startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;
let dir: string;
let accessor: string;
let caKey: string;
let publicKey: string;
let identityFile: string;
const tokens: Record<string, string> = {};
const entities: Record<string, string> = {};

beforeAll(async () => {
  dir = makeScratchDir('identity-templates');
  server = await startTestServer();
  const ok = async (path: string, body: unknown) => {
    const r = await server.request('POST', path, body);
    if (r.status >= 300) throw new Error(`POST ${path}: ${r.status} ${r.body}`);
    return r.json;
  };
  await ok('/v1/sys/auth/userpass', { type: 'userpass' });
  accessor = (await server.request('GET', '/v1/sys/auth')).json.data['userpass/'].accessor;
  const own = `{{identity.entity.aliases.${accessor}.name}}`;
  caKey = await mountSshCa(server, 'ssh', {
    own: {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users_template: true,
      allowed_users: own,
      default_user_template: true,
      default_user: own,
      ttl: '5m',
    },
    'by-metadata': {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users_template: true,
      allowed_users: '{{identity.entity.metadata.ssh_users}}',
      default_user: 'deploy',
      default_extensions_template: true,
      default_extensions: { 'permit-pty': '', 'login@example.com': `{{identity.entity.aliases.${accessor}.name}}` },
      key_id_format: '{{role_name}}-{{token_display_name}}-{{identity.entity.name}}',
      ttl: '5m',
    },
    'default-missing': {
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: '*',
      default_user_template: true,
      default_user: '{{identity.entity.metadata.nope}}',
      ttl: '5m',
    },
  });
  await ok('/v1/sys/policies/acl/signer', { policy: 'path "ssh/sign/*" { capabilities = ["update"] }' });
  for (const user of ['alice', 'bob']) {
    await ok(`/v1/auth/userpass/users/${user}`, { password: `${user}-pw`, token_policies: 'signer' });
    const auth = (await server.request('POST', `/v1/auth/userpass/login/${user}`, { password: `${user}-pw` }, null))
      .json.auth;
    tokens[user] = auth.client_token;
    entities[user] = auth.entity_id;
  }
  await ok(`/v1/identity/entity/id/${entities.alice}`, {
    name: 'alice-entity',
    metadata: { ssh_users: 'alice,deploy' },
  });
  identityFile = join(dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityFile]);
  publicKey = readFileSync(`${identityFile}.pub`, 'utf8').trim();
});

afterAll(async () => {
  await server?.close();
  removeScratchDir(dir);
});

const sign = (token: string, role: string, body: Record<string, unknown> = {}) =>
  server.request('POST', `/v1/ssh/sign/${role}`, { public_key: publicKey, ...body }, token);
const principalsOf = (r: { json: { data: { signed_key: string } } }) =>
  parseCertificate(r.json.data.signed_key).principals;

describe('a role with templated principals', () => {
  it.each([
    ['alice', 'bob'],
    ['bob', 'alice'],
  ])('lets %s sign for their own name only', async (user, other) => {
    const byDefault = await sign(tokens[user]!, 'own');
    expect(byDefault.status).toBe(200);
    expect(principalsOf(byDefault)).toEqual([user]);
    const explicit = await sign(tokens[user]!, 'own', { valid_principals: user });
    expect(principalsOf(explicit)).toEqual([user]);
    expect(await sign(tokens[user]!, 'own', { valid_principals: other })).toMatchObject({
      status: 400,
      json: { errors: [`${other} is not a valid value for valid_principals`] },
    });
    expect(await sign(tokens[user]!, 'own', { valid_principals: `${user},${other}` })).toMatchObject({
      status: 400,
      json: { errors: [`${other} is not a valid value for valid_principals`] },
    });
  });

  it('keeps templates literal for the root token, which has no entity', async () => {
    const literal = `{{identity.entity.aliases.${accessor}.name}}`;
    expect(principalsOf(await sign(server.token, 'own'))).toEqual([literal]);
    expect(await sign(server.token, 'own', { valid_principals: 'alice' })).toMatchObject({
      status: 400,
      json: { errors: ['alice is not a valid value for valid_principals'] },
    });
  });

  it("logs alice into a real sshd with her certificate, and not bob's", async () => {
    const account = await ensureTestUser();
    let hosts: SshdHost[] = [];
    try {
      hosts = await startSshdHosts([
        { name: 'identity', address: '127.0.0.2', trustedUserCaKeys: [caKey], principals: { [account]: ['alice'] } },
      ]);
      const login = async (user: string) => {
        const cert = join(dir, `${user}-cert.pub`);
        writeFileSync(cert, (await sign(tokens[user]!, 'own')).json.data.signed_key);
        return sshLogin({ host: hosts[0]!, user: account, identityFile, certificateFile: cert, command: 'echo in' });
      };
      expect(await login('alice')).toEqual({ code: 0, stdout: 'in\n', stderr: '' });
      expect((await login('bob')).code).toBe(255);
    } finally {
      await stopAll(hosts);
    }
  });
});

describe('entity metadata, extensions and key ids', () => {
  it('renders allowed users from entity metadata and templated default extensions', async () => {
    const r = await sign(tokens.alice!, 'by-metadata', { valid_principals: 'alice,deploy' });
    expect(r.status).toBe(200);
    const cert = parseCertificate(r.json.data.signed_key);
    expect(cert.principals).toEqual(['alice', 'deploy']);
    expect(cert.extensions).toEqual({ 'login@example.com': 'alice', 'permit-pty': '' });
    // Vault's key_id_format knows token_display_name, role_name and public_key_hash only.
    expect(cert.keyId).toBe('by-metadata-userpass-alice-{{identity.entity.name}}');
    expect(r.json.warnings).toBeNull();
  });

  it("fails with Vault's wrapped message when a value is missing", async () => {
    const tpl = '{{identity.entity.metadata.ssh_users}}';
    expect(await sign(tokens.bob!, 'by-metadata')).toMatchObject({
      status: 400,
      json: {
        errors: [
          `template '${tpl}' could not be rendered -> no value could be found for one of the template directives`,
        ],
      },
    });
    expect(await sign(tokens.alice!, 'default-missing')).toMatchObject({
      status: 500,
      json: {
        errors: [
          "1 error occurred:\n\t* template '{{identity.entity.metadata.nope}}' could not be rendered -> no value could be found for one of the template directives\n\n",
        ],
      },
    });
  });

  it('skips templated default extensions for the root token with a warning', async () => {
    const tpl = '{{identity.entity.metadata.ssh_users}}';
    expect(await sign(server.token, 'by-metadata', { valid_principals: 'deploy' })).toMatchObject({
      status: 400,
      json: { errors: ['deploy is not a valid value for valid_principals'] },
    });
    const r = await sign(server.token, 'by-metadata', { valid_principals: tpl });
    expect(r.status).toBe(200);
    const cert = parseCertificate(r.json.data.signed_key);
    expect(cert.principals).toEqual([tpl]);
    expect(cert.extensions).toEqual({ 'permit-pty': '' });
    expect(cert.keyId).toBe('by-metadata-root-{{identity.entity.name}}');
    expect(r.json.warnings).toEqual([SKIPPED_EXTENSIONS_WARNING]);
  });
});
