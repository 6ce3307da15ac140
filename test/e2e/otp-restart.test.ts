// OTP logins across a restart of the backend, end to end: the embedded server keeps its state in a
// data directory (durable file storage, as `sshca serve --data-dir`) and is stopped and started again
// on the same address between issuing an OTP and using it, and between its use and its reuse. A real
// sshd on loopback whose own PAM service runs the shipped helper asks it; the real ssh types the OTP.

import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FileStorage } from '../../server/storage/file-storage.js';
import { VaultServer } from '../../server/vault-server.js';
import { makeScratchDir, removeScratchDir } from '../helpers/scratch.js';
import { startSshdHosts, stopAll, type SshdHost } from '../helpers/sshd.js';
import { otpAuthLine, sshOtpLogin, writeOtpHelperConfig } from '../helpers/sshd-otp.js';
import { ensureTestUser } from '../helpers/test-user.js';

const ROOT_TOKEN = 'otp-restart-root';

let dir: string;
let user: string;
let port = 0;
let running: { server: VaultServer; listener: Server } | undefined;
let hosts: SshdHost[] = [];

/** Start the backend on its data directory, on the port of the first start. */
async function start(): Promise<void> {
  const server = await VaultServer.open({
    storage: new FileStorage(join(dir, 'data')),
    version: '0.0.0-test',
    log: () => {},
  });
  if (!(await server.tokens.initialized())) await server.tokens.createRoot(ROOT_TOKEN);
  const { server: listener, url } = await server.listen('127.0.0.1', port);
  port = Number(new URL(url).port);
  running = { server, listener };
}

async function stop(): Promise<void> {
  if (running) await running.server.close(running.listener);
  running = undefined;
}

const request = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`http://127.0.0.1:${port}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': ROOT_TOKEN },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.status, json: (r.status === 204 ? undefined : await r.json()) as any };
};

beforeAll(async () => {
  dir = makeScratchDir('otp-restart');
  user = await ensureTestUser();
  await start();
  expect((await request('POST', 'sys/mounts/ssh', { type: 'ssh' })).status).toBe(204);
  const role = { key_type: 'otp', default_user: user, cidr_list: '127.0.0.0/8' };
  expect((await request('POST', 'ssh/roles/otp', role)).status).toBe(204);
  const config = writeOtpHelperConfig(dir, { vault_addr: `http://127.0.0.1:${port}`, allowed_roles: 'otp' });
  hosts = await startSshdHosts([
    {
      name: 'otp-restart',
      address: '127.0.0.45',
      trustedUserCaKeys: [],
      principals: {},
      pam: { auth: [otpAuthLine({ config, log: join(dir, 'helper.log'), dev: true })] },
    },
  ]);
});

afterAll(async () => {
  await stopAll(hosts);
  await stop();
  if (dir) removeScratchDir(dir);
});

it('logs in with an OTP issued before a restart, once; its reuse after another restart is refused', async () => {
  const [host] = hosts;
  const issued = await request('POST', 'ssh/creds/otp', { ip: host!.address });
  expect(issued.status).toBe(200);
  const otp: string = issued.json.data.key;

  await stop();
  await start();
  const first = await sshOtpLogin({ host: host!, user, otp, command: 'echo in' });
  expect(first.code).toBe(0);
  expect(first.stdout).toBe('in\n');

  await stop();
  await start();
  const again = await sshOtpLogin({ host: host!, user, otp });
  expect(again.code).toBe(255);
  expect(again.stderr).toContain(`${user}@${host!.address}: Permission denied`);
  const log = readFileSync(join(dir, 'helper.log'), 'utf8');
  expect(log).toMatch(new RegExp(`accepted user=${user} ip=127\\.0\\.0\\.45 role=otp`));
  expect(log).toMatch(new RegExp(`refused user=${user}: OTP not found`));
  expect(log).not.toContain(otp);
});

it('refuses an OTP whose lease was revoked before a restart', async () => {
  const [host] = hosts;
  const issued = await request('POST', 'ssh/creds/otp', { ip: host!.address });
  expect((await request('PUT', 'sys/leases/revoke', { lease_id: issued.json.lease_id })).status).toBe(204);
  await stop();
  await start();
  const r = await sshOtpLogin({ host: host!, user, otp: issued.json.data.key });
  expect(r.code).toBe(255);
});
