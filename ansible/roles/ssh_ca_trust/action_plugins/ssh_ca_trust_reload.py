# -*- coding: utf-8 -*-
# The ssh_ca_trust role's reload handler as one task (issue 17, point 5): one handler task costs a
# worker per host even when skipped, and the role used two (the configured command, or the service).
# With O(command) set, runs it through ansible.builtin.command (split like a shell would, not run by
# a shell); otherwise reloads O(service) with the service module (which finds systemd or the init
# script itself). Options: library/ssh_ca_trust_reload.py.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        command = self._task.args.get('command') or ''
        if command:
            result.update(self._execute_module(module_name='ansible.legacy.command',
                                               module_args={'_raw_params': command}, task_vars=task_vars))
            result['changed'] = not result.get('failed', False) and not result.get('skipped', False)
        else:
            result.update(self._execute_module(module_name='ansible.legacy.service',
                                               module_args={'name': self._task.args['service'], 'state': 'reloaded'},
                                               task_vars=task_vars))
        return result
