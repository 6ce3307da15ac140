#!/usr/bin/python
# -*- coding: utf-8 -*-
# The second (and last) module run of the ssh_host_certificate role on a host, only when a key needs
# signing or the drop-in differs (issue 17, point 5), run by the role's action plugin
# ssh_host_certificate after it signed the public keys from the control node. It installs each
# new certificate next to its host key
# (checked with ssh-keygen -L), then the drop-in with the HostCertificate lines (checked on its own
# with sshd -t -h <host keys>, which must pass without a word: sshd -t only warns about a certificate
# it cannot load), then checks the whole configuration with sshd -T: it must pass silently and show
# every certificate. Every file goes through a temporary file in its own directory and a rename; if
# anything fails, every change is undone, so sshd (reloaded only by the handler) never sees a half
# state. Only public material is handled: the private host keys are never opened here (sshd -t reads
# them itself). Python 3 standard library only.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: ssh_host_certificate_install
short_description: Install host certificates and their sshd drop-in, checked by sshd, in one step
description:
  - Writes each certificate and the drop-in root-owned C(0644) where they differ, through a temporary file and a rename.
  - A certificate must pass C(ssh-keygen -L); the drop-in must pass C(sshd -t -h <host keys>) on its own without output;
    the whole configuration must pass C(sshd -T) without output and show a C(hostcertificate) line per certificate.
  - On any failure every change is rolled back.
  - In check mode only reports what would change.
options:
  certificates:
    description: The certificates to install, each a dictionary with C(path) and C(content).
    type: list
    elements: dict
    default: []
  dropin_path:
    description: The drop-in with the C(HostCertificate) lines.
    type: path
    required: true
  dropin_content:
    description: Its content.
    type: str
    required: true
  host_keys:
    description: The private host key paths, passed to the drop-in's C(sshd -t) as C(-h) (never opened here).
    type: list
    elements: str
    required: true
  in_effect:
    description: The certificate paths C(sshd -T) must show as C(hostcertificate <path>).
    type: list
    elements: str
    required: true
  sshd_command:
    description: The sshd binary.
    type: str
    required: true
  sshd_config:
    description: The main sshd configuration, checked as a whole.
    type: str
    required: true
author:
  - vault-ssh-ca
'''

EXAMPLES = r'''
- name: Install the certificate and the drop-in
  ssh_host_certificate_install:
    certificates:
      - path: /etc/ssh/ssh_host_ed25519_key-cert.pub
        content: "ssh-ed25519-cert-v01@openssh.com AAAA...\n"
    dropin_path: /etc/ssh/sshd_config.d/10-sshca-host-certificate.conf
    dropin_content: "HostCertificate /etc/ssh/ssh_host_ed25519_key-cert.pub\n"
    host_keys: [/etc/ssh/ssh_host_ed25519_key]
    in_effect: [/etc/ssh/ssh_host_ed25519_key-cert.pub]
    sshd_command: /usr/sbin/sshd
    sshd_config: /etc/ssh/sshd_config
'''

RETURN = r'''
written:
  description: Files written (or that would be).
  type: list
  returned: always
'''

import os
import stat
import subprocess
import tempfile

from ansible.module_utils.basic import AnsibleModule

FILE_MODE = 0o644


class Failure(Exception):
    def __init__(self, msg, **fields):
        Exception.__init__(self, msg)
        self.msg = msg
        self.fields = fields


def run(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    return p.returncode, p.stdout, p.stderr


def current(path):
    try:
        st = os.lstat(path)
    except OSError:
        return None, None
    if not stat.S_ISREG(st.st_mode):
        raise Failure('ssh_host_certificate: %s exists and is not a regular file' % path)
    with open(path, 'rb') as f:
        return f.read(), st


def temporary(path, data, mode, uid, gid):
    fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.sshca-tmp', dir=os.path.dirname(path))
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


def main():
    module = AnsibleModule(
        argument_spec=dict(
            certificates=dict(type='list', elements='dict', default=[]),
            dropin_path=dict(type='path', required=True),
            dropin_content=dict(type='str', required=True),
            host_keys=dict(type='list', elements='str', required=True),
            in_effect=dict(type='list', elements='str', required=True),
            sshd_command=dict(type='str', required=True),
            sshd_config=dict(type='str', required=True),
        ),
        supports_check_mode=True,
    )
    p = module.params
    sshd = p['sshd_command']
    undo = []
    written = []

    def write(path, content, validate):
        data = content.encode('utf-8')
        old, st = current(path)
        if old == data and stat.S_IMODE(st.st_mode) == FILE_MODE and st.st_uid == 0 and st.st_gid == 0:
            return
        written.append(path)
        if module.check_mode:
            return
        if not os.path.isdir(os.path.dirname(path)):
            os.makedirs(os.path.dirname(path), 0o755)
        tmp = temporary(path, data, FILE_MODE, 0, 0)
        try:
            validate(tmp)
            os.rename(tmp, path)
        except BaseException:
            if os.path.lexists(tmp):
                os.unlink(tmp)
            raise
        undo.append((path, old, st))

    def validate_certificate(tmp):
        rc, out, err = run(['ssh-keygen', '-L', '-f', tmp])
        if rc != 0:
            raise Failure('failed to validate', stdout=out, stderr=err, rc=rc)

    def validate_dropin(tmp):
        # On its own, with the host keys it names, sshd must load every certificate without a word.
        rc, out, err = run([sshd, '-t'] + ['-h' + k for k in p['host_keys']] + ['-f', tmp])
        said = out + err
        if rc != 0 or said:
            raise Failure('failed to validate', stdout='', stderr=said, rc=rc or 1)

    def rollback():
        for path, old, st in reversed(undo):
            if old is None:
                if os.path.lexists(path):
                    os.unlink(path)
            else:
                os.rename(temporary(path, old, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid), path)

    try:
        for cert in p['certificates']:
            write(cert['path'], cert['content'], validate_certificate)
        write(p['dropin_path'], p['dropin_content'], validate_dropin)
        # sshd -T checks the configuration as -t does and prints it: every certificate must be in effect.
        if not module.check_mode:
            rc, out, err = run([sshd, '-T', '-f', p['sshd_config']])
            lines = out.splitlines()
            missing = [c for c in p['in_effect'] if 'hostcertificate ' + c not in lines]
            if rc != 0 or err or missing:
                raise Failure(
                    'ssh_host_certificate: %s -T -f %s does not accept the host certificates%s; nothing was changed and '
                    'sshd was not reloaded' % (sshd, p['sshd_config'], (': ' + err.strip()) if err.strip() else
                                               ' (not in effect: %s)' % ', '.join(missing)),
                    stderr=err, rc=rc)
    except Failure as e:
        rollback()
        module.fail_json(msg=e.msg, **e.fields)
    except (IOError, OSError) as e:
        rollback()
        module.fail_json(msg='ssh_host_certificate: %s; nothing was changed' % e)

    module.exit_json(changed=bool(written), written=written)


if __name__ == '__main__':
    main()
