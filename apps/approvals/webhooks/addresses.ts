import { isIP } from 'node:net';

/** What kind of address an IP is; only `public` ones receive webhooks unless private ones are allowed. */
export type AddressKind =
  'public' | 'loopback' | 'private' | 'link-local' | 'unique-local' | 'unspecified' | 'multicast' | 'reserved';

/** IPv4 ranges that are not public: [first octets as a number, prefix length, kind]. */
const V4_RANGES: Array<[number, number, AddressKind]> = [
  [ipv4('0.0.0.0'), 8, 'unspecified'],
  [ipv4('127.0.0.0'), 8, 'loopback'],
  [ipv4('10.0.0.0'), 8, 'private'],
  [ipv4('172.16.0.0'), 12, 'private'],
  [ipv4('192.168.0.0'), 16, 'private'],
  [ipv4('100.64.0.0'), 10, 'private'],
  [ipv4('169.254.0.0'), 16, 'link-local'],
  [ipv4('224.0.0.0'), 4, 'multicast'],
  [ipv4('192.0.0.0'), 24, 'reserved'],
  [ipv4('198.18.0.0'), 15, 'reserved'],
  [ipv4('240.0.0.0'), 4, 'reserved'],
];

function ipv4(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function inV4Range(address: number, [first, prefix]: [number, number, AddressKind]): boolean {
  const size = 2 ** (32 - prefix);
  return Math.floor(address / size) === Math.floor(first / size);
}

/** The eight 16-bit groups of an IPv6 address (an embedded dotted IPv4 tail included). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0].toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4(dotted[1]);
    text = `${text.slice(0, -dotted[1].length)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const front = parse(head);
  const back = parse(tail);
  return tail === undefined ? front : [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** Classifies an IP address (v4 or v6); IPv4-mapped IPv6 addresses count as their IPv4 address. */
export function classifyAddress(address: string): AddressKind {
  if (isIP(address) === 4) {
    const n = ipv4(address);
    return V4_RANGES.find((range) => inV4Range(n, range))?.[2] ?? 'public';
  }
  const g = ipv6Groups(address);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  if (g.every((x) => x === 0)) return 'unspecified';
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'loopback';
  // Forms that carry an IPv4 address count as that address: IPv4-mapped (::ffff:a.b.c.d), the
  // deprecated IPv4-compatible (::a.b.c.d), SIIT (::ffff:0:a.b.c.d), NAT64 (64:ff9b::/96, and the
  // local-use 64:ff9b:1::/48, which may embed it anywhere: refused whole) and 6to4 (2002::/16).
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) return classifyAddress(v4(g[6], g[7]));
  if (g.slice(0, 4).every((x) => x === 0) && g[4] === 0xffff && g[5] === 0) return classifyAddress(v4(g[6], g[7]));
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return classifyAddress(v4(g[6], g[7]));
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return 'reserved';
  if (g[0] === 0x2002) return classifyAddress(v4(g[1], g[2]));
  // Teredo (2001::/32, which tunnels to an IPv4 address), documentation (2001:db8::/32), discard
  // (100::/64) and the deprecated site-local range (fec0::/10) are never a receiver's address.
  if (
    (g[0] === 0x2001 && (g[1] === 0 || g[1] === 0xdb8)) ||
    (g[0] === 0x100 && g.slice(1, 4).every((x) => x === 0)) ||
    (g[0] & 0xffc0) === 0xfec0
  )
    return 'reserved';
  if ((g[0] & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0] & 0xfe00) === 0xfc00) return 'unique-local';
  if ((g[0] & 0xff00) === 0xff00) return 'multicast';
  return 'public';
}

/** Why a webhook URL's scheme is refused, or undefined: `http:` and `https:` only. */
export function schemeProblem(url: URL): string | undefined {
  return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'must be an http: or https: URL';
}

/** Why the addresses a webhook URL's host resolves to are refused, or undefined: public ones only, unless private ones are allowed. */
export function addressProblem(addresses: string[], allowPrivate: boolean): string | undefined {
  if (addresses.length === 0) return 'names a host that does not resolve';
  if (allowPrivate) return undefined;
  for (const address of addresses) {
    const kind = classifyAddress(address);
    if (kind !== 'public') return `resolves to a ${kind} address (${address}); webhooks go to public addresses only`;
  }
  return undefined;
}
