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
  - Runs on the control node (action plugin). First the read-only module C(ssh_host_certificate_check) runs on the host with
    O(check) and reports which host keys need a (new) certificate and the drop-in's current content.
  - The drop-in is rendered from O(dropin_template) on the control node with the check's result as C(ssh_host_certificate__check).
  - When no key needs a certificate and the drop-in is already right, nothing else happens (one module run on the host).
  - Otherwise only the public keys that need it are sent from the control node to O(sign_url) (POST, C(X-Vault-Token) from the
    variable C(ssh_host_certificate_token), never a task argument), and a key the backend does not sign fails the host with the
    backend's own errors before anything is written. Then C(ssh_host_certificate_install) runs once on the host; it installs the
    certificates and the drop-in, checks them with C(ssh-keygen -L), C(sshd -t) and C(sshd -T), and undoes everything on failure.
  - In check mode nothing is signed or written; the result says whether anything would change.
options:
  check:
    description: The arguments of C(ssh_host_certificate_check).
    type: dict
    required: true
  sign_url:
    description: The backend's C(/v1/<mount>/sign/<role>) URL.
    type: str
    required: true
  sign_body:
    description: The sign request's body without C(public_key).
    type: dict
    required: true
  validate_certs:
    description: Verify the backend's TLS certificate.
    type: bool
    default: true
  ca_bundle:
    description: PEM bundle on the control node to verify the backend with; empty uses the trust store.
    type: str
    default: ''
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
    check:
      host_keys: [/etc/ssh/ssh_host_ed25519_key]
      principals: [web-1.dev.example.com]
      ca_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG4']
      renew_before: -1
      dropin_path: /etc/ssh/sshd_config.d/10-sshca-host-certificate.conf
    sign_url: https://vault.example.com:8200/v1/ssh-dev-host/sign/host
    sign_body: {cert_type: host, valid_principals: web-1.dev.example.com}
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
            check=dict(type='dict', required=True),
            sign_url=dict(type='str', required=True),
            sign_body=dict(type='dict', required=True),
            validate_certs=dict(type='bool', default=True),
            ca_bundle=dict(type='str', default=''),
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
