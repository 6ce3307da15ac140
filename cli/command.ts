// The shape every `sshca` subcommand has: a name, a one-line summary for `sshca --help`, a full
// help text with examples, and `run`, which returns the exit code (0 ok, 1 refused, 2 usage).

/** One `sshca` subcommand. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  run(argv: readonly string[]): Promise<number> | number;
}
