#!/usr/bin/python
# -*- coding: utf-8 -*-
# The one read-only check of the ssh_host_certificate role, run on the host in a single connection:
# which host keys there are, and for each whether its installed certificate is still what is wanted
# (certifies this key, is a host certificate, is signed by a wanted CA key, names exactly the wanted
# principals and does not expire within the renewal window). Certificates are parsed here, by the
# OpenSSH wire format (PROTOCOL.certkeys), not through ssh-keygen -L, whose dates are local time.
# Only public keys and certificates are read: the private host keys are never opened.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: ssh_host_certificate_check
short_description: Report which SSH host keys need a (new) host certificate
description:
  - Finds the host's public host keys and reads the certificate installed next to each one.
  - Read-only; never opens a private key.
options:
  host_keys:
    description: Private host key paths; the public key is C(<key>.pub), the certificate C(<key>-cert.pub).
    type: list
    elements: str
    required: true
  principals:
    description: The principals the certificate must name, exactly.
    type: list
    elements: str
    required: true
  ca_keys:
    description: The host CA public keys a certificate may be signed by.
    type: list
    elements: str
    required: true
  renew_before:
    description: Re-sign when the certificate expires within this many seconds; -1 means a third of its lifetime.
    type: int
    required: true
  dropin_path:
    description: The drop-in whose current content is reported.
    type: str
    required: true
  skip_missing:
    description: Skip keys whose public key file does not exist (the default key list) instead of failing.
    type: bool
    default: false
  now:
    description: Current time as Unix seconds; the host's clock when 0.
    type: int
    default: 0
author:
  - vault-ssh-ca
'''

RETURN = r'''
host_keys:
  description: One entry per host key found, in the order given.
  type: list
  returned: always
dropin:
  description: The drop-in's current content, or null when it does not exist.
  type: str
  returned: always
'''

import base64
import os
import struct
import time

from ansible.module_utils.basic import AnsibleModule

CERT_SUFFIX = '-cert-v01@openssh.com'
# Fields of the certified key between the nonce and the serial, by certificate type.
KEY_FIELDS = {
    'ssh-ed25519': 1,
    'ssh-rsa': 2,
    'ecdsa-sha2-nistp256': 2,
    'ecdsa-sha2-nistp384': 2,
    'ecdsa-sha2-nistp521': 2,
    'sk-ssh-ed25519@openssh.com': 2,
    'sk-ecdsa-sha2-nistp256@openssh.com': 3,
}
FOREVER = 0xFFFFFFFFFFFFFFFF


class Reader(object):
    def __init__(self, data):
        self.data = data
        self.at = 0

    def take(self, n):
        if self.at + n > len(self.data):
            raise ValueError('truncated')
        out = self.data[self.at:self.at + n]
        self.at += n
        return out

    def string(self):
        return self.take(struct.unpack('>I', self.take(4))[0])

    def uint32(self):
        return struct.unpack('>I', self.take(4))[0]

    def uint64(self):
        return struct.unpack('>Q', self.take(8))[0]


def ssh_string(value):
    return struct.pack('>I', len(value)) + value


def key_blob(line):
    """The base64 blob of an authorized_keys-style line, or None."""
    parts = line.split()
    return parts[1] if len(parts) >= 2 else None


def parse_certificate(line):
    """The fields of an OpenSSH certificate line that decide renewal."""
    parts = line.split()
    if len(parts) < 2 or not parts[0].endswith(CERT_SUFFIX):
        raise ValueError('not an OpenSSH certificate')
    r = Reader(base64.b64decode(parts[1], validate=True))
    cert_type = r.string().decode('ascii')
    if cert_type != parts[0]:
        raise ValueError('type mismatch')
    plain = cert_type[:-len(CERT_SUFFIX)]
    if plain not in KEY_FIELDS:
        raise ValueError('unsupported certificate type ' + cert_type)
    r.string()  # nonce
    fields = [r.string() for _ in range(KEY_FIELDS[plain])]
    public_blob = ssh_string(plain.encode('ascii')) + b''.join(ssh_string(f) for f in fields)
    r.uint64()  # serial
    kind = r.uint32()
    r.string()  # key id
    principals_reader = Reader(r.string())
    principals = []
    while principals_reader.at < len(principals_reader.data):
        principals.append(principals_reader.string().decode('utf-8'))
    valid_after = r.uint64()
    valid_before = r.uint64()
    r.string()  # critical options
    r.string()  # extensions
    r.string()  # reserved
    signature_key = r.string()
    return {
        'public_key': plain + ' ' + base64.b64encode(public_blob).decode('ascii'),
        'host': kind == 2,
        'principals': principals,
        'valid_after': valid_after,
        'valid_before': valid_before,
        'ca_key': base64.b64encode(signature_key).decode('ascii'),
    }


def read_text(path):
    with open(path, 'r') as f:
        return f.read()


def decide(public_key, cert_path, wanted, now):
    """('keep' or 'sign', why) for one key."""
    if not os.path.exists(cert_path):
        return 'sign', 'no certificate'
    try:
        cert = parse_certificate(read_text(cert_path).strip())
    except (ValueError, TypeError, UnicodeDecodeError, struct.error) as e:
        return 'sign', 'the certificate cannot be read (%s)' % e
    if key_blob(cert['public_key']) != key_blob(public_key):
        return 'sign', 'the certificate is for another key'
    if not cert['host']:
        return 'sign', 'the certificate is not a host certificate'
    if cert['ca_key'] not in wanted['ca_blobs']:
        return 'sign', 'the certificate is signed by another CA'
    if sorted(set(cert['principals'])) != wanted['principals']:
        return 'sign', 'the certificate names principals %s instead of %s' % (
            ','.join(cert['principals']), ','.join(wanted['principals']))
    if cert['valid_before'] == FOREVER:
        return 'keep', 'valid forever'
    left = cert['valid_before'] - now
    window = wanted['renew_before']
    if window < 0:
        window = (cert['valid_before'] - cert['valid_after']) // 3
    if left <= window:
        return 'sign', 'the certificate expires in %d s (renewal window %d s)' % (left, window)
    return 'keep', 'valid for %d s more' % left


def main():
    module = AnsibleModule(
        argument_spec=dict(
            host_keys=dict(type='list', elements='str', required=True),
            principals=dict(type='list', elements='str', required=True),
            ca_keys=dict(type='list', elements='str', required=True),
            renew_before=dict(type='int', required=True),
            dropin_path=dict(type='str', required=True),
            skip_missing=dict(type='bool', default=False),
            now=dict(type='int', default=0),
        ),
        supports_check_mode=True,
    )
    p = module.params
    now = p['now'] or int(time.time())
    wanted = {
        'principals': sorted(set(p['principals'])),
        'ca_blobs': [key_blob(k) for k in p['ca_keys']],
        'renew_before': p['renew_before'],
    }
    keys = []
    for key in p['host_keys']:
        if p['skip_missing'] and not os.path.exists(key + '.pub'):
            continue
        try:
            public_key = ' '.join(read_text(key + '.pub').split()[:2])
        except (IOError, OSError) as e:
            module.fail_json(msg='ssh_host_certificate: cannot read the public host key %s.pub: %s' % (key, e.strerror))
        action, reason = decide(public_key, key + '-cert.pub', wanted, now)
        keys.append({'key': key, 'public_key': public_key, 'certificate': key + '-cert.pub',
                     'action': action, 'reason': reason})
    if not keys:
        module.fail_json(msg='ssh_host_certificate: no public host key found (looked for %s)' % ', '.join(
            k + '.pub' for k in p['host_keys']))
    dropin = read_text(p['dropin_path']) if os.path.exists(p['dropin_path']) else None
    module.exit_json(changed=False, host_keys=keys, dropin=dropin)


if __name__ == '__main__':
    main()
