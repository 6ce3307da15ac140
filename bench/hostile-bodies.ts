// Request bodies an attacker would send, at the edge of Vault's listener limits (shared by
// bench/hostile.ts and the server's regression tests): the largest bodies the limits still allow,
// and the smallest ones each limit refuses.

const MiB = 1024 * 1024;

/** `{"k0":<value>,"k1":<value>,…}` as large as fits in `size` bytes. */
function fill(value: string, size: number): string {
  const parts: string[] = [];
  let length = 2;
  for (let i = 0; ; i++) {
    const part = `"k${i}":${value}`;
    if (length + part.length + 1 > size) break;
    parts.push(part);
    length += part.length + 1;
  }
  return `{${parts.join(',')}}`;
}

const list = (item: (i: number) => string, n: number) => Array.from({ length: n }, (_, i) => item(i)).join(',');

/** Allowed bodies of (at most) `size` bytes that are as costly to decode as the limits let them be. */
export function largestAllowedBodies(size = 32 * MiB): Record<string, string> {
  return {
    'arrays of 10,000 numbers': fill(`[${list(() => '0', 10_000)}]`, size),
    'arrays of 10,000 empty strings': fill(`[${list(() => '""', 10_000)}]`, size),
    'objects of 10,000 entries': fill(`{${list((i) => `"${i}":0`, 10_000)}}`, size),
    'arrays of 10,000 empty objects': fill(`[${list(() => '{}', 10_000)}]`, size),
  };
}

/** The smallest body each limit refuses (at Vault's defaults), with Vault's message. */
export const refusedBodies: readonly { readonly limit: string; readonly body: string; readonly message: string }[] = [
  {
    limit: 'max_json_depth 300',
    body: `{"a":${'['.repeat(300)}${']'.repeat(300)}}`,
    message: 'JSON input exceeds allowed nesting depth',
  },
  {
    limit: 'max_json_string_value_length 1 MiB',
    body: `{"password":"${'a'.repeat(MiB + 1)}"}`,
    message: 'JSON string value exceeds allowed length',
  },
  {
    limit: 'max_json_object_entry_count 10,000',
    body: `{${list((i) => `"${i}":0`, 10_001)}}`,
    message: 'JSON object exceeds allowed entry count',
  },
  {
    limit: 'max_json_array_element_count 10,000',
    body: `{"a":[${list(() => '0', 10_001)}]}`,
    message: 'JSON array exceeds allowed element count',
  },
];
