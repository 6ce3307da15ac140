// `AclPolicy`: an ACL policy (sys/policies/acl/<name>), HCL or JSON. Replaces: `name`. The document
// updates in place. `signingPolicy` builds the usual "may sign on these roles" document. `check`
// warns (never fails: Vault accepts them) about parameter constraints that name a parameter the
// path does not take (issue 14).

import { createRequire } from 'node:module';
import * as pulumi from '@pulumi/pulumi';
import { deletePolicy, readPolicy, writePolicy } from '../client/access-api.js';
export { credsPolicy, signingPolicy } from '../core/acl/signing-policy.js';
import { policyWarnings, validatePolicySpec } from '../core/policy-spec.js';
import { connect, type ConnectionInputs } from './connection.js';
import { checkFailures, replacements } from './provider-kit.js';
import { resourceArgs, type ConnectionArgs } from './resource-kit.js';

// Loaded with createRequire so the provider survives closure serialization (toolchain.md §3).
const pulumiRuntime: typeof import('@pulumi/pulumi') = createRequire(import.meta.url)('@pulumi/pulumi');

/**
 * Log a warning through Pulumi. A dynamic provider has no engine connection (pulumi/pulumi#6065), so
 * `pulumi.log.warn` writes `warning: [runtime] <message>` to the provider's stderr, which the engine
 * shows to the user (pulumi/pulumi#18253).
 */
const warn = (message: string): Promise<void> => pulumiRuntime.log.warn(message);

/** What the AclPolicy provider receives. */
export interface AclPolicyInputs extends ConnectionInputs {
  readonly name: string;
  readonly policy: string;
}

/** The dynamic provider behind AclPolicy (serialized into the stack's state). */
export const aclPolicyProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: AclPolicyInputs) {
    // Our naming rule and Vault's refusals, then the warnings (core/policy-spec.ts).
    const issues = validatePolicySpec(news);
    for (const w of policyWarnings(news)) await warn(`AclPolicy ${JSON.stringify(news.name)}: ${w}`);
    return { inputs: news, failures: checkFailures(issues) };
  },
  async diff(_id, olds: AclPolicyInputs, news: AclPolicyInputs) {
    const replaces = replacements(olds, news, ['name']);
    const changed = olds.policy !== news.policy || olds.address !== news.address || olds.token !== news.token;
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
  },
  async create(inputs: AclPolicyInputs) {
    await writePolicy(connect(inputs), inputs.name, inputs.policy);
    return { id: inputs.name, outs: inputs };
  },
  async read(id, props: AclPolicyInputs) {
    const policy = await readPolicy(connect(props), props.name);
    return policy === undefined ? {} : { id, props: { ...props, policy } };
  },
  async update(_id, _olds, news: AclPolicyInputs) {
    await writePolicy(connect(news), news.name, news.policy);
    return { outs: news };
  },
  async delete(_id, props: AclPolicyInputs) {
    await deletePolicy(connect(props), props.name);
  },
};

/** Arguments of an AclPolicy: its name and document. */
export interface AclPolicyArgs extends ConnectionArgs {
  /** Policy name (lower case). Changing it replaces the policy. */
  readonly name: pulumi.Input<string>;
  /**
   * The document, HCL or JSON; e.g. `signingPolicy("ssh-dev", ["developer"])`. A parameter
   * constraint naming a parameter the path does not take is logged as a warning when Pulumi checks
   * the inputs (preview and up).
   */
  readonly policy: pulumi.Input<string>;
}

/** An ACL policy (`sys/policies/acl/<name>`). Outputs: `name`, `policy`; `token` is secret. */
export class AclPolicy extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly policy: pulumi.Output<string>;

  constructor(name: string, args: AclPolicyArgs, opts?: pulumi.CustomResourceOptions) {
    super(...resourceArgs(aclPolicyProvider, 'AclPolicy', name, args, opts));
  }
}
