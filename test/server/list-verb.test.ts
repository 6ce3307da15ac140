// Vault's LIST verb, which Node 20's HTTP parser refuses: parseListRequest recovers a whole LIST
// request from the refused bytes, and the server answers it over a raw socket (then closes the
// connection); what cannot be recovered still gets a clear 405, never a hang.

import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseListRequest } from '../../server/http/list-verb.js';
import { startTestServer, type TestServer } from '../helpers/vault-server.js';

describe('parseListRequest', () => {
  const parse = (text: string) => parseListRequest(Buffer.from(text, 'latin1'));

  it('recovers the URL, lower-cased headers (repeats joined) and a Content-Length body', () => {
    expect(parse('LIST /v1/ssh/roles HTTP/1.1\r\nHost: x\r\nX-Vault-Token:  t1 \r\n\r\n')).toEqual({
      url: '/v1/ssh/roles',
      headers: { host: 'x', 'x-vault-token': 't1' },
      body: Buffer.alloc(0),
    });
    expect(
      parse('LIST /v1/ssh/roles/?a=b HTTP/1.0\r\nAccept: a\r\naccept: b\r\nContent-Length: 2\r\n\r\n{}GET / HTTP/1.1'),
    ).toEqual({
      url: '/v1/ssh/roles/?a=b',
      headers: { accept: 'a, b', 'content-length': '2' },
      body: Buffer.from('{}'),
    });
  });

  it('refuses anything that is not one whole LIST request', () => {
    for (const text of [
      'LIST /v1/ssh/roles HTTP/1.1\r\nHost: x\r\n', // headers not finished
      'LIST /v1/ssh/roles HTTP/1.1\r\nContent-Length: 5\r\n\r\n{}', // body not all there
      'LIST /v1/ssh/roles HTTP/1.1\r\nContent-Length: -1\r\n\r\n',
      'LIST /v1/ssh/roles HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'LIST /v1/ssh/roles HTTP/1.1\r\nno colon\r\n\r\n',
      'LIST /v1/ssh/roles HTTP/1.1\r\n : empty name\r\n\r\n',
      'LIST /v1/ssh/roles HTTP/2\r\n\r\n',
      'LIST v1/ssh/roles HTTP/1.1\r\n\r\n',
      'ST /v1/ssh/roles HTTP/1.1\r\n\r\n',
      'FOO /v1/ssh/roles HTTP/1.1\r\n\r\n',
    ]) {
      expect(parse(text)).toBeUndefined();
    }
  });
});

describe('LIST over a raw socket', () => {
  let srv: TestServer;

  beforeAll(async () => {
    srv = await startTestServer();
    await srv.request('POST', '/v1/sys/mounts/ssh', { type: 'ssh' });
    await srv.request('POST', '/v1/ssh/roles/dev', { key_type: 'ca', allow_user_certificates: true });
  });

  afterAll(() => srv.close());

  /** Write `chunks` (pausing between them) and collect everything until the server closes. */
  function exchange(chunks: readonly string[]): Promise<string> {
    const { port } = new URL(srv.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      socket.setNoDelay(true);
      let received = '';
      socket.setEncoding('latin1').on('data', (d: string) => (received += d));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
      socket.setTimeout(5000, () => reject(new Error(`no answer; got ${JSON.stringify(received)}`)));
      socket.on('connect', async () => {
        for (const [i, chunk] of chunks.entries()) {
          if (i > 0) await sleep(100);
          socket.write(chunk);
        }
      });
    });
  }

  const split = (response: string) => {
    const [head = '', body = ''] = response.split('\r\n\r\n');
    return { lines: head.split('\r\n'), body };
  };

  it("answers a LIST like GET ?list=true, with Connection: close, after a keep-alive request's answer", async () => {
    const get = 'GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\n';
    const list = `LIST /v1/ssh/roles HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${srv.token}\r\n\r\n`;
    const response = await exchange([get, list]);
    const second = response.slice(response.indexOf('HTTP/1.1', 1));
    const { lines, body } = split(second);
    expect(lines[0]).toBe('HTTP/1.1 200 OK');
    expect(lines).toContain('Connection: close');
    expect(lines).toContain('Content-Type: application/json');
    expect(JSON.parse(body)).toMatchObject({
      data: { keys: ['dev'], key_info: { dev: { key_type: 'ca' } } },
      mount_type: 'ssh',
    });
  });

  it('authenticates a LIST like any request', async () => {
    const { lines, body } = split(await exchange(['LIST /v1/ssh/roles HTTP/1.1\r\nHost: x\r\n\r\n']));
    expect(lines[0]).toBe('HTTP/1.1 403 Forbidden');
    expect(body).toBe('{"errors":["1 error occurred:\\n\\t* permission denied\\n\\n"]}');
  });

  it('refuses a LIST whose request line arrives split, and unknown verbs, with a clear 405', async () => {
    for (const chunks of [
      ['LI', `ST /v1/ssh/roles HTTP/1.1\r\nX-Vault-Token: ${srv.token}\r\n\r\n`],
      [`FOO /v1/ssh/roles HTTP/1.1\r\nX-Vault-Token: ${srv.token}\r\n\r\n`],
    ]) {
      const { lines, body } = split(await exchange(chunks));
      expect(lines[0]).toBe('HTTP/1.1 405 Method Not Allowed');
      expect(body).toBe('{"errors":["unsupported HTTP method; for LIST use GET with ?list=true"]}');
    }
  });
});
