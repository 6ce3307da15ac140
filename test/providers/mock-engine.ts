// Pulumi programs under `pulumi.runtime.setMocks`, whose mocks do what the engine does with a dynamic
// resource: load the serialized `__provider` text, run its check (failures fail the registration)
// and its create. Shared by the tests that run whole programs against the embedded server.

import { createRequire } from 'node:module';
import * as pulumi from '@pulumi/pulumi';

const requireFromString: (code: string) => { handler(): pulumi.dynamic.ResourceProvider } = createRequire(
  import.meta.url,
)('require-from-string');
const SECRET_SIG = '4dabf18193072939515e22adb298388d';

/** Inputs as the engine hands them to a provider: secrets unwrapped. */
function unwrap(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrap);
  if (v && typeof v === 'object') {
    if (SECRET_SIG in v) return unwrap((v as unknown as { value: unknown }).value);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
  }
  return v;
}

/** A resource of another provider (e.g. AWS) the program registered, or a call (name `call`): kept for the test. */
export interface MockedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

/** The AMI id the mocked `aws:ec2/getAmi:getAmi` answers. */
export const MOCK_AMI_ID = 'ami-0mockubuntu2404';

/**
 * Install the mocks for `project` (stack `dev`). Each dynamic resource created is appended to
 * `created` as `<Type>:<id>`, in the order the engine created them; other resources are echoed and
 * appended to `others`. `aws:ec2/getAmi:getAmi` answers MOCK_AMI_ID; other calls echo their inputs.
 */
export async function setEngineMocks(project: string, created: string[], others: MockedResource[] = []): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      async newResource(args) {
        if (!args.type.startsWith('pulumi-nodejs:dynamic')) {
          others.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
          return { id: `${args.name}_id`, state: { ...args.inputs, privateIp: `10.0.0.${others.length}` } };
        }
        const { __provider, ...inputs } = args.inputs as { __provider: string };
        const provider = requireFromString(__provider).handler();
        const checked = await provider.check!({}, unwrap(inputs));
        if (checked.failures && checked.failures.length > 0) throw new Error(JSON.stringify(checked.failures));
        const result = await provider.create(checked.inputs);
        created.push(`${args.type.split(':').pop()}:${result.id}`);
        return { id: result.id, state: { ...result.outs, __provider } };
      },
      call(args) {
        others.push({ type: args.token, name: 'call', inputs: args.inputs as Record<string, unknown> });
        return args.token === 'aws:ec2/getAmi:getAmi' ? { ...args.inputs, id: MOCK_AMI_ID } : args.inputs;
      },
    },
    project,
    'dev',
    false,
  );
}

/** Registrations finish asynchronously: wait until `created` has stopped growing for 300 ms. */
export async function settled(created: readonly string[]): Promise<void> {
  for (let seen = -1; seen !== created.length;) {
    seen = created.length;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The value of an output. */
export const value = <T>(o: pulumi.Output<T>): Promise<T> => new Promise<T>((resolve) => o.apply(resolve));
