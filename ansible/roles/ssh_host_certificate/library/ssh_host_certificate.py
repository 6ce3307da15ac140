#!/usr/bin/python
# -*- coding: utf-8 -*-
# The role's one task (issue 17, point 5) runs through the action plugin of the same name
# (action_plugins/ssh_host_certificate.py) on the control node; this file documents its options and is
# never run on a host by the role (run directly, it fails). The action runs the read-only module
# ssh_host_certificate_check on the host, signs only the public keys that need it from the control
# node, and runs ssh_host_certificate_install on the host only when something is to be installed.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: ssh_host_certificate
short_description: Certify the host's SSH host keys with a host CA and install the certificates, checked by sshd
description:
  - Runs on the control node (action plugin). Checks the inputs first and fails at once, without contacting the host, naming
    every problem; takes the host CA keys (O(ca_keys), or fetched from the backend).
  - Then the read-only module C(ssh_host_certificate_check) runs on the host and reports which host keys need a (new)
    certificate and the drop-in's current content.
  - The drop-in is rendered from O(dropin_template) on the control node with the check's result as C(ssh_host_certificate__check).
  - When no key needs a certificate and the drop-in is already right, nothing else happens (one module run on the host).
  - Otherwise only the public keys that need it are sent from the control node to C(<backend_url>/v1/<mount>/sign/<role>) (POST, C(X-Vault-Token) from the
    variable C(ssh_host_certificate_token), never a task argument), and a key the backend does not sign fails the host with the
    backend's own errors before anything is written. Then C(ssh_host_certificate_install) runs once on the host; it installs the
    certificates and the drop-in, checks them with C(ssh-keygen -L), C(sshd -t) and C(sshd -T), and undoes everything on failure.
  - In check mode nothing is signed or written; the result says whether anything would change.
options:
  backend_url:
    description: The Vault-compatible backend.
    type: str
    required: true
  mount:
    description: The host CA mount.
    type: str
    required: true
  role:
    description: The host role of that mount.
    type: str
    default: host
  validate_certs:
    description: Verify the backend's TLS certificate.
    type: bool
    default: true
  ca_bundle:
    description: PEM bundle on the control node to verify the backend with; empty uses the trust store.
    type: str
    default: ''
  ca_keys:
    description: The host CA public keys; empty fetches C(<backend_url>/v1/<mount>/public_key).
    type: list
    elements: str
    default: []
  ttl:
    description: TTL to ask for (C(720h)); empty takes the role's.
    type: str
    default: ''
  renew_before:
    description: Re-sign within this of expiry (C(48h)); empty re-signs in the last third of the lifetime.
    type: str
    default: ''
  principals:
    description: The host's names in the certificate.
    type: list
    elements: str
    required: true
  key_types:
    description: Key types whose C(/etc/ssh/ssh_host_<type>_key) is certified when it exists (without O(host_keys)).
    type: list
    elements: str
    default: [ed25519, ecdsa, rsa]
  host_keys:
    description: Private host key paths to certify instead.
    type: list
    elements: str
    default: []
  dropin_template:
    description: The role template that renders the drop-in.
    type: str
    required: true
  dropin_path:
    description: The drop-in with the C(HostCertificate) lines.
    type: str
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
- name: Certify the host keys
  ssh_host_certificate:
    backend_url: https://vault.example.com:8200
    mount: ssh-dev-host
    principals: [web-1.dev.example.com]
    dropin_template: sshd-dropin.conf.j2
    dropin_path: /etc/ssh/sshd_config.d/10-sshca-host-certificate.conf
    sshd_command: /usr/sbin/sshd
    sshd_config: /etc/ssh/sshd_config
'''

RETURN = r'''
host_keys:
  description: The check's verdict per host key (key, public_key, certificate, action, reason).
  type: list
  returned: success
signed:
  description: The host keys signed in this run.
  type: list
  returned: success
written:
  description: Files written (or that would be).
  type: list
  returned: success
'''

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            backend_url=dict(type='str', required=True),
            mount=dict(type='str', required=True),
            role=dict(type='str', default='host'),
            validate_certs=dict(type='bool', default=True),
            ca_bundle=dict(type='str', default=''),
            ca_keys=dict(type='list', elements='str', default=[]),
            ttl=dict(type='str', default=''),
            renew_before=dict(type='str', default=''),
            principals=dict(type='list', elements='str', required=True),
            key_types=dict(type='list', elements='str', default=['ed25519', 'ecdsa', 'rsa']),
            host_keys=dict(type='list', elements='str', default=[]),
            dropin_template=dict(type='str', required=True),
            dropin_path=dict(type='str', required=True),
            sshd_command=dict(type='str', required=True),
            sshd_config=dict(type='str', required=True),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg='ssh_host_certificate runs through its action plugin (the role ssh_host_certificate), not on a host')


if __name__ == '__main__':
    main()
