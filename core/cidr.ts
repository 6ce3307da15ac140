// IP and CIDR parsing and matching with Go's `net` rules (no leading zeros in IPv4 octets, no zones),
// so role `cidr_list` / `exclude_cidr_list` validation and OTP ip checks behave exactly as Vault's. Pure:
// no node:net.

/** Parsed CIDR block: address bytes (4 or 16) and prefix length. */
export interface Cidr {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

function parseIPv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIPv6(s: string): number[] | undefined {
  if (s.includes('%')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIPv4(item);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) {
        out.push(parseInt(item, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

/** Go's `net.ParseCIDR`; undefined where Go answers `invalid CIDR address: <s>`. */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  const bytes = addr.includes(':') ? parseIPv6(addr) : parseIPv4(addr);
  if (!bytes || !/^[0-9]+$/.test(mask) || mask.length > 8) return undefined;
  const prefix = Number(mask);
  if (prefix > bytes.length * 8) return undefined;
  return { bytes: Uint8Array.from(bytes), prefix };
}

/** Go's `net.ParseIP`: 4 bytes for IPv4 (and IPv4-mapped IPv6), 16 for IPv6; undefined when invalid. */
export function parseIp(s: string): Uint8Array | undefined {
  const bytes = s.includes(':') ? parseIPv6(s) : parseIPv4(s);
  if (!bytes) return undefined;
  const mapped =
    bytes.length === 16 && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return Uint8Array.from(mapped ? bytes.slice(12) : bytes);
}

/** Go's `net.IP.String()`: dotted quad for IPv4, RFC 5952 form (longest zero run as `::`) for IPv6. */
export function formatIp(ip: Uint8Array): string {
  if (ip.length === 4) return ip.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip[i]! << 8) | ip[i + 1]!);
  let bestStart = -1;
  let bestLen = 1; // a single zero group is not compressed
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** Go's `(*net.IPNet).Contains` for a CIDR from {@link parseCidr} and an IP from {@link parseIp}. */
export function cidrContains(cidr: Cidr, ip: Uint8Array): boolean {
  let network = cidr.bytes;
  let prefix = cidr.prefix;
  // Go masks the network address first: an IPv4-mapped one stays IPv4 (prefix less 96) only when the
  // mask keeps the ::ffff: part, i.e. from /96 on; below that it is an IPv6 network no IPv4 address is in.
  const mapped =
    network.length === 16 && network.slice(0, 10).every((b) => b === 0) && network[10] === 0xff && network[11] === 0xff;
  if (mapped && prefix >= 96) {
    network = network.slice(12);
    prefix -= 96;
  }
  if (network.length !== ip.length) return false;
  for (let bit = 0; bit < prefix; bit += 8) {
    const bits = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - bits)) & 0xff;
    if ((network[bit / 8]! & mask) !== (ip[bit / 8]! & mask)) return false;
  }
  return true;
}
