// Benchmark (not a test): certificates per second through the core signer for an ed25519 and an
// RSA-4096 CA, beside the raw node:crypto signature rate over the same bytes and `ssh-keygen -s`
// (one process per certificate, as scripts that shell out to it do), measured in one run.
// Targets: ed25519 core signing ≥ 50 % of the raw rate, ≥ 10,000 certificates/s, ≥ 50× ssh-keygen.
//
// Run: npm run bench:sign

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, sign as cryptoSign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeToBeSigned } from '../core/cert/certificate.js';
import { generateKeyPair, type GeneratedKeyPair } from '../core/keys/ca-key.js';
import { parseSshPublicKey } from '../core/keys/public-key.js';
import { parseRoleWrite } from '../core/role.js';
import { parseSignRequest, signWithRole, type SignInput } from '../core/sign.js';

const SECONDS_PER_MEASURE = Number(process.env.BENCH_SECONDS ?? 2);
const SSH_KEYGEN_RUNS = Number(process.env.BENCH_SSH_KEYGEN_RUNS ?? 40);

/** Operations per second of `op`, after a short warm-up, over SECONDS_PER_MEASURE. */
function rate(op: () => void): number {
  for (let i = 0; i < 200; i++) op();
  const budget = BigInt(Math.round(SECONDS_PER_MEASURE * 1e9));
  const start = process.hrtime.bigint();
  let n = 0;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 50; i++) op();
    n += 50;
    elapsed = process.hrtime.bigint() - start;
  }
  return n / (Number(elapsed) / 1e9);
}

function sshKeygenRate(dir: string, ca: GeneratedKeyPair, userPub: string): number {
  const caPath = join(dir, 'ca');
  const keyPath = join(dir, 'user.pub');
  writeFileSync(caPath, ca.privateKey, { mode: 0o600 });
  writeFileSync(keyPath, userPub);
  const args = [
    '-q',
    '-s',
    caPath,
    '-I',
    'bench',
    '-n',
    'ubuntu',
    '-V',
    '-30s:+1h',
    '-O',
    'clear',
    '-O',
    'permit-pty',
    keyPath,
  ];
  execFileSync('ssh-keygen', args); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < SSH_KEYGEN_RUNS; i++) execFileSync('ssh-keygen', args);
  return SSH_KEYGEN_RUNS / (Number(process.hrtime.bigint() - start) / 1e9);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'sshca-bench-'));
  try {
    const user = generateKeyPair('ed25519', 0);
    const role = parseRoleWrite({
      key_type: 'ca',
      allow_user_certificates: true,
      allowed_users: 'ubuntu,ec2-user',
      default_user: 'ubuntu',
      ttl: '1h',
      default_extensions: { 'permit-pty': '' },
    });
    const { request } = parseSignRequest({ public_key: user.publicKey });
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const sshVersion = spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim();
    console.log(`bench/sign: ${cpus().length} × ${cpu}, Node ${process.version}, ${sshVersion || 'OpenSSH'}`);
    console.log(`(${SECONDS_PER_MEASURE} s per in-process figure, ${SSH_KEYGEN_RUNS} ssh-keygen processes per CA)\n`);

    for (const [label, keyType, bits] of [
      ['ed25519 CA', 'ed25519', 0],
      ['RSA-4096 CA', 'rsa', 4096],
    ] as const) {
      const ca = generateKeyPair(keyType, bits);
      const input = (): SignInput => ({
        roleName: 'developer',
        role,
        request,
        mount: { defaultLeaseTtl: 3600, maxLeaseTtl: 86400 },
        requester: { displayName: 'bench' },
        ca: ca.caKey,
        now: Math.floor(Date.now() / 1000),
        serial: randomBytes(8).readBigUInt64BE(0),
        nonce: randomBytes(32),
      });
      const sample = input();
      const tbs = encodeToBeSigned(parseSshPublicKey(user.publicKey), ca.caKey, {
        certType: 'user',
        keyId: 'developer-bench-0000000000000000000000000000000000000000000000000000000000000000',
        principals: ['ubuntu'],
        validAfter: BigInt(sample.now - 30),
        validBefore: BigInt(sample.now + 3600),
        criticalOptions: {},
        extensions: { 'permit-pty': '' },
        serial: sample.serial,
        nonce: sample.nonce,
      });
      const hash = ca.caKey.family === 'rsa' ? 'sha256' : null;
      const core = rate(() => signWithRole(input()));
      const raw = rate(() => cryptoSign(hash, tbs, ca.caKey.privateKey));
      const keygen = sshKeygenRate(dir, ca, user.publicKey);
      console.log(`${label}:`);
      console.log(`  core signer (sshca, full Vault policy + encoding): ${fmt(core)} certificates/s`);
      console.log(`  raw node:crypto signature over the same ${tbs.length} bytes: ${fmt(raw)} signatures/s`);
      console.log(`  ssh-keygen -s, one process per certificate:        ${fmt(keygen)} certificates/s`);
      console.log(
        `  core / raw = ${((100 * core) / raw).toFixed(1)} %   core / ssh-keygen = ${(core / keygen).toFixed(1)}×`,
      );
      if (keyType === 'ed25519') {
        const ok = core / raw >= 0.5 && core >= 10_000 && core / keygen >= 50;
        console.log(`  target (≥ 50 % of raw, ≥ 10,000/s, ≥ 50× ssh-keygen): ${ok ? 'met' : 'NOT met'}`);
      }
      console.log('');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
