// Finding the destination among ssh's own arguments, the way OpenSSH's ssh.c reads its command line:
// getopt without permutation (options, the destination, options again, then the command), `-l`,
// `-p` and `-o User=/Port=/HostName=` where the first value given wins, `user@host` split at the
// last `@`, and `ssh://[user@]host[:port]`. Pure: `sshca ssh --otp` resolves and connects.

import { UsageError } from '../core/errors.js';

/** What the ssh arguments say about where to connect. */
export interface SshDestination {
  /** The destination as written, e.g. `ubuntu@web1` or `ssh://web1:2222`. */
  readonly destination: string;
  /** Its position in the arguments. */
  readonly index: number;
  /** The host part of the destination (brackets of an `ssh://[v6]` address removed). */
  readonly host: string;
  /** `-o HostName=…` if given, else `host`: what ssh actually connects to. */
  readonly connectHost: string;
  /** The login from `-l`, `-o User=` or the destination, whichever ssh would take; undefined when none. */
  readonly user?: string;
  /** The port from `-p`, `-o Port=` or `ssh://…:port`, whichever ssh would take; undefined when none. */
  readonly port?: number;
  /** Every `-o Keyword=value` given (keyword lower-cased), first value of each. */
  readonly options: Readonly<Record<string, string>>;
}

/**
 * ssh's options that take an argument (OpenSSH 9.x: `B b c D E e F I i J L l m O o p Q R S W w`).
 * `-P` takes a tag from OpenSSH 9.4 on; before, it is an obsolete flag without one.
 */
const WITH_ARGUMENT = new Set('BbcDEeFIiJLlmOopQRSWw');

/** How to read the arguments. */
export interface ParseSshOptions {
  /** Whether `-P` takes an argument (OpenSSH ≥ 9.4). @default false (OpenSSH 9.2 of Debian 12) */
  readonly tagOption?: boolean;
}

/** Parse a port as ssh does (1–65535), or refuse it. */
function parsePort(value: string, where: string): number {
  const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 65535)) throw new UsageError(`bad port ${JSON.stringify(value)} in ${where}`);
  return n;
}

/** `Keyword=value`, `Keyword value` or `Keyword = value`, as ssh_config lines are split. */
function splitConfigLine(line: string): [string, string] | undefined {
  const m = /^\s*([A-Za-z0-9]+)\s*(?:=\s*|\s+)(.*?)\s*$/.exec(line);
  return m ? [m[1]!.toLowerCase(), m[2]!.replace(/^"(.*)"$/, '$1')] : undefined;
}

/** `ssh://[user@]host[:port]` (OpenSSH's parse_ssh_uri), or undefined when `arg` is not such a URI. */
function parseSshUri(arg: string): { user?: string; host: string; port?: number } | undefined {
  if (!arg.toLowerCase().startsWith('ssh://')) return undefined;
  const m = /^ssh:\/\/(?:([^@/]*)@)?(\[[^\]/]+\]|[^:/@[\]]+)(?::([^/]*))?\/?$/i.exec(arg);
  if (!m || m[1] === '') throw new UsageError(`cannot read the destination ${JSON.stringify(arg)}`);
  const host = m[2]!.replace(/^\[(.*)\]$/, '$1');
  return {
    ...(m[1] !== undefined ? { user: decodeURIComponent(m[1]) } : {}),
    host,
    ...(m[3] !== undefined ? { port: parsePort(m[3], arg) } : {}),
  };
}

/**
 * Find the destination, login and port in `args` (what follows `sshca ssh --otp --`), as ssh would.
 * Throws a UsageError when there is no destination or a value ssh would refuse.
 */
export function parseSshDestination(args: readonly string[], o: ParseSshOptions = {}): SshDestination {
  const takesArgument = (c: string) => WITH_ARGUMENT.has(c) || (c === 'P' && o.tagOption === true);
  let user: string | undefined;
  let port: number | undefined;
  const options: Record<string, string> = {};
  let found: { destination: string; index: number; host: string } | undefined;

  const option = (flag: string, value: string) => {
    if (flag === 'l') user ??= value;
    else if (flag === 'p') port ??= parsePort(value, `-p ${value}`);
    else if (flag === 'o') {
      const kv = splitConfigLine(value);
      if (!kv) throw new UsageError(`cannot read the ssh option -o ${JSON.stringify(value)}`);
      const [keyword, v] = kv;
      if (!(keyword in options)) options[keyword] = v;
      if (keyword === 'user') user ??= v;
      if (keyword === 'port') port ??= parsePort(v, `-o ${value}`);
    }
  };

  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      // End of options: the destination follows if not yet seen, else the command.
      if (!found) {
        i++;
        if (i < args.length) found = destinationAt(args[i]!, i);
      }
      break;
    }
    if (arg.startsWith('-') && arg !== '-') {
      for (let j = 1; j < arg.length; j++) {
        const c = arg[j]!;
        if (!takesArgument(c)) continue;
        let value = arg.slice(j + 1);
        if (value === '') {
          if (i + 1 >= args.length) throw new UsageError(`ssh option -${c} needs a value`);
          value = args[++i]!;
        }
        option(c, value);
        break;
      }
      continue;
    }
    if (found) break; // the command starts here
    found = destinationAt(arg, i);
  }
  if (!found) throw new UsageError('give the ssh destination after "--", e.g. -- ubuntu@host');
  return {
    destination: found.destination,
    index: found.index,
    host: found.host,
    connectHost: options.hostname ?? found.host,
    ...(user !== undefined ? { user } : {}),
    ...(port !== undefined ? { port } : {}),
    options,
  };

  // ssh takes the destination's login and port only when no -l/-p/-o came before it (first wins).
  function destinationAt(arg: string, index: number): { destination: string; index: number; host: string } {
    const uri = parseSshUri(arg);
    if (uri) {
      if (uri.user !== undefined) user ??= uri.user;
      if (uri.port !== undefined) port ??= uri.port;
      return { destination: arg, index, host: uri.host };
    }
    const at = arg.lastIndexOf('@');
    if (at === 0) throw new UsageError(`cannot read the destination ${JSON.stringify(arg)}: no user before "@"`);
    if (at > 0) user ??= arg.slice(0, at);
    const host = at < 0 ? arg : arg.slice(at + 1);
    if (host === '') throw new UsageError(`cannot read the destination ${JSON.stringify(arg)}: no host`);
    return { destination: arg, index, host };
  }
}
