# -*- coding: utf-8 -*-
# Fetch an environment's CA public key on the control node (issue 17, point 5): no task on the host,
# no module run for it. Unlike ansible.builtin.url it reports the HTTP status instead of failing on it,
# so that the role can say "answered 404 and no CA public key" in its own words, and it reports a
# failed connection (refused, TLS not verified) as an error string for the role's refusal.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
name: ssh_ca_trust_public_key
author:
  - vault-ssh-ca
short_description: Fetch a Vault-compatible backend's SSH CA public key, with the HTTP status
description:
  - GETs each URL (unauthenticated, as Vault serves C(/v1/<mount>/public_key)) from the control node.
  - Returns one dictionary per URL with C(status) (the HTTP status, C(-1) when there was no answer), C(content)
    (the body when the status is 200) and C(error) (why there was no answer, or the HTTP reason).
options:
  _terms:
    description: The URLs.
    required: true
    type: list
    elements: str
  validate_certs:
    description: Verify the server's TLS certificate.
    type: bool
    default: true
  ca_path:
    description: PEM CA bundle to verify it with; empty uses the trust store.
    type: str
    default: ''
  timeout:
    description: Seconds to wait for an answer.
    type: int
    default: 30
'''

EXAMPLES = r'''
- name: Fetch the CA public key
  ansible.builtin.set_fact:
    ca: "{{ lookup('ssh_ca_trust_public_key', 'https://vault.example.com:8200/v1/ssh-dev/public_key') }}"
'''

RETURN = r'''
_raw:
  description: One dictionary per URL with status, content and error.
  type: list
  elements: dict
'''

from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import ConnectionError as UrlsConnectionError, open_url
from ansible.plugins.lookup import LookupBase


# Answers by URL and options, for the life of this process: Ansible forks a worker per host and task,
# and the role's variables ask for the same key several times while one task's arguments are templated.
_ANSWERS = {}


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        ca_path = self.get_option('ca_path') or None
        results = []
        for url in terms:
            key = (url, bool(self.get_option('validate_certs')), ca_path, self.get_option('timeout'))
            if key not in _ANSWERS:
                _ANSWERS[key] = self._fetch(url, ca_path)
            results.append(dict(_ANSWERS[key]))
        return results

    def _fetch(self, url, ca_path):
        try:
            response = open_url(url, method='GET', validate_certs=self.get_option('validate_certs'),
                                ca_path=ca_path, timeout=self.get_option('timeout'), follow_redirects='safe')
            return {'status': response.getcode(), 'content': to_text(response.read()), 'error': ''}
        except HTTPError as e:
            return {'status': e.code, 'content': '', 'error': to_text(e.reason)}
        except (URLError, UrlsConnectionError, OSError, ValueError) as e:
            return {'status': -1, 'content': '', 'error': to_text(getattr(e, 'reason', e))}
