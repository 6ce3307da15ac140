#!/usr/bin/python
# -*- coding: utf-8 -*-
# The one module execution of the ssh_ca_trust role on a host (issue 17, point 5): the role's action
# plugin ssh_ca_trust renders the files on the control node and sends their contents; this module checks the CA
# keys with the host's ssh-keygen, compares every file with what is on the host, writes only what
# differs (atomically: a temporary file in the same directory, validated, then renamed), removes
# principals files the role wrote for accounts no longer mapped, and checks the whole sshd
# configuration (sshd -t, then sshd -T for the effective values) with the candidate files in place.
# If anything fails, every change is undone before the module returns: the host is left as it was and
# nothing notifies the reload handler. Python 3 standard library only.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: ssh_ca_trust_files
short_description: Check, write and verify the sshd files of the ssh_ca_trust role in one step
description:
  - Checks every CA public key with C(ssh-keygen -l) on the host; any problem fails the host before anything is written.
  - Writes the TrustedUserCAKeys file, the principals files and the sshd drop-in with the given contents, root-owned
    C(0644), only where they differ, each through a temporary file in the same directory; the keys file is validated
    with C(ssh-keygen -l) and C(ssh-keygen -k), the drop-in with C(sshd -t) on its own.
  - Removes principals files of accounts no longer mapped, but only regular files named like an account whose content
    matches O(principals_header).
  - Then C(sshd -t) and C(sshd -T) check the whole configuration, and C(sshd -T) must show the O(effective) values.
    On any failure every change is rolled back.
  - In check mode only reports what would change.
options:
  ca_keys:
    description:
      - One entry per CA key, in order. C(source) names it in messages; C(issue), when not empty, is a problem the
        control node found; otherwise C(key) is checked with C(ssh-keygen -l).
    type: list
    elements: dict
    required: true
  ca_keys_path:
    description: The TrustedUserCAKeys file.
    type: path
    required: true
  ca_keys_content:
    description: Its content.
    type: str
    required: true
  principals_dir:
    description: The directory of the principals files (root C(0755)).
    type: path
    required: true
  principals:
    description: Account to the content of its principals file.
    type: dict
    required: true
  principals_header:
    description: Python regular expression (searched) that a principals file must match to be removed when its account is not mapped.
    type: str
    required: true
  account_form:
    description: Python regular expression (whole name) of an account name.
    type: str
    required: true
  dropin_path:
    description: The sshd drop-in.
    type: path
    required: true
  dropin_content:
    description: Its content.
    type: str
    required: true
  sshd_command:
    description: The sshd binary for C(-t) and C(-T).
    type: str
    required: true
  sshd_config:
    description: The main sshd configuration, checked as a whole.
    type: str
    required: true
  sshd_host_keys:
    description: Host keys passed as C(-h) to every sshd check.
    type: list
    elements: str
    default: []
  effective:
    description: Keyword to the value C(sshd -T) must show; an empty value is not checked.
    type: dict
    required: true
  krl:
    description:
      - The KRL refresh (issue 20), or null. C(files) (C(path), C(content), C(mode)) are written first, then the script
        C(script) is run once (the first fetch); when it fails and no KRL C(path) exists, an empty KRL is made with
        C(ssh-keygen -k). A KRL it replaced is restored on rollback. With C(timer), C(timer_name) is enabled and started
        with systemctl once every check passed (skipped with a warning where systemd is not running).
    type: dict
author:
  - vault-ssh-ca
'''

EXAMPLES = r'''
- name: Write and check the sshd files
  ssh_ca_trust_files:
    ca_keys:
      - source: ssh_ca_trust_ca_keys[0]
        issue: ''
        key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG4
    ca_keys_path: /etc/ssh/sshca/trusted_user_ca_keys
    ca_keys_content: "# Managed by vault-ssh-ca: changes here are overwritten.\n"
    principals_dir: /etc/ssh/sshca/principals
    principals: {}
    principals_header: '\A# Managed by vault-ssh-ca'
    account_form: '[a-z]+'
    dropin_path: /etc/ssh/sshd_config.d/10-sshca.conf
    dropin_content: "TrustedUserCAKeys /etc/ssh/sshca/trusted_user_ca_keys\n"
    sshd_command: /usr/sbin/sshd
    sshd_config: /etc/ssh/sshd_config
    effective:
      trustedusercakeys: /etc/ssh/sshca/trusted_user_ca_keys
'''

RETURN = r'''
dropin_changed:
  description: Whether the drop-in was (or in check mode would be) written; only then sshd needs a reload.
  type: bool
  returned: always
written:
  description: Files written (or that would be).
  type: list
  returned: always
removed:
  description: Principals files removed (or that would be).
  type: list
  returned: always
directories:
  description: Directories created, or whose owner or mode was set (or would be).
  type: list
  returned: always
'''

import os
import re
import stat
import subprocess
import tempfile

from ansible.module_utils.basic import AnsibleModule

FILE_MODE = 0o644
DIR_MODE = 0o755
REFUSING = 'ssh_ca_trust: refusing to change anything: '


class Failure(Exception):
    """A check failed: undo everything, then fail with this message (and these result fields)."""

    def __init__(self, msg, **fields):
        Exception.__init__(self, msg)
        self.msg = msg
        self.fields = fields


def run(argv, stdin=None):
    p = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, check=False)
    return p.returncode, p.stdout, p.stderr


def key_issues(entries):
    """The problems of the CA keys, in their order: the control node's, then ssh-keygen's."""
    issues = []
    for entry in entries:
        issue = entry.get('issue') or ''
        if issue:
            issues.append(issue)
            continue
        key = entry.get('key') or ''
        # As the command module gave it: the key and a newline on stdin.
        rc, _, err = run(['ssh-keygen', '-l', '-f', '/dev/stdin'], key + '\n')
        if rc != 0:
            kind = (key.split() + [''])[0]
            issues.append('%s is not a valid %s public key (ssh-keygen: %s)' % (entry.get('source'), kind, err.strip()))
    return issues


class Transaction(object):
    """Changes made so far, undone in reverse order by rollback()."""

    def __init__(self, check_mode):
        self.check_mode = check_mode
        self.undo = []
        self.directories = []
        self.written = []
        self.removed = []

    # Directories -------------------------------------------------------------------------------
    def ensure_dir(self, path, enforce):
        """Create path (and missing parents) root 0755; with enforce, also fix an existing one."""
        path = os.path.normpath(path)
        missing = []
        at = path
        while at and at != '/' and not os.path.lexists(at):
            missing.append(at)
            at = os.path.dirname(at)
        for d in reversed(missing):
            self.directories.append(d)
            if not self.check_mode:
                os.mkdir(d, DIR_MODE)
                self.undo.append(('rmdir', d))
                os.chown(d, 0, 0)
                os.chmod(d, DIR_MODE)
        if enforce and not missing:
            st = os.stat(path)
            if not stat.S_ISDIR(st.st_mode):
                raise Failure('ssh_ca_trust: %s is not a directory' % path)
            if stat.S_IMODE(st.st_mode) != DIR_MODE or st.st_uid != 0 or st.st_gid != 0:
                self.directories.append(path)
                if not self.check_mode:
                    self.undo.append(('attrs', path, st))
                    os.chown(path, 0, 0)
                    os.chmod(path, DIR_MODE)

    # Files -------------------------------------------------------------------------------------
    @staticmethod
    def current(path):
        """(bytes, stat) of a regular file, or (None, None) when it does not exist."""
        try:
            st = os.lstat(path)
        except OSError:
            return None, None
        if not stat.S_ISREG(st.st_mode):
            return None, st
        with open(path, 'rb') as f:
            return f.read(), st

    def write(self, path, content, validate=None, mode=FILE_MODE):
        """Write content to path root-owned with mode unless it is there already; validate(tmp) may raise Failure."""
        data = content.encode('utf-8')
        old, st = self.current(path)
        if st is not None and old is None:
            raise Failure('ssh_ca_trust: %s exists and is not a regular file' % path)
        same = old == data and stat.S_IMODE(st.st_mode) == mode and st.st_uid == 0 and st.st_gid == 0
        if same:
            return False
        self.written.append(path)
        if self.check_mode:
            return True
        if old == data:
            # Only the owner or mode differ.
            self.undo.append(('attrs', path, st))
            os.chown(path, 0, 0)
            os.chmod(path, mode)
            return True
        tmp = self.temporary(path, data, mode, 0, 0)
        try:
            if validate:
                validate(tmp)
            os.rename(tmp, path)
        except BaseException:
            if os.path.lexists(tmp):
                os.unlink(tmp)
            raise
        self.undo.append(('restore', path, old, st))
        return True

    def remove(self, path):
        old, st = self.current(path)
        self.removed.append(path)
        if not self.check_mode:
            os.unlink(path)
            self.undo.append(('restore', path, old, st))

    @staticmethod
    def temporary(path, data, mode, uid, gid):
        fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.sshca-tmp',
                                   dir=os.path.dirname(path))
        try:
            with os.fdopen(fd, 'wb') as f:
                f.write(data)
                f.flush()
                os.fchown(f.fileno(), uid, gid)
                os.fchmod(f.fileno(), mode)
                os.fsync(f.fileno())
        except BaseException:
            os.unlink(tmp)
            raise
        return tmp

    def rollback(self):
        for step in reversed(self.undo):
            kind, path = step[0], step[1]
            if kind == 'rmdir':
                os.rmdir(path)
            elif kind == 'attrs':
                st = step[2]
                os.chown(path, st.st_uid, st.st_gid)
                os.chmod(path, stat.S_IMODE(st.st_mode))
            elif kind == 'restore':
                old, st = step[2], step[3]
                if old is None:
                    if os.path.lexists(path):
                        os.unlink(path)
                else:
                    tmp = self.temporary(path, old, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
                    os.rename(tmp, path)
        self.undo = []


def main():
    module = AnsibleModule(
        argument_spec=dict(
            ca_keys=dict(type='list', elements='dict', required=True),
            ca_keys_path=dict(type='path', required=True),
            ca_keys_content=dict(type='str', required=True),
            principals_dir=dict(type='path', required=True),
            principals=dict(type='dict', required=True),
            principals_header=dict(type='str', required=True),
            account_form=dict(type='str', required=True),
            dropin_path=dict(type='path', required=True),
            dropin_content=dict(type='str', required=True),
            sshd_command=dict(type='str', required=True),
            sshd_config=dict(type='str', required=True),
            sshd_host_keys=dict(type='list', elements='str', default=[]),
            effective=dict(type='dict', required=True),
            krl=dict(type='dict', default=None),
        ),
        supports_check_mode=True,
    )
    p = module.params

    # 1. The CA keys: nothing is touched when one is bad.
    issues = key_issues(p['ca_keys'])
    if issues:
        module.fail_json(msg=REFUSING + '; '.join(issues))

    host_key_args = ['-h' + k for k in p['sshd_host_keys']]
    sshd = p['sshd_command']

    def validate_keys(tmp):
        # ssh-keygen -l needs at least one key in the file, the KRL parser refuses any line that is not one.
        for argv in (['ssh-keygen', '-l', '-f', tmp], ['ssh-keygen', '-k', '-f', '/dev/null', tmp]):
            rc, out, err = run(argv)
            if rc != 0:
                raise Failure('failed to validate', stdout=out, stderr=err, rc=rc, path=p['ca_keys_path'])

    def validate_dropin(tmp):
        rc, out, err = run([sshd, '-t'] + host_key_args + ['-f', tmp])
        if rc != 0:
            raise Failure('failed to validate', stdout=out, stderr=err, rc=rc, path=p['dropin_path'])

    t = Transaction(module.check_mode)
    dropin_changed = False
    try:
        # 2. Directories that exist keep their owner and mode (setting 0755 on, say, /tmp would drop its
        # sticky bit); only missing ones are created. The principals directory is the role's own.
        for d in sorted(set([os.path.dirname(p['ca_keys_path']), os.path.dirname(p['dropin_path'])])):
            t.ensure_dir(d, enforce=False)
        t.ensure_dir(p['principals_dir'], enforce=True)

        # 3. The keys file and the principals files first, the drop-in that points sshd at them last.
        t.write(p['ca_keys_path'], p['ca_keys_content'], validate_keys)
        for account in sorted(p['principals']):
            t.write(os.path.join(p['principals_dir'], account), p['principals'][account])

        # Only files this role (or the TypeScript renderer, the same bytes) wrote are ever removed:
        # regular files named like an account whose first two lines are the principals header.
        name_form = re.compile(p['account_form'])
        header = re.compile(p['principals_header'])
        if os.path.isdir(p['principals_dir']):
            for name in sorted(os.listdir(p['principals_dir'])):
                if name in p['principals'] or not name_form.fullmatch(name):
                    continue
                path = os.path.join(p['principals_dir'], name)
                content, st = t.current(path)
                if content is None:
                    continue
                if header.search(content.decode('utf-8', 'replace')):
                    t.remove(path)

        # The KRL (issue 20): the refresh's files, then the first fetch, before the drop-in names it.
        krl = p['krl']
        units_changed = False
        if krl:
            for f in krl['files']:
                t.ensure_dir(os.path.dirname(f['path']), enforce=False)
                if t.write(f['path'], f['content'], mode=int(f['mode'], 8)) and f['path'].endswith(('.service', '.timer')):
                    units_changed = True
            t.ensure_dir(os.path.dirname(krl['path']), enforce=False)
            if not module.check_mode:
                old, st = t.current(krl['path'])
                rc, out, err = run(['sh', krl['script']])
                if rc != 0:
                    module.warn(err.strip() or 'sshca-krl-refresh exited %d' % rc)
                    if not old:
                        rc, out, err = run(['ssh-keygen', '-q', '-k', '-f', krl['path']])
                        if rc != 0:
                            raise Failure('ssh_ca_trust: cannot make an empty KRL %s: %s' % (krl['path'], err.strip()))
                        os.chmod(krl['path'], FILE_MODE)
                        module.warn('the first KRL fetch failed; %s revokes nothing until the refresh succeeds' % krl['path'])
                new, _ = t.current(krl['path'])
                if new != old:
                    t.written.append(krl['path'])
                    t.undo.append(('restore', krl['path'], old, st))
            elif not os.path.exists(krl['path']):
                t.written.append(krl['path'])

        dropin_changed = t.write(p['dropin_path'], p['dropin_content'], validate_dropin)

        # 4. The whole configuration with the candidate files in place, and sshd's effective values:
        # sshd keeps the first value it reads, so a file included before the drop-in (or a line above
        # the Include) would silently win.
        # sshd -T checks the configuration as -t does and prints it: when nothing changed, it alone is run.
        if not module.check_mode:
            base = [sshd, '-t', '-f', p['sshd_config']] + host_key_args
            rc, out, err = run(base) if (t.directories or t.written or t.removed) else (0, '', '')
            if rc != 0:
                raise Failure('ssh_ca_trust: %s fails the check: %s. Nothing was changed and sshd was not reloaded.'
                              % (' '.join(base), err.strip()), stdout=out, stderr=err, rc=rc)
            rc, out, err = run([sshd, '-T', '-f', p['sshd_config']] + host_key_args)
            if rc != 0:
                raise Failure('ssh_ca_trust: %s -T fails: %s. Nothing was changed and sshd was not reloaded.'
                              % (sshd, err.strip()), stdout=out, stderr=err, rc=rc)
            lines = out.splitlines()
            wrong = []
            for keyword, value in p['effective'].items():
                value = '' if value is None else str(value)
                if not value:
                    continue
                found = [line for line in lines if line.startswith(keyword + ' ')]
                if '%s %s' % (keyword, value) not in found:
                    wrong.append('"%s" instead of "%s %s"' % (found[0] if found else keyword + ' (unset)', keyword, value))
            if wrong:
                raise Failure(
                    'ssh_ca_trust: %s does not put %s into effect: sshd -T says %s. sshd keeps the first value it '
                    'reads: make sure the Include of %s comes first and that no file sorting before %s sets these '
                    'keywords. sshd was not reloaded.' % (
                        p['sshd_config'], p['dropin_path'], ', '.join(wrong), os.path.dirname(p['dropin_path']),
                        os.path.basename(p['dropin_path'])))

        # 5. The timer, once everything else passed.
        if krl and krl.get('timer'):
            if not os.path.isdir('/run/systemd/system'):
                module.warn('systemd is not running: %s was not enabled' % krl['timer_name'])
            else:
                if units_changed and not module.check_mode:
                    rc, out, err = run(['systemctl', 'daemon-reload'])
                    if rc != 0:
                        raise Failure('ssh_ca_trust: systemctl daemon-reload failed: %s' % err.strip())
                enabled = run(['systemctl', 'is-enabled', '--quiet', krl['timer_name']])[0] == 0
                active = run(['systemctl', 'is-active', '--quiet', krl['timer_name']])[0] == 0
                if not (enabled and active):
                    t.written.append('systemctl enable --now ' + krl['timer_name'])
                    if not module.check_mode:
                        rc, out, err = run(['systemctl', 'enable', '--now', krl['timer_name']])
                        if rc != 0:
                            raise Failure('ssh_ca_trust: systemctl enable --now %s failed: %s' % (krl['timer_name'], err.strip()))
    except Failure as e:
        t.rollback()
        module.fail_json(msg=e.msg, **e.fields)
    except (IOError, OSError) as e:
        t.rollback()
        module.fail_json(msg='ssh_ca_trust: %s: %s; nothing was changed' % (getattr(e, 'filename', '') or '', e))

    changed = bool(t.directories or t.written or t.removed)
    module.exit_json(changed=changed, dropin_changed=dropin_changed, written=t.written, removed=t.removed,
                     directories=t.directories)


if __name__ == '__main__':
    main()
