// Command-line parsing for `sshca` subcommands on top of node:util parseArgs, turning every
// mistake into a UsageError (exit code 2) that names the bad option.

import { UsageError } from '../core/errors.js';

/**
 * Run node:util `parseArgs` and turn its errors into a UsageError; positionals beyond `maxPositionals`
 * are refused too. Usage: `usageErrors(() => parseArgs({ args, options, strict: true }))`.
 */
export function usageErrors<T extends { positionals: string[] }>(parse: () => T, maxPositionals = 0): T {
  let parsed: T;
  try {
    parsed = parse();
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument: ${parsed.positionals[maxPositionals]}`);
  }
  return parsed;
}

/** Whether a command line asks for help (`-h` or `--help` before any `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '-h' || a === '--help');
}

/** The value of a required option, or a UsageError naming it. */
export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined || value === '') throw new UsageError(`missing required option --${flag}`);
  return value;
}

/** `NAME=VALUE` pairs (or a bare `NAME`, meaning an empty value) into a map. */
export function parsePairs(items: readonly string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf('=');
    const name = eq < 0 ? item : item.slice(0, eq);
    if (name === '') throw new UsageError(`--${flag} needs NAME or NAME=VALUE, got ${JSON.stringify(item)}`);
    out[name] = eq < 0 ? '' : item.slice(eq + 1);
  }
  return out;
}

/**
 * A mount path as Vault names it: `/ssh-dev/` and `ssh-dev` are the same mount (Vault's CLI trims the
 * slashes too), and `team//ssh` is `team/ssh`; undefined stays undefined. An option that names no
 * mount at all (`--mount /`) is a UsageError.
 */
export function normaliseMount(value: string | undefined, flag = 'mount'): string | undefined {
  if (value === undefined) return undefined;
  const mount = value
    .split('/')
    .filter((s) => s !== '')
    .join('/');
  if (mount === '') throw new UsageError(`--${flag} needs a mount path such as ssh-dev, got ${JSON.stringify(value)}`);
  return mount;
}
