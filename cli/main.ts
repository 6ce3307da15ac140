#!/usr/bin/env node
// The `sshca` command: dispatches to one subcommand per file and turns errors into exit codes
// (0 ok, 1 refused or remote error, 2 usage, 3 authentication) with one clear line on stderr. No
// input may make it print a JavaScript stack: an error we did not foresee is one line too, and
// SSHCA_DEBUG=1 adds the stack (and the cause's) for whoever debugs it.

import { isSshCaError, isUsageError } from '../core/errors.js';
import { wantsHelp } from './args.js';
import type { Command } from './command.js';
import { auditCommand } from './audit.js';
import { checkHostCommand } from './check-host.js';
import { configCommand } from './config.js';
import { credsCommand } from './creds.js';
import { demoCommand } from './demo.js';
import { driftCommand } from './drift.js';
import { inspectCommand } from './inspect.js';
import { keygenCaCommand } from './keygen-ca.js';
import { loginCommand } from './login.js';
import { operatorCommand } from './operator.js';
import { packageVersion } from './package-root.js';
import { renderCommand } from './render.js';
import { reportCommand } from './report.js';
import { revokeCommand } from './revoke.js';
import { rotateCommand } from './rotate.js';
import { serveCommand } from './serve.js';
import { signCommand } from './sign.js';
import { sshCommand } from './ssh.js';

const COMMANDS: readonly Command[] = [
  loginCommand,
  sshCommand,
  credsCommand,
  configCommand,
  checkHostCommand,
  serveCommand,
  operatorCommand,
  renderCommand,
  revokeCommand,
  keygenCaCommand,
  signCommand,
  inspectCommand,
  rotateCommand,
  driftCommand,
  auditCommand,
  reportCommand,
  demoCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: sshca <command> [options]

Just-in-time SSH access with short-lived certificates (or one-time passwords): log in and connect,
check hosts, serve a Vault-compatible backend, render host trust, make a CA, sign keys under roles,
read certificates.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Options:
  -h, --help     show this help (or "sshca <command> --help" for a command)
  -V, --version  print the version

Exit codes: 0 success, 1 refused or failed (the message says why), 2 bad command line, 3 login
failed; check-host also 4 host unreachable or its key unknown, 5 host key changed, 6 host key not
certified by the host CA; drift 1 a host drifted, 4 a host unreachable. SSHCA_DEBUG=1 adds the stack
trace to an error message.
`;
}

/** SSHCA_DEBUG=1 (or true): show where an error came from. */
const debugging = (): boolean => /^(1|true|yes)$/i.test(process.env.SSHCA_DEBUG ?? '');

/** The stack of an error and of its causes, for SSHCA_DEBUG. */
function stackOf(e: unknown): string {
  const parts: string[] = [];
  for (let c: unknown = e, depth = 0; c !== undefined && c !== null && depth < 5; depth++) {
    parts.push(c instanceof Error ? (c.stack ?? String(c)) : String(c));
    c = (c as { cause?: unknown }).cause;
  }
  return `${parts.join('\nCaused by: ')}\n`;
}

/**
 * An error no command foresaw, as one line (exit code 1): its message without the class name, and
 * how to see the rest.
 */
function reportUnexpected(prefix: string, e: unknown): number {
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0] || 'no message';
  process.stderr.write(
    debugging()
      ? `${prefix}: unexpected error: ${message}\n${stackOf(e)}`
      : `${prefix}: unexpected error: ${message} (SSHCA_DEBUG=1 shows where it happened)\n`,
  );
  return 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '-V' || name === '--version') {
    process.stdout.write(`sshca ${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`sshca: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  if (wantsHelp(rest)) {
    process.stdout.write(command.help);
    return 0;
  }
  const prefix = `sshca ${command.name}`;
  // An error raised outside the command's promise (an event handler) is reported the same way.
  process.on('uncaughtException', (e) => {
    process.exitCode = reportUnexpected(prefix, e);
    process.exit();
  });
  try {
    return await command.run(rest);
  } catch (e) {
    if (isUsageError(e)) {
      process.stderr.write(`${prefix}: ${e.message}\nRun "sshca ${command.name} --help" for usage.\n`);
      if (debugging()) process.stderr.write(stackOf(e));
      return 2;
    }
    if (isSshCaError(e)) {
      process.stderr.write(`${prefix}: ${e.message}\n`);
      if (debugging()) process.stderr.write(stackOf(e));
      return (e as { exitCode?: number }).exitCode ?? 1;
    }
    return reportUnexpected(prefix, e);
  }
}

process.exitCode = await main(process.argv.slice(2));
