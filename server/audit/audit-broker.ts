// Audit devices of the embedded server (Vault's `file` type): enabled at a path with options,
// persisted with a per-device salt, and written before and after every request. As in Vault, when
// devices are enabled and none of them can write an entry, the request fails. A file device commits
// in groups (issue 22): the entries that arrive while the event loop works on other requests are
// appended by one write(2), and each request waits for its own entry's write before it goes on.

import { randomUUID } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { InternalError, RequestError } from '../../core/errors.js';
import { parseGoBool } from '../../core/fields.js';
import { getJson, putJson, type Storage } from '../storage/storage.js';
import { requestLine, responseLine, type AuditRequest, type AuditResponse, type HashOptions } from './audit-entry.js';
import { hmacValue } from './audit-hash.js';

/** A device as `sys/audit` lists it. */
export interface AuditDeviceEntry {
  /** With a trailing slash, e.g. `file/`. */
  readonly path: string;
  readonly type: string;
  readonly description: string;
  readonly options: Readonly<Record<string, string>>;
  readonly local: boolean;
}

interface Device extends AuditDeviceEntry {
  readonly hashing: HashOptions;
  readonly prefix: string;
  /** Append one line; settles once it is written, rejects (or throws) when it cannot be. */
  readonly write: (line: string) => Promise<void> | void;
}

const TABLE = 'core/audit';
const SALTS = 'core/audit-salts/';
/** Storage key of a device's salt (`file/` → `core/audit-salts/file`). */
const saltKey = (path: string) => SALTS + path.replace(/\/$/, '');
const STDOUT = new Set(['stdout', '-']);

/** A boolean option (Go's strconv.ParseBool), `fallback` when absent. */
function parseBool(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  const b = parseGoBool(value);
  if (b === undefined) {
    throw new RequestError(
      `unable to parse ${name}: strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`,
    );
  }
  return b;
}

/** Lines waiting for the next write of a file device, and their writers waiting for it. */
interface Batch {
  readonly lines: string[];
  readonly done: Promise<void>;
  settle: (error?: unknown) => void;
}

function newBatch(): Batch {
  let settle!: (error?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  // A batch nobody awaits any more (its requests failed meanwhile) must not be an unhandled rejection.
  done.catch(() => undefined);
  return { lines: [], done, settle };
}

/**
 * Group commit: lines are queued and written together by one open, write(2) and close per turn of
 * the event loop (setImmediate), so 64 parallel requests cost one write instead of 64 opens, writes
 * and closes. A line's promise settles once its write(2) completed, as the per-entry write did before
 * (no fsync per entry, as in Vault). Lines are written in the order they were queued.
 */
function groupWriter(target: string, mode: number): (line: string) => Promise<void> {
  let batch: Batch | undefined;
  const flush = () => {
    const current = batch!;
    batch = undefined;
    try {
      // Opened per write, so a rotated or removed file is recreated (as Vault does on SIGHUP).
      const out = openSync(target, 'a', mode);
      try {
        const data = Buffer.from(current.lines.join(''), 'utf8');
        for (let off = 0; off < data.length;) off += writeSync(out, data, off);
      } finally {
        closeSync(out);
      }
      current.settle();
    } catch (e) {
      current.settle(e);
    }
  };
  return (line) => {
    if (!batch) {
      batch = newBatch();
      setImmediate(flush);
    }
    batch.lines.push(line);
    return batch.done;
  };
}

/** Open the sink a `file` device writes to. */
function fileSink(options: Readonly<Record<string, string>>): (line: string) => Promise<void> | void {
  const target = options.file_path;
  if (target === undefined || target === '') throw new RequestError('file_path is required');
  if (target === 'discard') return () => {};
  if (STDOUT.has(target)) return (line) => void writeSync(1, line);
  const mode = options.mode === undefined ? 0o600 : Number.parseInt(options.mode, 8);
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777)
    throw new RequestError(`unable to parse mode: ${options.mode}`);
  const fd = (() => {
    try {
      return openSync(target, 'a', mode);
    } catch (e) {
      throw new RequestError(`sanity check failed; unable to open "${target}" for writing: ${(e as Error).message}`);
    }
  })();
  closeSync(fd);
  return groupWriter(target, mode);
}

function makeDevice(entry: AuditDeviceEntry, salt: string): Device {
  if (entry.type !== 'file') throw new RequestError(`unknown backend type: "${entry.type}"`);
  const format = entry.options.format ?? 'json';
  if (format !== 'json') throw new RequestError(`unsupported "format": ${format}`);
  return {
    ...entry,
    hashing: {
      salt,
      logRaw: parseBool('log_raw', entry.options.log_raw, false),
      hmacAccessor: parseBool('hmac_accessor', entry.options.hmac_accessor, true),
    },
    prefix: entry.options.prefix ?? '',
    write: fileSink(entry.options),
  };
}

/** The enabled devices and the logging of requests and responses through them. */
export class AuditBroker {
  private devices: Device[] = [];

  private constructor(
    private readonly storage: Storage,
    private readonly log: (line: string) => void,
  ) {}

  /** Load the persisted devices (a device that cannot open its file now fails every request, as in Vault). */
  static async load(storage: Storage, log: (line: string) => void): Promise<AuditBroker> {
    const broker = new AuditBroker(storage, log);
    for (const entry of (await getJson<AuditDeviceEntry[]>(storage, TABLE)) ?? []) {
      const salt = (await getJson<string>(storage, saltKey(entry.path))) ?? randomUUID();
      try {
        broker.devices.push(makeDevice(entry, salt));
      } catch (e) {
        log(`audit device ${entry.path} cannot start: ${(e as Error).message}`);
        const failed = e as Error;
        const hashing = { salt, logRaw: false, hmacAccessor: true };
        broker.devices.push({
          ...entry,
          hashing,
          prefix: '',
          write: () => {
            throw failed;
          },
        });
      }
    }
    return broker;
  }

  /** Whether any device is enabled (otherwise requests need no audit entry at all). */
  get active(): boolean {
    return this.devices.length > 0;
  }

  /** Devices as `sys/audit` lists them. */
  list(): AuditDeviceEntry[] {
    return this.devices.map(({ path, type, description, options, local }) => ({
      path,
      type,
      description,
      options,
      local,
    }));
  }

  async enable(entry: AuditDeviceEntry): Promise<void> {
    if (this.devices.some((d) => d.path === entry.path)) throw new RequestError('path already in use');
    const salt = randomUUID(); // a new salt on every enable, as Vault
    const device = makeDevice(entry, salt);
    await putJson(this.storage, saltKey(entry.path), salt);
    await putJson(this.storage, TABLE, [...this.list(), entry]);
    this.devices.push(device);
  }

  async disable(path: string): Promise<void> {
    if (!this.devices.some((d) => d.path === path)) return;
    const rest = this.devices.filter((d) => d.path !== path);
    await putJson(
      this.storage,
      TABLE,
      rest.map(({ path: p, type, description, options, local }) => ({ path: p, type, description, options, local })),
    );
    await this.storage.delete(saltKey(path));
    this.devices = rest;
  }

  /** `sys/audit-hash`: the HMAC a device would log for `input`. */
  hash(path: string, input: string): string | undefined {
    const device = this.devices.find((d) => d.path === path);
    return device && hmacValue(device.hashing.salt, input);
  }

  /** Write the request entry to every device; rejects when no device could write it. */
  logRequest(req: AuditRequest): Promise<void> {
    return this.emit((d, time) => requestLine(time, req, d.hashing));
  }

  /** Write the response entry to every device; rejects when no device could write it. */
  logResponse(req: AuditRequest, res: AuditResponse): Promise<void> {
    return this.emit((d, time) => responseLine(time, req, res, d.hashing));
  }

  private async emit(line: (device: Device, time: string) => string): Promise<void> {
    if (this.devices.length === 0) return;
    const time = new Date().toISOString();
    const devices = this.devices;
    const results = await Promise.allSettled(devices.map(async (d) => d.write(`${d.prefix}${line(d, time)}\n`)));
    let written = 0;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') written++;
      else this.log(`audit device ${devices[i]!.path} failed to write: ${(r.reason as Error).message}`);
    });
    if (written === 0) throw new InternalError('internal error');
  }
}
