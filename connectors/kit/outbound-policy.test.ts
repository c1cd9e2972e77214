import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { OutboundPolicy, OutboundRefused, hostOf } from './outbound-policy.ts';

const strict = new OutboundPolicy();

describe('OutboundPolicy.refusal', () => {
  it.each([
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['100.100.100.200', 'cloud metadata'],
    ['metadata.google.internal', 'cloud metadata'],
    ['METADATA.google.internal.', 'cloud metadata'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
    ['::ffff:169.254.1.1', 'link-local'],
    ['64:ff9b::a9fe:101', 'link-local'],
  ])('refuses %s (%s) and says how to allow it', (host, what) => {
    const reason = strict.refusal(host);
    expect(reason).toContain(what);
    expect(reason).toContain('LGSP_OUTBOUND_ALLOW');
  });

  it.each(['10.1.2.3', '172.16.0.9', '192.168.1.10', '127.0.0.1', '::1', '100.64.0.1', 'fd12:3456::1', '203.162.4.190', 'dichvucong.gov.vn', 'localhost'])(
    'allows %s: agency systems on private networks, loopback, public addresses, names',
    (host) => expect(strict.refusal(host)).toBeUndefined(),
  );

  it('judges the address a name resolved to, naming both', () => {
    expect(strict.refusal('eoffice.example.vn', '169.254.169.254')).toMatch(/^eoffice\.example\.vn \(169\.254\.169\.254\) is a cloud metadata service/);
    expect(strict.refusal('eoffice.example.vn', '10.0.0.5')).toBeUndefined();
  });

  it('allows LGSP_OUTBOUND_ALLOW hosts, addresses and CIDRs, and nothing more', () => {
    const policy = new OutboundPolicy(['169.254.169.254', 'Metadata.Google.Internal', '169.254.10.0/24', 'fe80::/64', 'rebind.example.vn']);
    expect(policy.refusal('169.254.169.254')).toBeUndefined();
    expect(policy.refusal('::ffff:169.254.169.254')).toBeUndefined();
    expect(policy.refusal('metadata.google.internal')).toBeUndefined();
    expect(policy.refusal('169.254.10.77')).toBeUndefined();
    expect(policy.refusal('fe80::1')).toBeUndefined();
    expect(policy.refusal('rebind.example.vn', '169.254.1.1')).toBeUndefined();
    expect(policy.refusal('169.254.11.1')).toContain('link-local');
    expect(policy.refusal('fe80:0:0:1::1')).toContain('link-local');
    expect(policy.refusal('other.example.vn', '169.254.1.1')).toContain('link-local');
  });

  it('refuses an allow-list entry that looks like a CIDR but is not one', () => {
    expect(() => new OutboundPolicy(['169.254.0.0/33'])).toThrow(/LGSP_OUTBOUND_ALLOW: "169\.254\.0\.0\/33" is not a CIDR/);
  });
});

describe('OutboundPolicy.refusalOfUrl (registration)', () => {
  it('judges literal hosts, also written the ways URLs allow', async () => {
    expect(await strict.refusalOfUrl('http://169.254.169.254/latest/meta-data')).toContain('cloud metadata');
    expect(await strict.refusalOfUrl('http://2852039166/')).toContain('cloud metadata'); // 169.254.169.254 as one number
    expect(await strict.refusalOfUrl('https://[fe80::1]:8443/x')).toContain('link-local');
    expect(await strict.refusalOfUrl('http://10.20.30.40:8080/edxml')).toBeUndefined();
  });

  it('resolves names: localhost is loopback (allowed); a name that does not resolve is no reason to refuse', async () => {
    expect(await strict.refusalOfUrl('http://localhost:9/')).toBeUndefined();
    expect(await strict.refusalOfUrl('http://no-such-host.invalid/')).toBeUndefined();
  });
});

describe('OutboundPolicy.lookup (connect time)', () => {
  const lookupAll = (policy: OutboundPolicy, host: string) =>
    new Promise<LookupAddress[]>((resolve, reject) => policy.lookup(host, { all: true }, (e, a) => (e ? reject(e) : resolve(a as LookupAddress[]))));

  it('passes addresses that are allowed through, in both shapes Node asks for', async () => {
    expect((await lookupAll(strict, 'localhost')).some((a) => a.address === '127.0.0.1' || a.address === '::1')).toBe(true);
    const one = await new Promise<string>((resolve, reject) => strict.lookup('localhost', { family: 4 }, (e, a) => (e ? reject(e) : resolve(a as string))));
    expect(one).toBe('127.0.0.1');
  });

  it('fails with OutboundRefused when the name resolves to a refused address', async () => {
    // A numeric host goes through the resolver unchanged: the portable way to resolve to a refused address.
    const err = await lookupAll(strict, '0.0.0.0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundRefused);
    expect((err as OutboundRefused).code).toBe('ERR_OUTBOUND_REFUSED');
    expect((err as Error).message).toContain('unspecified');
  });
});

describe('hostOf', () => {
  it('strips the brackets of an IPv6 host', () => {
    expect(hostOf('http://[fd00:ec2::254]/latest')).toBe('fd00:ec2::254');
    expect(hostOf('https://Portal.Example.VN:8443/')).toBe('portal.example.vn');
  });
});
