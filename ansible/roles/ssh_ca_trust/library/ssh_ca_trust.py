#!/usr/bin/python
# -*- coding: utf-8 -*-
# The role's one task (issue 17, point 5) runs through the action plugin of the same name
# (action_plugins/ssh_ca_trust.py) on the control node; this file documents its options and is never
# run on a host by the role (run directly, it fails). The action checks, fetches and renders on the
# control node, then runs the module ssh_ca_trust_files once on the host.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: ssh_ca_trust
short_description: Make sshd trust one environment's SSH user CA, in one module run on the host
description:
  - Runs on the control node (action plugin). Checks the inputs first (environment, key sources, principals, paths and their
    overlaps) and fails at once, without contacting the host, naming every problem.
  - Fetches O(public_key_url) when set (unauthenticated; a 404 or empty answer, or no answer, fails the host), checks every CA
    key by form (private keys, certificates and unknown types are refused; only keys of the right form go to the host),
    normalises keys and principals and renders the trusted keys file, the principals files and the drop-in from the role's
    templates.
  - Then runs C(ssh_ca_trust_files) once on the host, which checks the keys with C(ssh-keygen -l), writes only what differs,
    checks the whole configuration with C(sshd -t) and C(sshd -T) and undoes every change on failure.
options:
  environment:
    description: The environment's name, written into the files' header comments.
    type: str
    required: true
  ca_keys:
    description: CA public keys given literally.
    type: list
    elements: str
    default: []
  backend_url:
    description: The backend's address as given (checked with O(mount)).
    type: str
    default: ''
  public_key_url:
    description: The backend's C(/v1/<mount>/public_key); empty fetches nothing.
    type: str
    default: ''
  mount:
    description: The mount, for messages.
    type: str
    default: ''
  validate_certs:
    description: Verify the backend's TLS certificate.
    type: bool
    default: true
  ca_bundle:
    description: PEM bundle on the control node to verify the backend with; empty uses the trust store.
    type: str
    default: ''
  principals:
    description: Account to the principals that may log in as it.
    type: dict
    default: {}
  keep_authorized_keys:
    description: False adds C(AuthorizedKeysFile none) to the drop-in.
    type: bool
    default: true
  environment_form:
    description: Python regular expression (whole name) of an environment name.
    type: str
    required: true
  principal_form:
    description: Python regular expression (whole principal) of a principal.
    type: str
    required: true
  system_dirs:
    description: Directories the principals directory may never be.
    type: list
    elements: str
    required: true
  key_form:
    description: Python regular expression (whole line) of an acceptable CA key line.
    type: str
    required: true
  key_types:
    description: Key types accepted for a CA.
    type: list
    elements: str
    required: true
  principals_header:
    description: Passed to C(ssh_ca_trust_files).
    type: str
    required: true
  account_form:
    description: Passed to C(ssh_ca_trust_files).
    type: str
    required: true
  ca_keys_path:
    description: The TrustedUserCAKeys file.
    type: str
    required: true
  principals_dir:
    description: The directory of the principals files.
    type: str
    required: true
  dropin_path:
    description: The sshd drop-in.
    type: str
    required: true
  sshd_command:
    description: The sshd binary.
    type: str
    required: true
  sshd_config:
    description: The main sshd configuration.
    type: str
    required: true
  sshd_host_keys:
    description: Host keys passed as C(-h) to every sshd check.
    type: list
    elements: str
    default: []
  krl_url:
    description: The KRL's URL (issue 20); empty means no KRL. See the role's O(ssh_ca_trust_krl_url).
    type: str
    default: ''
  krl_ca_cert:
    description: PEM CA certificates for curl; empty uses the host's trust store.
    type: str
    default: ''
  krl_allow_http:
    description: Accept an http URL (tests only).
    type: bool
    default: false
  krl_path:
    description: The installed KRL.
    type: str
  krl_script_path:
    description: The refresh script.
    type: str
  krl_ca_cert_path:
    description: Where O(krl_ca_cert) goes.
    type: str
  krl_systemd_dir:
    description: Directory of the service and timer units.
    type: str
  krl_max_bytes:
    description: Largest KRL accepted.
    type: int
  krl_max_time:
    description: Longest fetch, seconds.
    type: int
  krl_timer:
    description: Enable and start the timer.
    type: bool
    default: true
author:
  - vault-ssh-ca
'''

EXAMPLES = r'''
- name: Trust the dev CA
  ssh_ca_trust:
    environment: dev
    public_key_url: https://vault.example.com:8200/v1/ssh-dev/public_key
    mount: ssh-dev
    principals: {ubuntu: [ubuntu]}
    environment_form: '[a-z0-9][a-z0-9_-]{0,31}'
    principal_form: '(?!#)[!-+.-~-]+'
    system_dirs: [/, /etc, /etc/ssh]
    key_form: '[a-z0-9@.-]+[ \t]+[A-Za-z0-9+/]+={0,2}([ \t].*)?'
    key_types: [ssh-ed25519]
    principals_header: '\A# Managed by vault-ssh-ca'
    account_form: '[a-z]+'
    ca_keys_path: /etc/ssh/sshca/trusted_user_ca_keys
    principals_dir: /etc/ssh/sshca/principals
    dropin_path: /etc/ssh/sshd_config.d/10-sshca.conf
    sshd_command: /usr/sbin/sshd
    sshd_config: /etc/ssh/sshd_config
'''

RETURN = r'''
dropin_changed:
  description: Whether the drop-in was (or would be) written; only then sshd needs a reload.
  type: bool
  returned: success
written:
  description: Files written (or that would be).
  type: list
  returned: success
removed:
  description: Principals files removed (or that would be).
  type: list
  returned: success
directories:
  description: Directories created, or whose owner or mode was set (or would be).
  type: list
  returned: success
'''

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            environment=dict(type='str', required=True),
            backend_url=dict(type='str', default=''),
            ca_keys=dict(type='list', elements='str', default=[]),
            public_key_url=dict(type='str', default=''),
            mount=dict(type='str', default=''),
            validate_certs=dict(type='bool', default=True),
            ca_bundle=dict(type='str', default=''),
            principals=dict(type='dict', default={}),
            keep_authorized_keys=dict(type='bool', default=True),
            environment_form=dict(type='str', required=True),
            principal_form=dict(type='str', required=True),
            system_dirs=dict(type='list', elements='str', required=True),
            key_form=dict(type='str', required=True),
            key_types=dict(type='list', elements='str', required=True),
            principals_header=dict(type='str', required=True),
            account_form=dict(type='str', required=True),
            ca_keys_path=dict(type='str', required=True),
            principals_dir=dict(type='str', required=True),
            dropin_path=dict(type='str', required=True),
            sshd_command=dict(type='str', required=True),
            sshd_config=dict(type='str', required=True),
            sshd_host_keys=dict(type='list', elements='str', default=[]),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg='ssh_ca_trust runs through its action plugin (the role ssh_ca_trust), not on a host')


if __name__ == '__main__':
    main()
