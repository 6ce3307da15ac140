// Request-parameter coercion as Vault's `sdk/framework` does it (mapstructure "weak decode"), with
// Vault's error texts, so every surface (server, CLI role files, providers) accepts and refuses the
// same inputs. Unknown parameters are reported so callers can warn as Vault does.

import { parseDurationSeconds } from './duration.js';
import { RequestError } from './errors.js';

/**
 * The framework field types the server's paths use. `time` is Vault's TypeTime: it decodes to Unix
 * seconds (fractional when an RFC 3339 time has fractions of a second).
 */
export type FieldType =
  'string' | 'lowercase-string' | 'bool' | 'int' | 'duration' | 'time' | 'map' | 'comma-string-slice';

/** A declared field: its type and the one-line description Vault's `FieldSchema` carries. */
export interface FieldSpec {
  readonly type: FieldType;
  readonly description: string;
}

/** Field name → type and description, like a Vault path's `Fields`. */
export type FieldSchema = Readonly<Record<string, FieldSpec>>;

/** Coerced values by field name; a field is present only when the request supplied it. */
export interface ParsedFields {
  readonly values: ReadonlyMap<string, unknown>;
  /** Supplied parameters the schema does not know, sorted. */
  readonly unknown: readonly string[];
}

/** Go's `%v` formatting of a decoded JSON value (maps print with sorted keys, as Go's fmt does). */
export function formatGoValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(formatGoValue).join(' ')}]`;
  if (typeof v === 'object') {
    const entries = Object.keys(v as object)
      .sort()
      .map((k) => `${k}:${formatGoValue((v as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(v);
}

/** The Go type name mapstructure reports for a decoded JSON value (numbers arrive as json.Number). */
function goTypeName(v: unknown): string {
  if (Array.isArray(v)) return '[]interface {}';
  if (v !== null && typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return 'json.Number';
  return typeof v;
}

/** How a rejected value appears in an error: Go's `%v`, or `[redacted]` for a sensitive field. */
type Show = (v: unknown) => string;
const REDACTED = '[redacted]';
const redact: Show = () => REDACTED;
/** A string as Go's `%q` shows it in strconv errors, unless redacted. */
const quote = (show: Show, s: string) => (show === redact ? REDACTED : JSON.stringify(s));

/**
 * Fields whose values are secrets. Vault echoes a rejected value in its error; for these the value is
 * replaced by `[redacted]`, because the error text is returned, logged and written (unhashed) to the
 * audit log's `error` field (issue 13).
 */
// An array, not a Set: Pulumi serializes this module into dynamic providers, where a captured Set
// loses its internal slots ("Set.prototype.has called on incompatible receiver").
export const SENSITIVE_FIELDS: readonly string[] = [
  'password',
  'token',
  'client_token',
  'otp',
  'private_key',
  'jwt',
  'secret_id',
  'input',
];

const unconvertible = (target: string, v: unknown, show: Show) =>
  new Error(`'' expected type '${target}', got unconvertible type '${goTypeName(v)}', value: '${show(v)}'`);

const GO_BOOLS: Readonly<Record<string, boolean>> = {
  '1': true,
  t: true,
  T: true,
  TRUE: true,
  true: true,
  True: true,
  '0': false,
  f: false,
  F: false,
  FALSE: false,
  false: false,
  False: false,
};

/** Go's strconv.ParseBool: true, false, or undefined for anything else. */
export const parseGoBool = (s: string): boolean | undefined => (Object.hasOwn(GO_BOOLS, s) ? GO_BOOLS[s] : undefined);

function decodeBool(v: unknown, show: Show): boolean {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' || typeof v === 'number') {
    const s = String(v);
    if (s === '') return false;
    const b = parseGoBool(s);
    if (b === undefined)
      throw new Error(`cannot parse '' as bool: strconv.ParseBool: parsing ${quote(show, s)}: invalid syntax`);
    return b;
  }
  throw unconvertible('bool', v, show);
}

/** 2^63: Go's int64 holds less. */
const INT64_LIMIT = 2 ** 63;

function decodeInt(v: unknown, show: Show): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') {
    // json.Number keeps the literal; Go's ParseInt refuses fractions and exponents, and what int64 cannot hold.
    if (!Number.isInteger(v) || /e/i.test(String(v))) {
      throw new Error(
        `error decoding json.Number into : strconv.ParseInt: parsing ${quote(show, String(v))}: invalid syntax`,
      );
    }
    if (Math.abs(v) >= INT64_LIMIT) {
      throw new Error(
        `error decoding json.Number into : strconv.ParseInt: parsing ${quote(show, String(v))}: value out of range`,
      );
    }
    return v;
  }
  if (typeof v === 'string') {
    if (v === '') return 0;
    // strconv.ParseInt(s, 0, 64): decimal, 0x hex, 0o/0 octal, 0b binary
    const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[0-9]+)$/.exec(v);
    if (!m) throw new Error(`cannot parse '' as int: strconv.ParseInt: parsing ${quote(show, v)}: invalid syntax`);
    const body = m[2]!;
    const n = /^0[0-7]+$/.test(body) ? parseInt(body, 8) : Number(body.replace(/^0[oO]/, '0o'));
    if (n >= INT64_LIMIT) {
      throw new Error(`cannot parse '' as int: strconv.ParseInt: parsing ${quote(show, v)}: value out of range`);
    }
    return m[1] === '-' ? -n : n;
  }
  throw unconvertible('int', v, show);
}

function decodeString(v: unknown, show: Show = formatGoValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') return String(v);
  throw unconvertible('string', v, show);
}

function decodeMap(v: unknown): Record<string, unknown> {
  if (v === null) return {};
  if (Array.isArray(v)) {
    // Weak decode merges a list of objects: `"default_extensions": [{"permit-pty": ""}]`.
    const merged: Record<string, unknown> = {};
    v.forEach((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        throw new Error(`'[${i}]' expected a map, got '${goKind(item)}'`);
      }
      Object.assign(merged, item);
    });
    return merged;
  }
  if (typeof v === 'object') return { ...(v as Record<string, unknown>) };
  throw new Error(`'' expected a map, got '${goKind(v)}'`);
}

function goKind(v: unknown): string {
  if (Array.isArray(v)) return 'slice';
  if (v === null) return 'invalid';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number') return 'string'; // json.Number is a string kind
  return typeof v;
}

function decodeDuration(v: unknown, show: Show): number {
  let seconds: number;
  try {
    seconds = parseDurationSeconds(v);
  } catch (e) {
    throw new Error(show === redact ? 'invalid duration' : (e as Error).message);
  }
  if (seconds < 0) throw new Error(`cannot provide negative value '${show(seconds)}'`);
  return seconds;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil), for any year. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Days per month of a common year; February gains one in leap years. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

/** Go's time.Parse with time.RFC3339(Nano): Unix seconds, or undefined when `s` is not such a time. */
function parseRfc3339(s: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/.exec(s);
  if (!m) return undefined;
  const n = (i: number): number => Number(m[i] ?? 0);
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = [
    n(1),
    n(2),
    n(3),
    n(4),
    n(5),
    n(6),
    n(9),
    n(10),
  ];
  const monthDays = month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1];
  if (monthDays === undefined || day < 1 || day > monthDays) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const offset = (m[8] === '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
  // Go keeps nanoseconds: digits past the ninth are dropped.
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7].slice(0, 9)}`);
  return daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset + fraction;
}

/** Go's strconv.ParseInt(s, 10, 64), as the time type uses it: the number, or Go's error. */
function parseDecimalInt64(s: string, show: Show): number | Error {
  if (!/^[+-]?[0-9]+$/.test(s)) return new Error(`strconv.ParseInt: parsing ${quote(show, s)}: invalid syntax`);
  const big = BigInt(s);
  if (big >= 2n ** 63n || big < -(2n ** 63n)) {
    return new Error(`strconv.ParseInt: parsing ${quote(show, s)}: value out of range`);
  }
  return Number(big);
}

/**
 * Vault's TypeTime (go-secure-stdlib's ParseAbsoluteTime): a string in RFC 3339 (fractions of a
 * second allowed) or decimal Unix seconds, or a JSON integer of Unix seconds. Decodes to Unix seconds.
 */
function decodeTime(v: unknown, show: Show): number {
  if (typeof v === 'string') {
    const rfc3339 = parseRfc3339(v);
    if (rfc3339 !== undefined) return rfc3339;
    const seconds = parseDecimalInt64(v, show);
    if (typeof seconds === 'number') return seconds;
    throw new Error('could not parse string as date and time');
  }
  if (typeof v === 'number') {
    // json.Number's Int64 is strconv.ParseInt of the literal: fractions and exponents are refused.
    const literal = String(v);
    const seconds = Number.isInteger(v) && !/e/i.test(literal) ? parseDecimalInt64(literal, show) : undefined;
    if (typeof seconds === 'number') return seconds;
    throw seconds ?? new Error(`strconv.ParseInt: parsing ${quote(show, literal)}: invalid syntax`);
  }
  throw new Error('could not parse time from input type');
}

/** Vault's TypeCommaStringSlice: a list, or a comma-separated string; items trimmed, empty ones dropped. */
function decodeCommaStringSlice(v: unknown, show: Show): string[] {
  if (v === null) return [];
  const items = Array.isArray(v) ? v.map((item) => decodeString(item, show)) : decodeString(v, show).split(',');
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

const DECODERS: Readonly<Record<FieldType, (v: unknown, show: Show) => unknown>> = {
  string: decodeString,
  'lowercase-string': (v, show) => decodeString(v, show).toLowerCase(),
  bool: decodeBool,
  int: decodeInt,
  duration: decodeDuration,
  time: decodeTime,
  map: decodeMap,
  'comma-string-slice': decodeCommaStringSlice,
};

/**
 * Coerce a request's raw parameters with a schema. A `null` duration or time counts as not supplied
 * (as in Vault); a `null` of any other type is supplied with its zero value. Throws Vault's
 * `Field validation failed: error converting input <v> for field "<name>": <cause>` (400) for the
 * first bad field in name order; the value of a `SENSITIVE_FIELDS` field shows as `[redacted]`.
 */
export function parseFields(schema: FieldSchema, raw: Readonly<Record<string, unknown>>): ParsedFields {
  const values = new Map<string, unknown>();
  const unknown: string[] = [];
  for (const name of Object.keys(raw).sort()) {
    // Own properties only: `constructor` or `__proto__` is an unknown parameter, not Object's.
    const type = Object.hasOwn(schema, name) ? schema[name]!.type : undefined;
    const value = raw[name];
    if (type === undefined) {
      unknown.push(name);
      continue;
    }
    if (value === undefined || (value === null && (type === 'duration' || type === 'time'))) continue;
    const show = SENSITIVE_FIELDS.includes(name) ? redact : formatGoValue;
    try {
      values.set(name, DECODERS[type](value, show));
    } catch (e) {
      throw new RequestError(
        `Field validation failed: error converting input ${show(value)} for field ${JSON.stringify(name)}: ${(e as Error).message}`,
      );
    }
  }
  return { values, unknown };
}

/** Vault's warning for parameters a path does not know (added only to non-empty responses). */
export function formatUnknownFieldsWarning(unknown: readonly string[]): string | undefined {
  return unknown.length === 0 ? undefined : `Endpoint ignored these unrecognized parameters: [${unknown.join(' ')}]`;
}

/** Vault's conversion of a map parameter's values to strings (`fmt.Sprintf("%v", v)`). */
export function toStringMap(m: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, formatGoValue(v)]));
}
