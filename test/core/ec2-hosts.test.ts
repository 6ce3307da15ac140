// The EC2 defaults both surfaces share (core/ec2-hosts.ts): the check of the CIDRs that may reach
// port 22, and the split of IPv4 and IPv6 blocks for security group rules.

import { describe, expect, it } from 'vitest';
import { splitCidrFamilies, sshCidrIssues } from '../../core/ec2-hosts.js';

describe('sshCidrIssues', () => {
  it('accepts CIDR blocks of both families', () => {
    expect(sshCidrIssues(['10.0.0.0/8', '2001:db8::/32'])).toEqual([]);
  });

  it('refuses none, a block that is not a CIDR, and every address unless asked', () => {
    expect(sshCidrIssues([])).toEqual([{ field: 'sshCidrs', message: 'give the CIDRs that may reach port 22' }]);
    expect(sshCidrIssues(['office', '0.0.0.0/0', '::/0'])).toEqual([
      { field: 'sshCidrs', message: '"office" is not a CIDR block, e.g. 10.0.0.0/8' },
      { field: 'sshCidrs', message: 'sshCidrs contains 0.0.0.0/0: set allowSshFromAnywhere to mean it' },
      { field: 'sshCidrs', message: 'sshCidrs contains ::/0: set allowSshFromAnywhere to mean it' },
    ]);
    expect(sshCidrIssues(['0.0.0.0/0', '::/0'], true)).toEqual([]);
  });
});

describe('splitCidrFamilies', () => {
  it('keeps the order within each family', () => {
    expect(splitCidrFamilies(['10.0.0.0/8', 'fd00::/8', '192.168.0.0/16', '2001:db8::/32'])).toEqual({
      ipv4: ['10.0.0.0/8', '192.168.0.0/16'],
      ipv6: ['fd00::/8', '2001:db8::/32'],
    });
  });
});
