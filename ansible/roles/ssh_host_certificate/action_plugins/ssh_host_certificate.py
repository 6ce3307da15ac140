# -*- coding: utf-8 -*-
# The role's one task (issue 17, point 5), on the control node: run the read-only check on the host,
# render the drop-in from the role's template, sign only the public keys that need it through the
# backend from here (in this process: no module run of its own, as a delegated uri task would cost),
# and only then, if anything is to be installed, run ssh_host_certificate_install once on the host. A
# re-run with fresh certificates costs one module run on the host. The token is read from the variable
# ssh_host_certificate_token here, so it is never a task argument, never sent to the host and never in
# a result or a message. Options: library/ssh_host_certificate.py.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import ConnectionError as UrlsConnectionError, open_url
from ansible.plugins.action import ActionBase
from ansible.template import AnsibleEnvironment


class ActionModule(ActionBase):

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        args = self._task.args

        check = self._execute_module(module_name='ssh_host_certificate_check', module_args=dict(args['check']),
                                     task_vars=task_vars)
        check.pop('invocation', None)
        if check.get('failed'):
            result.update(check)
            return result
        host_keys = check['host_keys']
        result['host_keys'] = host_keys

        dropin = self._render(args['dropin_template'], task_vars, check)
        to_sign = [k for k in host_keys if k['action'] == 'sign']
        result.update(changed=False, signed=[], written=[])
        if not to_sign and check.get('dropin') == dropin:
            return result

        certificates = []
        if to_sign and self._play_context.check_mode:
            result['changed'] = True  # the certificates would be replaced
        elif to_sign:
            token = self._templar.template('{{ ssh_host_certificate_token }}')
            failures = []
            for entry in to_sign:
                signed, why = self._sign(args, token, entry['public_key'])
                if signed is None:
                    failures.append('ssh_host_certificate: %s did not sign %s.pub: %s' % (args['sign_url'], entry['key'], why))
                else:
                    certificates.append({'path': entry['certificate'], 'content': signed.strip() + '\n'})
            if failures:
                result.update(failed=True, msg='; '.join(failures))
                return result
            result['signed'] = [entry['key'] for entry in to_sign]

        installed = self._execute_module(
            module_name='ssh_host_certificate_install',
            module_args=dict(
                certificates=certificates,
                dropin_path=args['dropin_path'],
                dropin_content=dropin,
                host_keys=[k['key'] for k in host_keys],
                in_effect=[k['certificate'] for k in host_keys],
                sshd_command=args['sshd_command'],
                sshd_config=args['sshd_config'],
            ),
            task_vars=task_vars)
        installed.pop('invocation', None)
        if installed.get('failed'):
            result.update(installed)
            return result
        result['written'] = installed.get('written', [])
        result['changed'] = result['changed'] or bool(installed.get('changed'))
        return result

    def _render(self, template, task_vars, check):
        """The drop-in, from the role's template, as the template module would render it."""
        path = self._find_needle('templates', template)
        with open(path, 'rb') as f:
            source = to_text(f.read(), errors='surrogate_or_strict')
        variables = dict(task_vars)
        variables['ssh_host_certificate__check'] = check
        # Not native Jinja, as ansible.builtin.template and the template lookup render.
        templar = self._templar.copy_with_new_env(environment_class=AnsibleEnvironment)
        with templar.set_temporary_context(available_variables=variables):
            rendered = templar.template(source, preserve_trailing_newlines=True, escape_backslashes=False,
                                              convert_data=False)
        if not isinstance(rendered, str):
            raise AnsibleError('ssh_host_certificate: %s did not render to text' % template)
        return rendered

    def _sign(self, args, token, public_key):
        """(signed certificate, None) or (None, why)."""
        body = dict(args.get('sign_body') or {})
        body['public_key'] = public_key
        try:
            response = open_url(args['sign_url'], method='POST', data=json.dumps(body),
                                headers={'X-Vault-Token': token, 'Content-Type': 'application/json'},
                                validate_certs=bool(args.get('validate_certs', True)),
                                ca_path=args.get('ca_bundle') or None, timeout=30, follow_redirects='safe')
            answer = json.loads(to_text(response.read()))
            signed = ((answer or {}).get('data') or {}).get('signed_key')
            if not signed:
                return None, '%s no signed_key in the answer' % response.getcode()
            return signed, None
        except HTTPError as e:
            try:
                errors = json.loads(to_text(e.read())).get('errors') or []
            except (ValueError, AttributeError):
                errors = []
            return None, '%s %s' % (e.code, '; '.join(to_text(x) for x in errors) or to_text(e.reason))
        except (URLError, UrlsConnectionError, OSError, ValueError) as e:
            return None, 'no answer %s' % to_text(getattr(e, 'reason', e))
