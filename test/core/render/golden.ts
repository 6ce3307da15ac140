// The shared host-trust goldens: inputs in test/golden/host-trust/specs.json, expected files beside
// them. The TypeScript renderers and the Ansible role are both checked against these bytes.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HostTrustSpec } from '../../../core/render/host-trust.js';

export const GOLDEN_DIR = resolve(import.meta.dirname, '../../golden/host-trust');

/** The dev and prod specs the goldens were made from. */
export const GOLDEN_SPECS: Readonly<Record<'dev' | 'prod', HostTrustSpec>> = JSON.parse(
  readFileSync(join(GOLDEN_DIR, 'specs.json'), 'utf8'),
);

/** A golden file of an environment, e.g. `golden('dev', 'principals/ubuntu')`. */
export const golden = (environment: string, file: string): string =>
  readFileSync(join(GOLDEN_DIR, environment, file), 'utf8');
