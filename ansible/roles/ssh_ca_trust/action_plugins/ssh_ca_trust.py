# -*- coding: utf-8 -*-
# The role's one task (issue 17, point 5), on the control node: check the inputs (in Python, no
# per-host Jinja: the same rules and words as the TypeScript validator), fetch the CA public key from the backend (in this process: no task and no module run for it), check
# every CA key by form, normalise keys and principals, render the files from the role's templates (the
# same bytes as vault-ssh-ca's TypeScript renderers), then run the module ssh_ca_trust_files once on the
# host, which checks the keys with ssh-keygen, writes what differs, checks sshd and undoes everything on
# failure. The messages are the role's own words (and the TypeScript validator's). Options:
# library/ssh_ca_trust.py.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

from ansible.errors import AnsibleError
from ansible.module_utils.common._collections_compat import Mapping
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.six import string_types
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import ConnectionError as UrlsConnectionError, open_url
from ansible.module_utils.common.json import AnsibleJSONEncoder
from ansible.plugins.action import ActionBase
from ansible.template import AnsibleEnvironment

REFUSING = 'ssh_ca_trust: refusing to change anything: '
OWN = 'give the principals files a directory of their own, such as /etc/ssh/sshca/principals'


def to_json(value):
    """As the to_json filter writes a value into a message."""
    return json.dumps(value, cls=AnsibleJSONEncoder)


def is_sequence(value):
    """Jinja's sequence test: has a length and items."""
    return hasattr(value, '__len__') and hasattr(value, '__getitem__')


def input_issues(a):
    """Every problem of the inputs, in order: the rules and words of core/render/host-trust.ts and path-checks.ts."""
    issues = []
    env = a.get('environment')
    if not (isinstance(env, string_types) and re.fullmatch(a['environment_form'], env)):
        issues.append('environment must be 1-32 lower-case letters, digits, _ or -, got ' + to_json(env))
    url = a.get('backend_url') or ''
    mount = a.get('mount') or ''
    if (len(url) > 0) != (len(mount) > 0):
        issues.append('ssh_ca_trust_backend_url and ssh_ca_trust_mount go together: set both to fetch the CA public key, or neither')
    if url and not re.fullmatch(r'https?://[^ /]+(/[^ ]*)?', url):
        issues.append('ssh_ca_trust_backend_url must be an http:// or https:// URL, got ' + to_json(url))
    if not a.get('ca_keys') and not url:
        issues.append('at least one CA public key is required: set ssh_ca_trust_ca_keys, or ssh_ca_trust_backend_url and ssh_ca_trust_mount')
    principals = a.get('principals')
    if not isinstance(principals, Mapping):
        issues.append('ssh_ca_trust_principals must map each account to a list of principals')
    else:
        for account, names in sorted(principals.items(), key=lambda item: item[0]):
            field = 'principals.%s' % (account,)
            if not (isinstance(account, string_types) and re.fullmatch(a['account_form'], account)):
                issues.append(field + ': ' + to_json(account) + ' is not a valid account name')
            if (isinstance(names, string_types) or isinstance(names, Mapping) or not is_sequence(names)
                    or any(not isinstance(n, string_types) for n in names)):
                issues.append(field + ': must be a list of principals (strings)')
            elif len(names) == 0:
                issues.append(field + ': account %s has no principals' % (account,))
            else:
                for name in sorted(set(names)):
                    if not re.fullmatch(a['principal_form'], name):
                        issues.append(field + ': principal ' + to_json(name)
                                      + ' must be printable ASCII without spaces or commas, not starting with #')
                    elif name == '*':
                        issues.append(field + ': principal "*" is refused: sshd matches principals literally')
    paths = [('ssh_ca_trust_dropin_path', a.get('dropin_path')), ('ssh_ca_trust_ca_keys_path', a.get('ca_keys_path')),
             ('ssh_ca_trust_principals_dir', a.get('principals_dir'))]
    formed = True
    for field, path in paths:
        if (not isinstance(path, string_types) or not re.fullmatch(r'/[A-Za-z0-9._/-]+', path)
                or '.' in path.split('/') or '..' in path.split('/')):
            issues.append(field + ' must be an absolute path of letters, digits and ._/-, got ' + to_json(path))
            formed = False
        elif re.match(r'/etc/ssh/ssh_host_.*key', path):
            issues.append(field + ' ' + path + ' matches /etc/ssh/ssh_host_*key*, which cloud-init deletes on first boot')
    dropin = os.path.basename(to_text(a.get('dropin_path')))
    if not dropin.endswith('.conf') or dropin >= '50-cloud-init.conf':
        issues.append("the drop-in's name must end in .conf and sort before 50-cloud-init.conf, got " + dropin)
    # Overlapping paths (issue 13): the principals directory is the one the role removes files from, so it
    # may hold nothing else. The same rules and words as core/render/path-checks.ts checkOverlaps.
    if formed:
        named = [('the principals directory', a['principals_dir'], True), ('the drop-in', a['dropin_path'], True),
                 ('the trusted CA keys file', a['ca_keys_path'], True),
                 ('the sshd config', to_text(a.get('sshd_config')), False),
                 ('the sshd command', to_text(a.get('sshd_command')), False)]
        for key in a.get('sshd_host_keys') or []:
            named.append(('the sshd host key', to_text(key), False))
        normal = ['/' + '/'.join(part for part in path.split('/') if part != '') for _, path, _ in named]
        dir_name, dir_path, _ = named[0]
        if normal[0] in list(a['system_dirs']):
            issues.append(dir_name + ' ' + dir_path + ' is a system directory: ' + OWN)
        for i in range(len(named)):
            for j in range(i + 1, len(named)):
                if (named[i][2] or named[j][2]) and normal[i] == normal[j]:
                    issues.append(named[i][0] + ' and ' + named[j][0] + ' are both ' + named[j][1] + ': each needs a path of its own')
        inside = '/' if normal[0] == '/' else normal[0] + '/'
        for i in range(1, len(named)):
            if normal[i].startswith(inside):
                issues.append(dir_name + ' ' + dir_path + ' contains ' + named[i][0] + ' ' + named[i][1] + ': ' + OWN)
    return issues + krl_issues(a)


PEM_CERT = re.compile(r'-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n?')


def krl_issues(a):
    """The problems of the KRL inputs (issue 20, point 1): the rules and words of core/render/krl-refresh.ts."""
    url = a.get('krl_url') or ''
    if not url:
        return []
    issues = []
    allow_http = boolean(a.get('krl_allow_http', False), strict=False)
    if not re.fullmatch(r'[!-~]+', url) or re.search('[\'"\\\\`$]', url):
        issues.append('ssh_ca_trust_krl_url must be printable ASCII without spaces, quotes, backslashes or $, got ' + to_json(url))
    elif not re.fullmatch(r'https?://[^ /]+(/[^ ]*)?', url):
        issues.append('ssh_ca_trust_krl_url is not a URL: ' + to_json(url))
    elif url.startswith('http://') and not allow_http:
        issues.append('ssh_ca_trust_krl_url must be https (the KRL decides who may log in), got ' + url
                      + '; http is for tests only (ssh_ca_trust_krl_allow_http)')
    cert = normal_pem(a.get('krl_ca_cert') or '')
    if cert:
        blocks = re.findall(r'-----BEGIN [^\n]*-----\n[\s\S]*?-----END [^\n]*-----\n?', cert)
        if 'PRIVATE KEY' in cert:
            issues.append('ssh_ca_trust_krl_ca_cert holds a private key: give the CA certificate only')
        elif not blocks or ''.join(blocks) != cert or not all(PEM_CERT.fullmatch(b) for b in blocks):
            issues.append('ssh_ca_trust_krl_ca_cert must be PEM certificates (-----BEGIN CERTIFICATE-----)')
    for field, low, high in (('krl_max_bytes', 1024, None), ('krl_max_time', 1, 3600)):
        value = a.get(field)
        try:
            number = int(to_text(value))
        except ValueError:
            number = None
        if number is None or number < low or (high is not None and number > high):
            issues.append('ssh_ca_trust_%s must be %s, got %s' % (
                field, 'an integer of at least 1024' if high is None else 'whole seconds from 1 to 3600', to_text(value)))
    paths = [('ssh_ca_trust_krl_path', a.get('krl_path')), ('ssh_ca_trust_krl_script_path', a.get('krl_script_path')),
             ('ssh_ca_trust_krl_ca_cert_path', a.get('krl_ca_cert_path')),
             ('ssh_ca_trust_krl_systemd_dir', a.get('krl_systemd_dir'))]
    for field, path in paths:
        if (not isinstance(path, string_types) or not re.fullmatch(r'/[A-Za-z0-9._/-]+', path)
                or '.' in path.split('/') or '..' in path.split('/')):
            issues.append(field + ' must be an absolute path of letters, digits and ._/-, got ' + to_json(path))
    written = [(f, p) for f, p in paths[:3] if isinstance(p, string_types)]
    for i in range(len(written)):
        for j in range(i + 1, len(written)):
            if written[i][1].rstrip('/') == written[j][1].rstrip('/'):
                issues.append(written[i][0] + ' and ' + written[j][0] + ' are both ' + written[j][1] + ': each needs a path of its own')
    for field, path in written:
        for other in (a.get('ca_keys_path'), a.get('dropin_path')):
            if path == other:
                issues.append(field + ' is ' + path + ', a file of its own is needed')
        if isinstance(a.get('principals_dir'), string_types) and path.startswith(a['principals_dir'].rstrip('/') + '/'):
            issues.append('the principals directory ' + a['principals_dir'] + ' contains ' + field + ' ' + path + ': ' + OWN)
    return issues


def normal_pem(text):
    """As core's validateKrlRefresh: CRLF to LF, trimmed, one final newline; empty stays empty."""
    text = to_text(text).replace('\r\n', '\n').strip()
    return text + '\n' if text else ''


class ActionModule(ActionBase):

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        a = self._task.args

        # 1. The inputs: any problem fails the host before it is even contacted.
        issues = input_issues(a)
        if issues:
            result.update(failed=True, changed=False, msg=REFUSING + '; '.join(issues))
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
            'ssh_ca_trust_krl_path': a['krl_path'] if a.get('krl_url') else '',
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
                'revokedkeys': a['krl_path'] if a.get('krl_url') else '',
            },
            krl=self._krl(a),
        )
        result.update(self._execute_module(module_name='ssh_ca_trust_files', module_args=module_args,
                                           task_vars=task_vars))
        result.pop('invocation', None)
        return result

    def _krl(self, a):
        """The KRL refresh's files (issue 20, point 1), from the role's templates: the bytes of core/render/krl-refresh.ts."""
        if not a.get('krl_url'):
            return None
        ca_cert = normal_pem(a.get('krl_ca_cert') or '')
        unit = os.path.join(a['krl_systemd_dir'], 'sshca-krl-refresh')
        variables = {
            'ssh_ca_trust_environment': a['environment'],
            'ssh_ca_trust_krl_url': a['krl_url'],
            'ssh_ca_trust_krl_path': a['krl_path'],
            'ssh_ca_trust_krl_dir': os.path.dirname(a['krl_path']) or '/',
            'ssh_ca_trust_krl_ca_cert': ca_cert,
            'ssh_ca_trust_krl_ca_cert_path': a['krl_ca_cert_path'],
            'ssh_ca_trust_krl_allow_http': boolean(a.get('krl_allow_http', False), strict=False),
            'ssh_ca_trust_krl_max_bytes': int(to_text(a['krl_max_bytes'])),
            'ssh_ca_trust_krl_max_time': int(to_text(a['krl_max_time'])),
            'ssh_ca_trust_krl_script_path': a['krl_script_path'],
            'ssh_ca_trust_krl_service_name': 'sshca-krl-refresh.service',
        }
        files = [{'path': a['krl_ca_cert_path'], 'content': ca_cert, 'mode': '0644'}] if ca_cert else []
        files += [
            {'path': a['krl_script_path'], 'content': self._render('sshca-krl-refresh.j2', variables), 'mode': '0755'},
            {'path': unit + '.service', 'content': self._render('sshca-krl-refresh.service.j2', variables), 'mode': '0644'},
            {'path': unit + '.timer', 'content': self._render('sshca-krl-refresh.timer.j2', variables), 'mode': '0644'},
        ]
        return {'path': a['krl_path'], 'script': a['krl_script_path'], 'files': files,
                'timer': boolean(a.get('krl_timer', True), strict=False), 'timer_name': 'sshca-krl-refresh.timer'}

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
