/**
 * Which addresses the hub may call for a connector (its `endpoint`, a portal or axis URL setting).
 * Agency systems live on private networks (10/8, 172.16/12, 192.168/16) and tests on loopback, so
 * those stay allowed; refused are the addresses no agency system has and an attacker who controls
 * a connector's URL wants: link-local (169.254.0.0/16, fe80::/10, where cloud metadata services
 * answer), the metadata services' other addresses and names, the unspecified address (0.0.0.0/8,
 * ::), multicast and broadcast. An IPv4 address written as IPv6 (::ffff:a.b.c.d, 64:ff9b::a.b.c.d)
 * is judged as the IPv4 address it is. LGSP_OUTBOUND_ALLOW lists hosts and CIDRs allowed anyway.
 *
 * Checked twice with the same rules: at registration (`ConnectorKinds.check`, `refusalOfUrl`: the
 * literal address, or what the name resolves to then) and at every connection (`lookup`, used by
 * the kit transport's agents), so a name that resolves elsewhere later (DNS rebinding) is refused
 * where it matters.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup as dnsLookupAsync } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** `range()` names of ipaddr.js that no agency system has, with how a reason names them. */
const REFUSED_RANGES: Readonly<Record<string, string>> = {
  linkLocal: 'a link-local address (cloud metadata services answer there)',
  unspecified: 'the unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
};

/** Cloud metadata services: most clouds (AWS, GCP, Azure, OpenStack), AWS over IPv6, Alibaba Cloud. */
const METADATA_ADDRESSES: readonly Address[] = ['169.254.169.254', 'fd00:ec2::254', '100.100.100.200'].map((a) => ipaddr.parse(a));
const METADATA_NAMES: readonly string[] = ['metadata.google.internal'];

/** How long registration waits for a name to resolve; past it the name is judged at connect time. */
export const REGISTRATION_LOOKUP_MS = 2_000;

/** Thrown by `lookup` (so it reaches the transport as the connection's error): the address is refused. */
export class OutboundRefused extends Error {
  static readonly CODE = 'ERR_OUTBOUND_REFUSED';
  readonly code = OutboundRefused.CODE;
}

/** Host names whose `isLiteral` answer is kept (a hub calls a few hundred systems at most). */
const REMEMBERED_HOSTS = 1_000;

export class OutboundPolicy {
  private readonly hosts: ReadonlySet<string>;
  private readonly ranges: readonly [Address, number][];
  /** Whether each host name seen is an address: ipaddr.js throws and catches for a DNS name (about 25 µs, on every call and delivery). */
  private readonly literals = new Map<string, boolean>();

  /** `allow`: LGSP_OUTBOUND_ALLOW, host names, addresses and CIDRs. Throws for a CIDR that does not parse. */
  constructor(allow: readonly string[] = []) {
    const hosts = new Set<string>();
    const ranges: [Address, number][] = [];
    for (const entry of allow) {
      if (entry.includes('/')) {
        if (!ipaddr.isValidCIDR(entry)) throw new Error(`LGSP_OUTBOUND_ALLOW: "${entry}" is not a CIDR (such as 169.254.10.0/24 or fd00:ec2::/64)`);
        ranges.push(ipaddr.parseCIDR(entry));
      } else if (ipaddr.isValid(entry)) {
        const address = ipaddr.process(entry);
        ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      } else {
        hosts.add(normalHost(entry));
      }
    }
    this.hosts = hosts;
    this.ranges = ranges;
  }

  /**
   * Why the hub may not call `host` (a URL's hostname: a name, an IPv4 address or a bracketed IPv6
   * one), or `address` it resolved to; undefined when it may. Judges only what it is given: a name
   * without `address` is judged by its name alone.
   */
  refusal(host: string, address?: string): string | undefined {
    const name = normalHost(host);
    if (this.hosts.has(name)) return undefined;
    if (METADATA_NAMES.includes(name)) return refused(host, 'a cloud metadata service');
    const literal = this.isLiteral(name) ? name : address;
    if (literal === undefined || !ipaddr.isValid(literal)) return undefined;
    const ip = asIpv4(ipaddr.parse(literal));
    if (this.ranges.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits))) return undefined;
    const shown = literal === name ? host : `${host} (${literal})`;
    if (METADATA_ADDRESSES.some((m) => m.kind() === ip.kind() && ip.match(m, m.kind() === 'ipv4' ? 32 : 128)))
      return refused(shown, 'a cloud metadata service');
    const range = REFUSED_RANGES[ip.range()];
    return range === undefined ? undefined : refused(shown, range);
  }

  private isLiteral(name: string): boolean {
    let literal = this.literals.get(name);
    if (literal === undefined) {
      if (this.literals.size >= REMEMBERED_HOSTS) this.literals.clear();
      this.literals.set(name, (literal = ipaddr.isValid(name)));
    }
    return literal;
  }

  /**
   * Why the hub may not call `url`, at registration: its host as written, then each address the
   * name resolves to now. A name that does not resolve (or not within `REGISTRATION_LOOKUP_MS`)
   * is no reason: the agency's DNS may not be ready yet, and `lookup` judges it at connect time.
   */
  async refusalOfUrl(url: string): Promise<string | undefined> {
    if (!URL.canParse(url)) return undefined; // the schema says what is wrong with it
    const host = hostOf(url);
    const byName = this.refusal(host);
    const name = normalHost(host);
    if (byName !== undefined || this.isLiteral(name) || this.hosts.has(name)) return byName;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<LookupAddress[]>((resolve) => (timer = setTimeout(() => resolve([]), REGISTRATION_LOOKUP_MS)));
    const addresses = await Promise.race([dnsLookupAsync(host, { all: true }).catch(() => []), late]).finally(() => clearTimeout(timer));
    return addresses.map((a) => this.refusal(host, a.address)).find((reason) => reason !== undefined);
  }

  /**
   * `dns.lookup` for the transport's agents: fails with `OutboundRefused` when any address the name
   * resolves to is refused (a literal address never reaches a lookup: the transport judges it).
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const reason = addresses.map((a) => this.refusal(hostname, a.address)).find((r) => r !== undefined);
      if (reason !== undefined) return callback(new OutboundRefused(reason), '');
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      return callback(null, first?.address ?? '', first?.family);
    });
  };
}

/** A URL's host as `refusal` takes it (IPv6 without its brackets). */
export function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
}

function refused(host: string, what: string): string {
  return `${host} is ${what}: the hub does not call it for a connector. If an agency system really is there, add it to LGSP_OUTBOUND_ALLOW.`;
}

function normalHost(host: string): string {
  return host
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** An IPv4 address carried in IPv6 (mapped, or NAT64 64:ff9b::/96) as that IPv4 address. */
function asIpv4(address: Address): Address {
  if (address.kind() === 'ipv4') return address;
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  if (v6.match(ipaddr.IPv6.parse('64:ff9b::'), 96)) return new ipaddr.IPv4(v6.toByteArray().slice(12));
  return v6;
}
