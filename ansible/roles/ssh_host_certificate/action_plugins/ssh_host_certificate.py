# -*- coding: utf-8 -*-
# The role's one task (issue 17, point 5), on the control node: check the inputs (in Python, no per-host
# Jinja), take the host CA keys (given, or fetched from the backend here), run the read-only check on
# the host, render the drop-in from the role's template, sign only the public keys that need it through the
# backend from here (in this process: no module run of its own, as a delegated uri task would cost),
# and only then, if anything is to be installed, run ssh_host_certificate_install once on the host. A
# re-run with fresh certificates costs one module run on the host. The token is read from the variable
# ssh_host_certificate_token here, so it is never a task argument, never sent to the host and never in
# a result or a message. Options: library/ssh_host_certificate.py.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible.errors import AnsibleError
from ansible.module_utils.common.json import AnsibleJSONEncoder
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import ConnectionError as UrlsConnectionError, open_url
from ansible.plugins.action import ActionBase
from ansible.template import AnsibleEnvironment


REFUSING = 'ssh_host_certificate: refusing to change anything: '
URL_FORM = r'https?://[^ /]+(/[^ ]*)?'
MOUNT_FORM = r'[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*'
DURATION_FORM = r'[0-9]+[smhd]?'  # "<n>[smhd]"; empty: the default


def to_json(value):
    """As the to_json filter writes a value into a message."""
    return json.dumps(value, cls=AnsibleJSONEncoder)


def plan(a, token):
    """The derived values of the role's inputs, and every problem of them (the role's words)."""
    base_url = re.sub(r'/+$', '', to_text(a.get('backend_url') or ''))
    mount_path = re.sub(r'^/+|/+$', '', to_text(a.get('mount') or ''))
    user_keys = list(a.get('host_keys') or [])
    host_keys = user_keys or ['/etc/ssh/ssh_host_%s_key' % t for t in a.get('key_types') or []]
    # Unique regardless of case (the first spelling kept), sorted regardless of case.
    principals, seen = [], set()
    for name in (to_text(p) for p in a.get('principals') or []):
        if name.lower() not in seen:
            seen.add(name.lower())
            principals.append(name)
    principals.sort(key=lambda name: name.lower())
    renew = to_text(a.get('renew_before') if a.get('renew_before') is not None else '').strip()
    ttl = to_text(a.get('ttl') or '')
    issues = []
    url = a.get('backend_url') if a.get('backend_url') is not None else ''
    if not re.fullmatch(URL_FORM, to_text(url)):
        issues.append('ssh_host_certificate_backend_url must be an http:// or https:// URL, got ' + to_json(url))
    if not re.fullmatch(MOUNT_FORM, mount_path):
        issues.append('ssh_host_certificate_mount must name the host CA mount, e.g. ssh-dev-host, got '
                      + to_json(a.get('mount') if a.get('mount') is not None else ''))
    if not re.fullmatch(r'[A-Za-z0-9_.-]+', to_text(a.get('role'))):
        issues.append('ssh_host_certificate_role must be a role name, got ' + to_json(a.get('role')))
    if not token:
        issues.append('no token: set VAULT_TOKEN on the control node, or ssh_host_certificate_token'
                      ' from Ansible Vault or a lookup (never a literal in the inventory)')
    if not principals:
        issues.append('ssh_host_certificate_principals is empty: name the host as clients reach it')
    for name in principals:
        if not re.fullmatch(r'[A-Za-z0-9_.:*-]+', name):
            issues.append('principal ' + to_json(name) + ' must be a host name or address (letters, digits, . - _ : *)')
    if renew and not re.fullmatch(DURATION_FORM, renew):
        issues.append('ssh_host_certificate_renew_before must be seconds or a duration such as 48h or 10d, got ' + to_json(renew))
    if ttl and not re.fullmatch(DURATION_FORM, ttl):
        issues.append('ssh_host_certificate_ttl must be seconds or a duration such as 720h, got ' + to_json(ttl))
    for path in host_keys + [a.get('dropin_path')]:
        if not re.fullmatch(r'/[A-Za-z0-9._/-]+', to_text(path)):
            issues.append(to_json(path) + ' must be an absolute path of letters, digits and ._/-')
    if not to_text(a.get('dropin_path')).endswith('.conf'):
        issues.append("the drop-in's name must end in .conf (sshd_config.d/*.conf), got " + to_text(a.get('dropin_path')))
    renew_seconds = -1
    if renew and not issues:
        renew_seconds = int(re.sub(r'[smhd]$', '', renew)) * {'': 1, 's': 1, 'm': 60, 'h': 3600, 'd': 86400}[re.sub(r'^[0-9]+', '', renew)]
    body = {'cert_type': 'host', 'valid_principals': ','.join(principals)}
    if ttl:
        body['ttl'] = ttl
    return issues, {
        'mount_path': mount_path,
        'public_key_url': '%s/v1/%s/public_key' % (base_url, mount_path),
        'sign_url': '%s/v1/%s/sign/%s' % (base_url, mount_path, to_text(a.get('role'))),
        'sign_body': body,
        'host_keys': host_keys,
        'skip_missing': not user_keys,
        'principals': principals,
        'renew_seconds': renew_seconds,
    }


class ActionModule(ActionBase):

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        args = self._task.args

        # 1. The inputs: any problem fails the host before it is even contacted.
        token = self._templar.template('{{ ssh_host_certificate_token }}')
        issues, p = plan(args, token)
        if issues:
            result.update(failed=True, changed=False, msg=REFUSING + '; '.join(issues))
            return result

        # 2. The host CA keys: given, or fetched (public, unauthenticated, as Vault serves them).
        ca_keys = [to_text(k) for k in args.get('ca_keys') or []]
        if not ca_keys:
            status, content, why = self._fetch(p['public_key_url'], args)
            if status != 200:
                result.update(failed=True, changed=False, msg='%s%s could not be fetched: %s' % (
                    REFUSING, p['public_key_url'], ('%d %s' % (status, why)) if status > 0 else why))
                return result
            ca_keys = content.splitlines()
        ca_keys = [k.strip() for k in ca_keys]
        ca_keys = [k for k in ca_keys if not re.search(r'^(#|$)', k)]

        # 3. The one connection of a re-run: which keys exist, and whether each certificate is still wanted.
        check = self._execute_module(module_name='ssh_host_certificate_check', module_args=dict(
            host_keys=p['host_keys'], skip_missing=p['skip_missing'], principals=p['principals'], ca_keys=ca_keys,
            renew_before=p['renew_seconds'], dropin_path=args['dropin_path']), task_vars=task_vars)
        check.pop('invocation', None)
        if check.get('failed'):
            result.update(check)
            return result
        host_keys = check['host_keys']
        result['host_keys'] = host_keys

        dropin = self._render(args['dropin_template'], {'ssh_host_certificate__mount_path': p['mount_path'],
                                                        'ssh_host_certificate__check': check})
        to_sign = [k for k in host_keys if k['action'] == 'sign']
        result.update(changed=False, signed=[], written=[])
        if not to_sign and check.get('dropin') == dropin:
            return result

        certificates = []
        if to_sign and self._play_context.check_mode:
            result['changed'] = True  # the certificates would be replaced
        elif to_sign:
            failures = []
            for entry in to_sign:
                signed, why = self._sign(p, args, token, entry['public_key'])
                if signed is None:
                    failures.append('ssh_host_certificate: %s did not sign %s.pub: %s' % (p['sign_url'], entry['key'], why))
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

    def _render(self, template, variables):
        """The drop-in, from the role's template with only the given variables, as the template module renders it."""
        path = self._find_needle('templates', template)
        with open(path, 'rb') as f:
            source = to_text(f.read(), errors='surrogate_or_strict')
        # Not native Jinja, as ansible.builtin.template and the template lookup render.
        templar = self._templar.copy_with_new_env(environment_class=AnsibleEnvironment)
        with templar.set_temporary_context(available_variables=variables):
            rendered = templar.template(source, preserve_trailing_newlines=True, escape_backslashes=False,
                                              convert_data=False)
        if not isinstance(rendered, str):
            raise AnsibleError('ssh_host_certificate: %s did not render to text' % template)
        return rendered

    @staticmethod
    def _fetch(url, args):
        """(HTTP status or -1, body, why there is no answer)."""
        try:
            response = open_url(url, method='GET', validate_certs=boolean(args.get('validate_certs', True), strict=False),
                                ca_path=args.get('ca_bundle') or None, timeout=30, follow_redirects='safe')
            return response.getcode(), to_text(response.read()), ''
        except HTTPError as e:
            return e.code, '', to_text(e.reason)
        except (URLError, UrlsConnectionError, OSError, ValueError) as e:
            return -1, '', to_text(getattr(e, 'reason', e))

    @staticmethod
    def _sign(p, args, token, public_key):
        """(signed certificate, None) or (None, why)."""
        body = dict(p['sign_body'])
        body['public_key'] = public_key
        try:
            response = open_url(p['sign_url'], method='POST', data=json.dumps(body),
                                headers={'X-Vault-Token': token, 'Content-Type': 'application/json'},
                                validate_certs=boolean(args.get('validate_certs', True), strict=False),
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
