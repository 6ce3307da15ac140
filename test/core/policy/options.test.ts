// Critical options and extensions (reference §3.5): a non-empty request replaces the defaults and is
// checked against the allowed list (split on "," with no trimming); defaults are never filtered;
// empty allowed_critical_options = anything, empty allowed_extensions = nothing, "*" = anything.

import { describe, expect, it } from 'vitest';
import { SKIPPED_EXTENSIONS_WARNING, resolveCriticalOptions, resolveExtensions } from '../../../core/policy/options.js';
import type { Requester } from '../../../core/policy/requester.js';
import { caRole, caught } from '../fixtures.js';

const root: Requester = { displayName: 'root' };
const alice: Requester = {
  displayName: 'userpass-alice',
  renderTemplate: (t) => {
    if (t.includes('missing')) throw new Error('no such metadata');
    return t.replaceAll('{{identity.entity.name}}', 'alice');
  },
};

describe('resolveCriticalOptions', () => {
  it('takes the defaults when the request has none, without filtering them', () => {
    const role = caRole({
      default_critical_options: { 'force-command': '/bin/true' },
      allowed_critical_options: 'source-address',
    });
    expect(resolveCriticalOptions(role, {})).toEqual({ 'force-command': '/bin/true' });
  });

  it('lets a request replace the defaults entirely', () => {
    const role = caRole({ default_critical_options: { 'force-command': '/bin/true' } });
    expect(resolveCriticalOptions(role, { 'source-address': '10.0.0.0/8' })).toEqual({
      'source-address': '10.0.0.0/8',
    });
  });

  it('allows any option when allowed_critical_options is empty', () => {
    expect(resolveCriticalOptions(caRole({}), { anything: 'x', 'force-command': 'ls' })).toEqual({
      anything: 'x',
      'force-command': 'ls',
    });
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'force-command',
      { 'source-address': '10.0.0.0/8', zzz: '', aaa: '1' },
      'critical options not on allowed list: [aaa source-address zzz]',
    ],
    [
      'force-command,source-address',
      { 'verify-required': '' },
      'critical options not on allowed list: [verify-required]',
    ],
    // no trimming: " source-address" is not "source-address"
    [
      'force-command, source-address',
      { 'source-address': '10.0.0.0/8' },
      'critical options not on allowed list: [source-address]',
    ],
    ['*', { 'force-command': 'ls' }, 'critical options not on allowed list: [force-command]'],
  ])('allowed %j refuses %j', (allowed, requested, message) => {
    expect(caught(() => resolveCriticalOptions(caRole({ allowed_critical_options: allowed }), requested))).toEqual({
      message,
      name: 'RequestError',
      status: 400,
    });
  });

  it('accepts options on the allowed list', () => {
    const role = caRole({ allowed_critical_options: 'force-command,source-address' });
    expect(resolveCriticalOptions(role, { 'source-address': '10.0.0.0/8' })).toEqual({
      'source-address': '10.0.0.0/8',
    });
  });
});

describe('resolveExtensions', () => {
  it('refuses every requested extension when allowed_extensions is empty', () => {
    expect(caught(() => resolveExtensions(caRole({}), { 'permit-pty': '' }, root))).toEqual({
      message: 'extensions [permit-pty] are not on allowed list',
      name: 'RequestError',
      status: 400,
    });
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'permit-pty',
      { 'permit-X11-forwarding': '', 'permit-agent-forwarding': '' },
      'extensions [permit-X11-forwarding permit-agent-forwarding] are not on allowed list',
    ],
    // no trimming
    [
      'permit-pty, permit-X11-forwarding',
      { 'permit-X11-forwarding': '' },
      'extensions [permit-X11-forwarding] are not on allowed list',
    ],
    ['permit-pty', { 'permit-pty': '', x: '' }, 'extensions [x] are not on allowed list'],
  ])('allowed %j refuses %j', (allowed, requested, message) => {
    expect(caught(() => resolveExtensions(caRole({ allowed_extensions: allowed }), requested, root)).message).toBe(
      message,
    );
  });

  it('accepts listed extensions, and anything with "*"', () => {
    expect(
      resolveExtensions(
        caRole({ allowed_extensions: 'permit-pty, permit-X11-forwarding' }),
        { 'permit-pty': '' },
        root,
      ),
    ).toEqual({ extensions: { 'permit-pty': '' } });
    expect(
      resolveExtensions(caRole({ allowed_extensions: '*' }), { 'any@example.com': 'v', 'permit-pty': '' }, root),
    ).toEqual({
      extensions: { 'any@example.com': 'v', 'permit-pty': '' },
    });
  });

  it('takes the defaults when the request has none, not filtered by the allowed list', () => {
    const role = caRole({ default_extensions: { 'permit-pty': '', 'permit-agent-forwarding': '' } });
    expect(resolveExtensions(role, {}, root)).toEqual({
      extensions: { 'permit-pty': '', 'permit-agent-forwarding': '' },
    });
  });

  it('has no extensions at all by default (no permit-pty)', () => {
    expect(resolveExtensions(caRole({}), {}, root)).toEqual({ extensions: {} });
  });

  it('lets a request replace the defaults entirely', () => {
    const role = caRole({ default_extensions: { 'permit-pty': '' }, allowed_extensions: 'permit-port-forwarding' });
    expect(resolveExtensions(role, { 'permit-port-forwarding': '' }, root)).toEqual({
      extensions: { 'permit-port-forwarding': '' },
    });
  });

  it('copies template text literally when default_extensions_template is off', () => {
    const role = caRole({ default_extensions: { 'login@example.com': '{{identity.entity.name}}' } });
    expect(resolveExtensions(role, {}, alice)).toEqual({
      extensions: { 'login@example.com': '{{identity.entity.name}}' },
    });
  });

  describe('with default_extensions_template', () => {
    const role = caRole({
      default_extensions_template: true,
      default_extensions: { 'login@example.com': '{{identity.entity.name}}', 'permit-pty': '' },
    });

    it('renders templated values for a caller with an entity', () => {
      expect(resolveExtensions(role, {}, alice)).toEqual({
        extensions: { 'login@example.com': 'alice', 'permit-pty': '' },
      });
    });

    it('drops templated values for a caller without an entity, with the warning', () => {
      expect(resolveExtensions(role, {}, root)).toEqual({
        extensions: { 'permit-pty': '' },
        warning: SKIPPED_EXTENSIONS_WARNING,
      });
      expect(SKIPPED_EXTENSIONS_WARNING).toBe(
        'default_extension templating enabled with at least one extension requiring identity templating. However, this request lacked identity entity information, causing one or more extensions to be skipped from the generated certificate.',
      );
    });

    it('refuses a template that cannot be rendered', () => {
      const broken = caRole({
        default_extensions_template: true,
        default_extensions: { x: '{{identity.entity.missing}}' },
      });
      expect(caught(() => resolveExtensions(broken, {}, alice))).toEqual({
        message: "template '{{identity.entity.missing}}' could not be rendered -> no such metadata",
        name: 'RequestError',
        status: 400,
      });
    });
  });
});
