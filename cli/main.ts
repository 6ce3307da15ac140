#!/usr/bin/env node
// The `sshca` command: dispatches to one subcommand per file and turns errors into exit codes
// (0 ok, 1 refused or remote error, 2 usage) with one clear line on stderr.

import { isSshCaError, isUsageError } from '../core/errors.js';
import { wantsHelp } from './args.js';
import type { Command } from './command.js';
import { checkHostCommand } from './check-host.js';
import { configCommand } from './config.js';
import { credsCommand } from './creds.js';
import { demoCommand } from './demo.js';
import { inspectCommand } from './inspect.js';
import { keygenCaCommand } from './keygen-ca.js';
import { loginCommand } from './login.js';
import { packageVersion } from './package-root.js';
import { renderCommand } from './render.js';
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
  renderCommand,
  keygenCaCommand,
  signCommand,
  inspectCommand,
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

Exit codes: 0 success, 1 refused or failed (the message says why), 2 bad command line.
`;
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
  try {
    return await command.run(rest);
  } catch (e) {
    if (isUsageError(e)) {
      process.stderr.write(`sshca ${command.name}: ${e.message}\nRun "sshca ${command.name} --help" for usage.\n`);
      return 2;
    }
    if (isSshCaError(e)) {
      process.stderr.write(`sshca ${command.name}: ${e.message}\n`);
      return (e as { exitCode?: number }).exitCode ?? 1;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
