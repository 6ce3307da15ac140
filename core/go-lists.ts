// Go's list handling as Vault's role and sign paths use it: byte-order sorting, comma lists, `%v` of a
// slice, and the integer slices of `allowed_user_key_lengths`.

/**
 * Go's `sort.Strings` order: UTF-8 bytes, i.e. code points. JavaScript's default sort compares UTF-16
 * units, which puts characters above U+FFFF (surrogates D800–DFFF) before U+E000–U+FFFF.
 */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Vault's `strutil.ParseDedupAndSortStrings(s, ",")`: split, trim, drop empties, de-duplicate, sort (Go byte order). */
export function parseCommaList(s: string): string[] {
  return [
    ...new Set(
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== ''),
    ),
  ].sort(compareGoStrings);
}

/** Go's `%v` of a string slice. */
export const formatGoList = (items: readonly string[]): string => `[${items.join(' ')}]`;

/** `parseutil.SafeParseIntSlice` as the role write uses it for `allowed_user_key_lengths` values. */
export function parseIntSlice(v: unknown): number[] {
  const parseInt64 = (x: unknown): number => {
    if (typeof x === 'number' && Number.isInteger(x)) return x;
    if (typeof x === 'string') {
      if (x === '') return 0;
      if (/^[+-]?[0-9]+$/.test(x)) return Number(x);
      throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(x)}: invalid syntax`);
    }
    throw new Error('could not parse value from input');
  };
  if ((typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && !v.includes(','))) {
    return [parseInt64(v)];
  }
  const items = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : undefined;
  if (!items) throw new Error('could not parse value from input');
  return items
    .map((x) => (typeof x === 'string' ? x.trim() : typeof x === 'number' ? String(x) : x))
    .filter((x) => x !== '')
    .map(parseInt64);
}
