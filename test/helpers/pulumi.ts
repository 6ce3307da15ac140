// Pulumi's own machinery for tests, without the Pulumi CLI (which cannot be installed here; see
// toolchain.md §3): the dynamic-provider gRPC server that the engine runs (`@pulumi/pulumi/cmd/
// dynamic-provider`), driven through the generated stubs with serialized providers, and the
// serialization itself.

import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import * as pulumi from '@pulumi/pulumi';

const require = createRequire(import.meta.url);
const grpc: typeof import('@grpc/grpc-js') = require('@grpc/grpc-js');
const { Struct } = require('google-protobuf/google/protobuf/struct_pb');
const proto = require('@pulumi/pulumi/proto/provider_pb');
const rpc = require('@pulumi/pulumi/proto/provider_grpc_pb');

/** The text the engine stores as `__provider`: the provider object serialized as Pulumi does. */
export async function serializeProvider(provider: pulumi.dynamic.ResourceProvider): Promise<string> {
  return (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
}

/** A check failure as the server reports it. */
export interface Failure {
  readonly property: string;
  readonly reason: string;
}

/** The dynamic-provider server in a child process, with one method per RPC. */
export interface ProviderServer {
  check(urn: string, olds: object, news: object): Promise<{ inputs: Record<string, unknown>; failures: Failure[] }>;
  create(urn: string, props: object): Promise<{ id: string; outs: Record<string, unknown> }>;
  diff(
    urn: string,
    id: string,
    olds: object,
    news: object,
  ): Promise<{ changes: number; replaces: string[]; deleteBeforeReplace: boolean }>;
  update(urn: string, id: string, olds: object, news: object): Promise<Record<string, unknown>>;
  read(urn: string, id: string, props: object): Promise<{ id: string; props: Record<string, unknown> }>;
  delete(urn: string, id: string, props: object): Promise<void>;
  /** What the server wrote to stderr so far, where the engine reads a dynamic provider's logs (echoed too). */
  stderr(): string;
  stop(): Promise<void>;
}

/** Start `@pulumi/pulumi/cmd/dynamic-provider` as the engine would and configure it. */
export async function startProviderServer(): Promise<ProviderServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [require.resolve('@pulumi/pulumi/cmd/dynamic-provider/index.js'), '127.0.0.1:1'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PULUMI_PROJECT: 'test', PULUMI_STACK: 'dev' } },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += String(d);
    process.stderr.write(d);
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the dynamic-provider server exited with ${code}`)));
    child.stdout!.once('data', (d) => resolve(String(d).trim()));
  });
  const client = new rpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = (method: string, req: unknown) =>
    new Promise<any>((resolve, reject) =>
      client[method](req, (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r))),
    );
  const S = (o: object) => Struct.fromJavaScript(o);
  await call('configure', new proto.ConfigureRequest().setArgs(S({})));
  return {
    async check(urn, olds, news) {
      const r = await call('check', new proto.CheckRequest().setUrn(urn).setOlds(S(olds)).setNews(S(news)));
      return {
        inputs: r.getInputs()?.toJavaScript() ?? {},
        failures: r.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },
    async create(urn, props) {
      const r = await call('create', new proto.CreateRequest().setUrn(urn).setProperties(S(props)));
      return { id: r.getId(), outs: r.getProperties()?.toJavaScript() ?? {} };
    },
    async diff(urn, id, olds, news) {
      const r = await call('diff', new proto.DiffRequest().setId(id).setUrn(urn).setOlds(S(olds)).setNews(S(news)));
      return {
        changes: r.getChanges(),
        replaces: r.getReplacesList(),
        deleteBeforeReplace: r.getDeletebeforereplace(),
      };
    },
    async update(urn, id, olds, news) {
      const r = await call('update', new proto.UpdateRequest().setId(id).setUrn(urn).setOlds(S(olds)).setNews(S(news)));
      return r.getProperties()?.toJavaScript() ?? {};
    },
    async read(urn, id, props) {
      const r = await call('read', new proto.ReadRequest().setId(id).setUrn(urn).setProperties(S(props)));
      return { id: r.getId(), props: r.getProperties()?.toJavaScript() ?? {} };
    },
    async delete(urn, id, props) {
      await call('delete', new proto.DeleteRequest().setId(id).setUrn(urn).setProperties(S(props)));
    },
    stderr: () => stderr,
    async stop() {
      client.close();
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}
