import { test, expect } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import { parseJsonSliced } from '../../../server/http/parse-json-sliced.js';
function rnd(d: number): unknown {
  const r = Math.random();
  if (d > 4 || r < 0.4) {
    const k = Math.floor(Math.random() * 8);
    return [0, -0, 1.5e300, -12.25, 'a\u0000b"\\\n\ud800x', '', 'héllo', true, null, false][k];
  }
  if (r < 0.7) return Array.from({ length: Math.floor(Math.random() * 5) }, () => rnd(d + 1));
  const o: Record<string, unknown> = {};
  for (let i = 0; i < 4; i++)
    o[['__proto__', 'a', '1', 'b"', 'constructor'][Math.floor(Math.random() * 5)]!] = rnd(d + 1);
  return o;
}
test('same as JSON.parse', async () => {
  for (let t = 0; t < 300; t++) {
    const v = rnd(0);
    const text = JSON.stringify(v, null, t % 2 ? 2 : undefined) + ' '.repeat(300 * 1024);
    const padded = t % 3 ? text : `[${text}]`;

    const a = await parseJsonSliced(padded);
    expect(isDeepStrictEqual(a, JSON.parse(padded))).toBe(true);
    expect(JSON.stringify(a)).toBe(JSON.stringify(JSON.parse(padded)));
  }
  for (const bad of [
    '[1,]',
    '{"a":1,}',
    '01',
    '[01]',
    '{"a" 1}',
    '"\u0001"',
    '[1 2]',
    '{1:2}',
    'tru',
    '[',
    ']',
    '{"a":1}}',
    '"\\x"',
    '-',
    '1.',
    '.5',
    '[1]x',
  ]) {
    const t = bad + ' '.repeat(300 * 1024);
    let jsonErr = false;
    try {
      JSON.parse(t);
    } catch {
      jsonErr = true;
    }
    expect(jsonErr).toBe(true);
    await expect(parseJsonSliced(t)).rejects.toThrow();
  }
});
