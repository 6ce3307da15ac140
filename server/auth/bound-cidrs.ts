// `token_bound_cidrs` matching, as Vault's `cidrutil.RemoteAddrIsOk` and the token check in
// `fetchACLTokenEntryAndEntity` do it: an address is allowed when any entry contains it; an entry is
// a CIDR block or a single address (a /32 or /128). Anything unparsable matches nothing, so a bad
// entry or a missing remote address refuses rather than allows.

import { cidrContains, parseCidr, parseIp } from '../../core/cidr.js';

/** True when `remoteAddress` lies in one of `boundCidrs` (an empty list allows every address). */
export function remoteAddrIsOk(remoteAddress: string | undefined, boundCidrs: readonly string[]): boolean {
  if (boundCidrs.length === 0) return true;
  const ip = remoteAddress === undefined ? undefined : parseIp(remoteAddress);
  if (!ip) return false;
  return boundCidrs.some((entry) => {
    const cidr = entry.includes('/') ? parseCidr(entry) : undefined;
    if (cidr) return cidrContains(cidr, ip);
    const single = parseIp(entry);
    return single !== undefined && single.length === ip.length && single.every((b, i) => b === ip[i]);
  });
}
