// Provisioning the seed scenario through the same provider code `pulumi up` runs: for each resource,
// check, read what the backend has, then create it, update it in place or leave it unchanged —
// what the Pulumi engine does with a dynamic provider, so re-running changes nothing.

import type * as pulumi from '@pulumi/pulumi';
import { ValidationError } from '../../core/errors.js';

/** One resource to apply. */
export interface Desired {
  /** Shown in progress lines, e.g. `SshRole ssh-dev/roles/developer`. */
  readonly label: string;
  readonly provider: pulumi.dynamic.ResourceProvider;
  /** The id the provider gives it (what `read` takes). */
  readonly id: string;
  readonly inputs: Record<string, unknown>;
}

export type Outcome = 'created' | 'updated' | 'unchanged' | 'replaced';

/** Apply one resource; returns what happened and its outputs. */
export async function apply(d: Desired): Promise<{ outcome: Outcome; outs: Record<string, unknown> }> {
  const p = d.provider;
  const checked = await p.check!({}, d.inputs);
  if (checked.failures && checked.failures.length > 0) {
    throw new ValidationError(checked.failures.map((f) => ({ field: `${d.label}.${f.property}`, message: f.reason })));
  }
  const inputs = checked.inputs;
  const current = await p.read!(d.id, inputs);
  if (!current.id) return { outcome: 'created', outs: (await p.create(inputs)).outs };
  const diff = await p.diff!(d.id, current.props, inputs);
  if (!diff.changes) return { outcome: 'unchanged', outs: current.props ?? {} };
  if (diff.replaces && diff.replaces.length > 0) {
    await p.delete!(d.id, current.props);
    return { outcome: 'replaced', outs: (await p.create(inputs)).outs };
  }
  return { outcome: 'updated', outs: (await p.update!(d.id, current.props, inputs)).outs ?? {} };
}
