// Request-parameter coercion (reference §1.6, §1.5): Vault's framework field types with mapstructure
// weak decoding, Vault's "Field validation failed" message, and the unknown-parameter warning.

import { describe, expect, it } from 'vitest';
import {
  formatGoValue,
  formatUnknownFieldsWarning,
  parseFields,
  toStringMap,
  type FieldSchema,
  type FieldType,
} from '../../core/fields.js';
import { caught } from './fixtures.js';

const typed = (types: Readonly<Record<string, FieldType>>): FieldSchema =>
  Object.fromEntries(Object.entries(types).map(([name, type]) => [name, { type, description: `The ${name}.` }]));

const SCHEMA = typed({
  name: 'string',
  key_type: 'lowercase-string',
  flag: 'bool',
  port: 'int',
  ttl: 'duration',
  start_time: 'time',
  default_extensions: 'map',
});

const one = (field: string, value: unknown): unknown => parseFields(SCHEMA, { [field]: value }).values.get(field);

describe('parseFields: string', () => {
  it.each<[unknown, string]>([
    ['abc', 'abc'],
    ['', ''],
    [123, '123'],
    [1.5, '1.5'],
    [true, '1'],
    [false, '0'],
    // JSON null is the empty string, and still counts as supplied
    [null, ''],
  ])('%j becomes %j', (input, output) => {
    expect(one('name', input)).toBe(output);
    expect(parseFields(SCHEMA, { name: input }).values.has('name')).toBe(true);
  });

  it('lower-cases a lowercase-string field', () => {
    expect(one('key_type', 'CA')).toBe('ca');
  });

  it('refuses objects and arrays', () => {
    expect(caught(() => parseFields(SCHEMA, { name: { a: 1 } }))).toEqual({
      message:
        "Field validation failed: error converting input map[a:1] for field \"name\": '' expected type 'string', got unconvertible type 'map[string]interface {}', value: 'map[a:1]'",
      name: 'RequestError',
      status: 400,
    });
  });
});

describe('parseFields: bool (weak decode)', () => {
  it.each<[unknown, boolean]>([
    [true, true],
    [false, false],
    ['true', true],
    ['false', false],
    ['t', true],
    ['T', true],
    ['TRUE', true],
    ['True', true],
    ['f', false],
    ['F', false],
    ['FALSE', false],
    ['1', true],
    ['0', false],
    ['', false],
    [1, true],
    [0, false],
    [null, false],
  ])('%j is %j', (input, output) => {
    expect(one('flag', input)).toBe(output);
  });

  it.each<[unknown, string]>([
    [
      'maybe',
      'Field validation failed: error converting input maybe for field "flag": cannot parse \'\' as bool: strconv.ParseBool: parsing "maybe": invalid syntax',
    ],
    [
      'yes',
      'Field validation failed: error converting input yes for field "flag": cannot parse \'\' as bool: strconv.ParseBool: parsing "yes": invalid syntax',
    ],
  ])('%j is refused', (input, message) => {
    expect(caught(() => parseFields(SCHEMA, { flag: input }))).toEqual({ message, name: 'RequestError', status: 400 });
  });
});

describe('parseFields: int', () => {
  it.each<[unknown, number]>([
    [22, 22],
    ['22', 22],
    ['', 0],
    [null, 0],
    ['-3', -3],
    ['0x10', 16],
    ['010', 8],
    ['0b11', 3],
    [true, 1],
  ])('%j is %i', (input, output) => {
    expect(one('port', input)).toBe(output);
  });

  it('refuses a non-numeric string', () => {
    expect(caught(() => parseFields(SCHEMA, { port: 'x' }))).toEqual({
      message:
        'Field validation failed: error converting input x for field "port": cannot parse \'\' as int: strconv.ParseInt: parsing "x": invalid syntax',
      name: 'RequestError',
      status: 400,
    });
  });
});

describe('parseFields: map', () => {
  it('takes a JSON object as it is', () => {
    expect(one('default_extensions', { 'permit-pty': '', 'permit-port-forwarding': '' })).toEqual({
      'permit-pty': '',
      'permit-port-forwarding': '',
    });
  });

  it('merges an array of objects (the old docs form)', () => {
    expect(one('default_extensions', [{ 'permit-pty': '' }])).toEqual({ 'permit-pty': '' });
    expect(one('default_extensions', [{ a: '1' }, { b: '2' }, { a: '3' }])).toEqual({ a: '3', b: '2' });
  });

  it('takes null as an empty map', () => {
    expect(one('default_extensions', null)).toEqual({});
  });

  it('refuses a string and an array of non-objects', () => {
    expect(caught(() => parseFields(SCHEMA, { default_extensions: 'permit-pty' })).message).toBe(
      "Field validation failed: error converting input permit-pty for field \"default_extensions\": '' expected a map, got 'string'",
    );
    expect(caught(() => parseFields(SCHEMA, { default_extensions: ['permit-pty'] })).message).toBe(
      "Field validation failed: error converting input [permit-pty] for field \"default_extensions\": '[0]' expected a map, got 'string'",
    );
  });

  it("converts map values with Go's %v (toStringMap)", () => {
    expect(toStringMap({ a: true, b: 5, c: null, d: '', e: 'x', f: [1, 'y'], g: { z: 1, a: 2 } })).toEqual({
      a: 'true',
      b: '5',
      c: '<nil>',
      d: '',
      e: 'x',
      f: '[1 y]',
      g: 'map[a:2 z:1]',
    });
  });
});

describe('parseFields: duration', () => {
  it.each<[unknown, number]>([
    [3600, 3600],
    ['1h', 3600],
    ['7d', 604_800],
    ['30m0s', 1800],
    ['100ms', 0],
    ['', 0],
    [0, 0],
  ])('%j is %i seconds', (input, output) => {
    expect(one('ttl', input)).toBe(output);
  });

  it('treats JSON null as not supplied', () => {
    expect(parseFields(SCHEMA, { ttl: null }).values.has('ttl')).toBe(false);
  });

  it.each<[unknown, string]>([
    ['abc', 'Field validation failed: error converting input abc for field "ttl": time: invalid duration "abc"'],
    [
      '1.5',
      'Field validation failed: error converting input 1.5 for field "ttl": time: missing unit in duration "1.5"',
    ],
    [1.5, 'Field validation failed: error converting input 1.5 for field "ttl": time: missing unit in duration "1.5"'],
    [
      '1.5d',
      'Field validation failed: error converting input 1.5d for field "ttl": strconv.ParseInt: parsing "1.5": invalid syntax',
    ],
    [-5, 'Field validation failed: error converting input -5 for field "ttl": cannot provide negative value \'-5\''],
    ['-5', 'Field validation failed: error converting input -5 for field "ttl": cannot provide negative value \'-5\''],
    [
      '-1m',
      'Field validation failed: error converting input -1m for field "ttl": cannot provide negative value \'-60\'',
    ],
    [true, 'Field validation failed: error converting input true for field "ttl": could not parse duration from input'],
    [
      { a: 1 },
      'Field validation failed: error converting input map[a:1] for field "ttl": could not parse duration from input',
    ],
  ])('%j is refused', (input, message) => {
    expect(caught(() => parseFields(SCHEMA, { ttl: input }))).toEqual({ message, name: 'RequestError', status: 400 });
  });
});

describe("parseFields: time (Vault's TypeTime)", () => {
  it.each<[unknown, number]>([
    ['2026-01-01T00:00:00Z', 1_767_225_600],
    ['2026-01-01T01:30:00+01:30', 1_767_225_600],
    ['2025-12-31T23:00:00-01:00', 1_767_225_600],
    ['2026-01-01T00:00:00.25Z', 1_767_225_600.25],
    ['2026-01-01T00:00:00.1234567891Z', 1_767_225_600.123_456_789],
    ['2024-02-29T12:00:00Z', 1_709_208_000],
    ['1970-01-01T00:00:00Z', 0],
    ['0001-01-01T00:00:00Z', -62_135_596_800],
    ['1767225600', 1_767_225_600],
    ['+60', 60],
    ['-60', -60],
    ['0', 0],
    [1_767_225_600, 1_767_225_600],
    [-1, -1],
  ])('%j is %d Unix seconds', (input, output) => {
    expect(one('start_time', input)).toBe(output);
  });

  it('treats JSON null as not supplied', () => {
    expect(parseFields(SCHEMA, { start_time: null }).values.has('start_time')).toBe(false);
  });

  const refused = (input: string, cause: string) =>
    `Field validation failed: error converting input ${input} for field "start_time": ${cause}`;
  it.each<[unknown, string]>([
    ['', refused('', 'could not parse string as date and time')],
    ['soon', refused('soon', 'could not parse string as date and time')],
    ['2026-01-01', refused('2026-01-01', 'could not parse string as date and time')],
    ['2026-01-01 00:00:00Z', refused('2026-01-01 00:00:00Z', 'could not parse string as date and time')],
    ['2026-02-29T00:00:00Z', refused('2026-02-29T00:00:00Z', 'could not parse string as date and time')],
    ['2026-01-01T24:00:00Z', refused('2026-01-01T24:00:00Z', 'could not parse string as date and time')],
    ['2026-01-01T00:00:60Z', refused('2026-01-01T00:00:60Z', 'could not parse string as date and time')],
    ['2026-01-01T00:00:00+24:00', refused('2026-01-01T00:00:00+24:00', 'could not parse string as date and time')],
    ['2026-01-01t00:00:00z', refused('2026-01-01t00:00:00z', 'could not parse string as date and time')],
    ['1.5', refused('1.5', 'could not parse string as date and time')],
    ['99999999999999999999', refused('99999999999999999999', 'could not parse string as date and time')],
    [1.5, refused('1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax')],
    [1e21, refused('1e+21', 'strconv.ParseInt: parsing "1e+21": invalid syntax')],
    [2 ** 63, refused('9223372036854776000', 'strconv.ParseInt: parsing "9223372036854776000": value out of range')],
    [true, refused('true', 'could not parse time from input type')],
    [{ a: 1 }, refused('map[a:1]', 'could not parse time from input type')],
    [[1], refused('[1]', 'could not parse time from input type')],
  ])('%j is refused', (input, message) => {
    expect(caught(() => parseFields(SCHEMA, { start_time: input }))).toEqual({
      message,
      name: 'RequestError',
      status: 400,
    });
  });
});

describe('parseFields: presence and unknown parameters', () => {
  it('reports only supplied fields', () => {
    const { values } = parseFields(SCHEMA, { name: 'x', port: undefined });
    expect([...values.keys()]).toEqual(['name']);
  });

  it('lists unknown parameters sorted, and Vault words the warning with a Go list', () => {
    const { unknown, values } = parseFields(SCHEMA, { zeta: 1, name: 'x', alpha: 2, b: 3 });
    expect(unknown).toEqual(['alpha', 'b', 'zeta']);
    expect(values.get('name')).toBe('x');
    expect(formatUnknownFieldsWarning(['a', 'b'])).toBe('Endpoint ignored these unrecognized parameters: [a b]');
    expect(formatUnknownFieldsWarning(unknown)).toBe('Endpoint ignored these unrecognized parameters: [alpha b zeta]');
    expect(formatUnknownFieldsWarning([])).toBeUndefined();
  });

  it('reports the first bad field in name order', () => {
    expect(caught(() => parseFields(SCHEMA, { ttl: 'abc', flag: 'maybe' })).message).toMatch(
      /^Field validation failed: error converting input maybe for field "flag": /,
    );
  });
});

describe('formatGoValue', () => {
  it.each<[unknown, string]>([
    ['abc', 'abc'],
    [5, '5'],
    [true, 'true'],
    [null, '<nil>'],
    [[1, 'a', null], '[1 a <nil>]'],
    [{ b: 1, a: [2] }, 'map[a:[2] b:1]'],
  ])('%j prints as %j', (value, text) => {
    expect(formatGoValue(value)).toBe(text);
  });
});
