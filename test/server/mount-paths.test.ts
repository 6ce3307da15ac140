// Mount paths are normalised as Vault's sanitizePath does before every check (issue 13, finding 9):
// leading and trailing slashes cannot sneak a protected prefix (`sys/mounts//cubbyhole`) or the token
// method (`sys/auth//token`) past the guards, and a mount enabled as `//ssh2//` lands at `ssh2/`.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(() => server.close());

describe('sys/mounts', () => {
  it.each(['cubbyhole', 'sys', 'auth', 'audit', 'identity', 'sys/x'])(
    'refuses a protected prefix behind leading slashes: //%s',
    async (name) => {
      for (const path of [`/v1/sys/mounts//${name}`, `/v1/sys/mounts///${name}`, `/v1/sys/mounts/%2F${name}`]) {
        const r = await server.request('POST', path, { type: 'ssh' });
        expect(r.status).toBe(400);
        expect(r.json).toEqual({ errors: [`cannot mount "${name}/"`] });
      }
      const mounts = Object.keys((await server.request('GET', '/v1/sys/mounts')).json.data);
      expect(mounts).toEqual(['sys/']);
    },
  );

  it('mounts, reads, tunes and unmounts a path given with extra slashes at its canonical place', async () => {
    expect((await server.request('POST', '/v1/sys/mounts//ssh2', { type: 'ssh' })).status).toBe(204);
    expect(Object.keys((await server.request('GET', '/v1/sys/mounts')).json.data)).toEqual(['ssh2/', 'sys/']);
    expect((await server.request('POST', '/v1/sys/mounts/ssh2', { type: 'ssh' })).json).toEqual({
      errors: ['path is already in use at ssh2/'],
    });
    expect((await server.request('GET', '/v1/sys/mounts//ssh2')).json.data.type).toBe('ssh');
    expect((await server.request('POST', '/v1/sys/mounts//ssh2/tune', { max_lease_ttl: '2h' })).status).toBe(204);
    expect((await server.request('GET', '/v1/sys/mounts/ssh2/tune')).json.data.max_lease_ttl).toBe(7200);
    expect((await server.request('DELETE', '/v1/sys/mounts//ssh2')).status).toBe(204);
    expect(Object.keys((await server.request('GET', '/v1/sys/mounts')).json.data)).toEqual(['sys/']);
  });

  it('cannot unmount sys behind a leading slash', async () => {
    expect((await server.request('DELETE', '/v1/sys/mounts//sys')).json).toEqual({ errors: ['cannot unmount "sys/"'] });
  });
});

describe('sys/auth', () => {
  it('refuses the token method behind leading slashes', async () => {
    const r = await server.request('POST', '/v1/sys/auth//token', { type: 'userpass' });
    expect(r).toMatchObject({ status: 400, json: { errors: ['token credential backend cannot be instantiated'] } });
    expect((await server.request('DELETE', '/v1/sys/auth//token')).json).toEqual({
      errors: ['token credential backend cannot be disabled'],
    });
    expect(Object.keys((await server.request('GET', '/v1/sys/auth')).json.data)).toEqual(['token/']);
  });

  it('enables and disables userpass given with extra slashes at its canonical place', async () => {
    expect((await server.request('POST', '/v1/sys/auth//userpass', { type: 'userpass' })).status).toBe(204);
    expect(Object.keys((await server.request('GET', '/v1/sys/auth')).json.data)).toEqual(['token/', 'userpass/']);
    expect((await server.request('POST', '/v1/auth/userpass/users/a', { password: 'pw' })).status).toBe(204);
    expect((await server.request('POST', '/v1/auth/userpass/login/a', { password: 'pw' }, null)).status).toBe(200);
    expect((await server.request('DELETE', '/v1/sys/auth//userpass')).status).toBe(204);
    expect(Object.keys((await server.request('GET', '/v1/sys/auth')).json.data)).toEqual(['token/']);
  });
});
