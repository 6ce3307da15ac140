# -*- coding: utf-8 -*-
# The role's one task (issue 17, point 5), on the control node: refuse what the inputs check found,
# fetch the CA public key from the backend (in this process: no task and no module run for it), check
# every CA key by form, normalise keys and principals, render the files from the role's templates (the
# same bytes as vault-ssh-ca's TypeScript renderers), then run the module ssh_ca_trust_files once on the
# host, which checks the keys with ssh-keygen, writes what differs, checks sshd and undoes everything on
# failure. The messages are the role's own words (and the TypeScript validator's). Options:
# library/ssh_ca_trust.py.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import ConnectionError as UrlsConnectionError, open_url
from ansible.plugins.action import ActionBase
from ansible.template import AnsibleEnvironment

REFUSING = 'ssh_ca_trust: refusing to change anything: '


class ActionModule(ActionBase):

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        a = self._task.args

        # 1. The inputs (checked by the role's Jinja, vars/main.yml): the host is not even contacted.
        if a.get('refuse'):
            result.update(failed=True, changed=False, msg=REFUSING + a['refuse'])
            return result

        # 2. The keys: literal ones first, then the backend's.
        literal = [to_text(k).strip() for k in a.get('ca_keys') or []]
        fetched = []
        url = a.get('public_key_url') or ''
        if url:
            status, content, error = self._fetch(url, a)
            if status == 200:
                fetched = [line.strip() for line in content.splitlines()]
                fetched = [line for line in fetched if not re.search(r'^(#|$)', line)]
            if not fetched:
                if status in (200, 404):
                    why = ('answered %d and no CA public key: is %s an SSH secrets engine with a CA? '
                           '(vault write %s/config/ca generate_signing_key=true)' % (status, a['mount'], a['mount']))
                else:
                    why = 'could not be fetched: %s%s' % (('%d ' % status) if status > 0 else '', error)
                result.update(failed=True, changed=False, msg='%s%s %s' % (REFUSING, url, why))
                return result

        # 3. Each key by form; only keys of the right form go to the host for ssh-keygen -l.
        key_form = re.compile(a['key_form'])
        key_types = list(a['key_types'])
        checks = []
        for i, key in enumerate(literal + fetched):
            source = ('ssh_ca_trust_ca_keys[%d]' % i if i < len(literal)
                      else '%s line %d' % (url, i - len(literal) + 1))
            kind = (key.split() + [''])[0]
            issue = ''
            if 'PRIVATE KEY' in key:
                issue = source + ' is a private key: hosts need only the CA public key'
            elif not key_form.fullmatch(key):
                issue = source + ' is not an SSH public key line "<type> <base64> [comment]"'
            elif kind.endswith('-cert-v01@openssh.com'):
                issue = source + ' is a certificate (' + kind + '): TrustedUserCAKeys needs the public key of the CA itself'
            elif kind not in key_types:
                issue = source + ' has key type ' + kind + ', allowed: ' + ', '.join(key_types)
            checks.append({'source': source, 'issue': issue, 'key': '' if issue else key})

        # 4. "<type> <base64>", comments dropped, duplicates removed keeping the first; accounts and their
        # principals unique and in code-point order.
        keys = []
        for line in literal + fetched:
            key = ' '.join(line.split()[:2])
            if key not in keys:
                keys.append(key)
        accounts = [{'account': account, 'principals': sorted(set(principals))}
                    for account, principals in sorted((a.get('principals') or {}).items())]

        # 5. The files, from the role's templates.
        base = {
            'ssh_ca_trust_environment': a['environment'],
            'ssh_ca_trust_ca_keys_path': a['ca_keys_path'],
            'ssh_ca_trust_principals_dir': a['principals_dir'],
            'ssh_ca_trust_keep_authorized_keys': a['keep_authorized_keys'],
            'ssh_ca_trust__keys': keys,
        }
        module_args = dict(
            ca_keys=checks,
            ca_keys_path=a['ca_keys_path'],
            ca_keys_content=self._render('trusted_user_ca_keys.j2', base),
            principals_dir=a['principals_dir'],
            principals=dict((item['account'], self._render('principals.j2', dict(base, item=item))) for item in accounts),
            principals_header=a['principals_header'],
            account_form=a['account_form'],
            dropin_path=a['dropin_path'],
            dropin_content=self._render('sshd-dropin.conf.j2', base),
            sshd_command=a['sshd_command'],
            sshd_config=a['sshd_config'],
            sshd_host_keys=list(a.get('sshd_host_keys') or []),
            effective={
                'trustedusercakeys': a['ca_keys_path'],
                'authorizedprincipalsfile': '%s/%%u' % a['principals_dir'],
                # Empty: not checked.
                'authorizedkeysfile': '' if boolean(a['keep_authorized_keys'], strict=False) else 'none',
            },
        )
        result.update(self._execute_module(module_name='ssh_ca_trust_files', module_args=module_args,
                                           task_vars=task_vars))
        result.pop('invocation', None)
        return result

    def _render(self, template, variables):
        """A role template with only the given variables, as ansible.builtin.template renders it."""
        path = self._find_needle('templates', template)
        with open(path, 'rb') as f:
            source = to_text(f.read(), errors='surrogate_or_strict')
        templar = self._templar.copy_with_new_env(environment_class=AnsibleEnvironment)
        with templar.set_temporary_context(available_variables=variables, searchpath=[os.path.dirname(path)]):
            rendered = templar.template(source, preserve_trailing_newlines=True, escape_backslashes=False,
                                        convert_data=False)
        if not isinstance(rendered, str):
            raise AnsibleError('ssh_ca_trust: %s did not render to text' % template)
        return rendered

    @staticmethod
    def _fetch(url, a):
        """(HTTP status or -1, body, why there is no answer): the key is public, asked without a token."""
        try:
            response = open_url(url, method='GET', validate_certs=boolean(a.get('validate_certs', True), strict=False),
                                ca_path=a.get('ca_bundle') or None, timeout=30, follow_redirects='safe')
            return response.getcode(), to_text(response.read()), ''
        except HTTPError as e:
            return e.code, '', to_text(e.reason)
        except (URLError, UrlsConnectionError, OSError, ValueError) as e:
            return -1, '', to_text(getattr(e, 'reason', e))
