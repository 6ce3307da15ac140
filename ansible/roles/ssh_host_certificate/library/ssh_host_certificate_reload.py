#!/usr/bin/python
# -*- coding: utf-8 -*-
# Documents the ssh_host_certificate role's reload handler, which runs through the action plugin of the same name
# (action_plugins/ssh_host_certificate_reload.py) on the control node; run directly, it fails.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: ssh_host_certificate_reload
short_description: Reload sshd with a command or through its service, in one task
description:
  - With O(command), runs it on the host (ansible.builtin.command - split like a shell would, not run by a shell) and reports a change.
  - Otherwise reloads O(service) with the service module.
options:
  command:
    description: The command to run instead of reloading the service, e.g. C(kill -HUP 1234).
    type: str
    default: ''
  service:
    description: The service to reload (C(ssh) on Debian and Ubuntu, C(sshd) on RHEL and Amazon Linux).
    type: str
    default: ssh
author:
  - vault-ssh-ca
'''

EXAMPLES = r'''
- name: Reload sshd
  ssh_host_certificate_reload:
    service: ssh
'''

RETURN = r'''
rc:
  description: The command's exit status (with O(command)).
  type: int
  returned: with command
'''

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(command=dict(type='str', default=''), service=dict(type='str', default='ssh')),
        supports_check_mode=True,
    )
    module.fail_json(msg='ssh_host_certificate_reload runs through its action plugin, not on a host')


if __name__ == '__main__':
    main()
