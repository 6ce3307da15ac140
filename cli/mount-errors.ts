// The one wording every `sshca` command uses when the backend has no SSH secrets engine at the mount
// it was given (login's "no handler for route", render's 403 on the unauthenticated public_key path,
// creds' "unsupported path"), so that users see, and can search for, the same sentence everywhere.

/** `there is no SSH mount <mount> on this backend`, with the hint that fixes it. */
export function noSuchMount(mount: string): string {
  return `there is no SSH mount ${mount} on this backend: check --mount ("vault secrets list" shows the mounts)`;
}
