// The pieces every `#cloud-config` renderer shares: EC2's size limit, the sshd check-and-reload
// options, and the YAML of a write_files entry and of the runcmd shell script.

import { RequestError } from '../errors.js';

/** EC2's limit on raw user-data, before base64. */
export const EC2_USER_DATA_LIMIT = 16_384;

/** How the instance checks and reloads sshd. */
export interface CloudConfigOptions {
  /** The sshd command used for `-t` and `-T`. @default '/usr/sbin/sshd' */
  readonly sshd?: string;
  /** Run once the checks pass. @default reload sshd.service, else ssh.service, if running */
  readonly reloadCommand?: string;
}

const DEFAULT_RELOAD = 'systemctl try-reload-or-restart sshd.service || systemctl try-reload-or-restart ssh.service';

/** The sshd and reload commands, defaults filled in; throws unless each is one line without single quotes. */
export function resolveCloudConfigOptions(options: CloudConfigOptions): { sshd: string; reload: string } {
  for (const [name, value] of Object.entries(options)) {
    if (typeof value !== 'string' || value.trim() === '' || /[\u0000-\u001f']/.test(value)) {
      throw new RequestError(`${name} must be a one-line command without single quotes`);
    }
  }
  return { sshd: options.sshd ?? '/usr/sbin/sshd', reload: options.reloadCommand ?? DEFAULT_RELOAD };
}

/** `text` without its final newline, every line indented (a `|` block scalar restores one newline). */
const indent = (text: string, by: string) =>
  text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => (l === '' ? l : by + l))
    .join('\n');

/** A root-owned write_files entry with a `|` block of text; `defer` writes it in cloud-init's final stage. */
export function renderWriteFile(path: string, content: string, permissions = '0644', defer = false): string {
  return [
    `  - path: ${path}`,
    '    owner: root:root',
    `    permissions: '${permissions}'`,
    ...(defer ? ['    defer: true'] : []),
    '    content: |',
    indent(content, '      '),
  ].join('\n');
}

/** The runcmd section: one `sh -c` running `script`. */
export function renderRuncmdScript(script: string): string {
  return ['runcmd:', '  - - sh', '    - -c', '    - |', indent(script, '      ')].join('\n');
}

/**
 * `text` when it fits in EC2's user-data limit; otherwise a RequestError naming `what`, its size and
 * `fix` (what the user can leave out).
 */
export function checkUserDataSize(text: string, what: string, fix: string): string {
  const size = Buffer.byteLength(text);
  if (size > EC2_USER_DATA_LIMIT) {
    throw new RequestError(`${what} is ${size} bytes, over EC2's limit of ${EC2_USER_DATA_LIMIT} bytes: ${fix}`);
  }
  return text;
}
