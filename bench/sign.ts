// Benchmark (not a test): certificates per second through the core signer for an ed25519 and an
// RSA-4096 CA, beside the raw node:crypto signature rate over the same bytes and `ssh-keygen -s`
// (one process per certificate, as scripts that shell out to it do), measured in one run.
// Targets: ed25519 core signing ≥ 50 % of the raw rate, ≥ 10,000 certificates/s, ≥ 50× ssh-keygen.
//
// Run: npm run bench:sign

import { execFileSync, spawnSync } from 'node:child_process';
import { sign as cryptoSign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeToBeSigned } from '../core/cert/certificate.js';
import type { GeneratedKeyPair } from '../core/keys/ca-key.js';
import { generateKeyPair } from '../server/ssh/generate-key-pair.js';
import { parseSshPublicKey } from '../core/keys/public-key.js';
import { coreSignInput, coreSignRate, fmt, rate } from './core-signing.js';

const SECONDS_PER_MEASURE = Number(process.env.BENCH_SECONDS ?? 2);
const SSH_KEYGEN_RUNS = Number(process.env.BENCH_SSH_KEYGEN_RUNS ?? 40);

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

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'sshca-bench-'));
  try {
    const user = generateKeyPair('ed25519', 0);
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const sshVersion = spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim();
    console.log(`bench/sign: ${cpus().length} × ${cpu}, Node ${process.version}, ${sshVersion || 'OpenSSH'}`);
    console.log(`(${SECONDS_PER_MEASURE} s per in-process figure, ${SSH_KEYGEN_RUNS} ssh-keygen processes per CA)\n`);

    for (const [label, keyType, bits] of [
      ['ed25519 CA', 'ed25519', 0],
      ['RSA-4096 CA', 'rsa', 4096],
    ] as const) {
      const ca = generateKeyPair(keyType, bits);
      const input = coreSignInput(ca, user.publicKey);
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
      const core = coreSignRate(ca, user.publicKey, SECONDS_PER_MEASURE);
      const raw = rate(() => cryptoSign(hash, tbs, ca.caKey.privateKey), SECONDS_PER_MEASURE);
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
