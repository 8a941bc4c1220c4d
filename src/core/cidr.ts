// IP addresses and CIDR blocks, IPv4 and IPv6, for curfew rules. src/core may not use node:net (no I/O built-ins), so
// this is a small parser of its own. Every address is held as a 128-bit IPv6 number: an IPv4 address a.b.c.d is the
// IPv4-mapped ::ffff:a.b.c.d and an IPv4 prefix /p is /96+p, so a v4 rule matches a session reported in mapped v6 form
// and the other way round, with one containment test. (A v6 block covering ::ffff:0:0/96, such as ::/0, therefore
// contains every IPv4 address too.)

export interface IpBlock {
  /** The network address, host bits zero. */
  readonly base: bigint;
  /** Prefix length in the 128-bit space. */
  readonly bits: number;
}

const MAPPED = 0xffffn << 32n;
const ALL = (1n << 128n) - 1n;

/** An IPv4 or IPv6 address as a 128-bit number (IPv4 mapped); undefined when the text is not one. */
export function parseIp(text: string): bigint | undefined {
  if (text.includes(':')) return parseIpv6(text);
  const v4 = parseIpv4(text);
  return v4 === undefined ? undefined : MAPPED | v4;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // No leading zeros: 010 is octal to some parsers and decimal to others.
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string | undefined): bigint[] | undefined => {
    if (half === undefined || half === '') return [];
    const out: bigint[] = [];
    const pieces = half.split(':');
    for (const [index, piece] of pieces.entries()) {
      if (index === pieces.length - 1 && piece.includes('.')) {
        // An embedded IPv4 tail (::ffff:10.0.0.1) fills the last two groups.
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push(v4 >> 16n, v4 & 0xffffn);
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        out.push(BigInt(`0x${piece}`));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  if (!head || !tail) return undefined;
  const compressed = halves.length === 2;
  const missing = 8 - head.length - tail.length;
  if (compressed ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<bigint>(missing).fill(0n), ...tail];
  return groups.reduce((value, group) => (value << 16n) | group, 0n);
}

/**
 * An address (a /32 or /128 block) or a CIDR block. Throws a message fit for the client when the text is neither, or
 * when host bits are set (10.0.0.1/8 is more often a typo than a wish for 10.0.0.0/8).
 */
export function parseIpBlock(text: string): IpBlock {
  const [address = '', prefix, extra] = text.split('/');
  const base = parseIp(address);
  if (base === undefined || extra !== undefined) throw new Error(`"${text}" is not an IP address or CIDR block`);
  const v4 = !address.includes(':');
  const max = v4 ? 32 : 128;
  if (prefix === undefined) return { base, bits: 128 };
  if (!/^(0|[1-9]\d{0,2})$/.test(prefix) || Number(prefix) > max) {
    throw new Error(`"${text}": the prefix length must be 0 to ${max}`);
  }
  const bits = Number(prefix) + (v4 ? 96 : 0);
  if ((base & ~maskOf(bits) & ALL) !== 0n) throw new Error(`"${text}" has host bits set after /${prefix}`);
  return { base, bits };
}

/** Whether `address` (text as a gateway reports it; an IPv6 zone such as %eth0 is ignored) lies in the block. */
export function blockContains(block: IpBlock, address: string): boolean {
  const value = parseIp(address.replace(/%.*$/, ''));
  return value !== undefined && (value & maskOf(block.bits)) === block.base;
}

function maskOf(bits: number): bigint {
  return bits === 0 ? 0n : (ALL << BigInt(128 - bits)) & ALL;
}
