/**
 * What both national providers share, over real HTTP on 127.0.0.1: the hub's signature checked
 * (the hub's own signer, `kit/signature.ts`, makes the headers), every request recorded, and the
 * faults of the kit: down and back, errors, slow, oversized answers.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { signatureHeaders, signingKeyOf, type SignatureVersion } from '../../connectors/kit/signature.ts';
import { startBusinessRegistry } from './business-registry.ts';
import { startPopulationDb } from './population-db.ts';
import type { NationalProvider, ProviderOptions } from './provider.ts';

const KEY = signingKeyOf('a'.repeat(64));

const PROVIDERS: readonly { name: string; start: (o: ProviderOptions) => Promise<NationalProvider>; method: string; path: string; body?: string }[] = [
  {
    name: 'population database',
    start: startPopulationDb,
    method: 'POST',
    path: '/citizens:verify',
    body: JSON.stringify({ personalId: '022078004512', fullName: 'Trần Văn Đức', dateOfBirth: '1978-03-14' }),
  },
  { name: 'business registration database', start: startBusinessRegistry, method: 'GET', path: '/enterprises/5705123909' },
];

describe.each(PROVIDERS)('$name as a provider behind the hub', ({ start, method, path, body }) => {
  let provider: NationalProvider;
  afterEach(() => provider.close());

  /** A call as the hub forwards it: its headers, signed with `key` (the provider's by default). */
  const call = (
    options: { key?: string; versions?: SignatureVersion[]; callId?: string; tamper?: boolean; purpose?: string; sentTo?: string; signal?: AbortSignal } = {},
  ) => {
    const id = randomUUID();
    const bytes = Buffer.from(body ?? '');
    const headers: Record<string, string> = {
      'x-lgsp-call-id': options.callId ?? id,
      'x-lgsp-officer': 'CB-000123',
      'x-lgsp-purpose': 'identity-check',
      'x-lgsp-consumer': 'qn-baichay-motcua',
      'x-lgsp-consumer-agency': '000.01.05.H49',
      'x-lgsp-service': 'population-lookup',
      'x-lgsp-request': `${method} ${path}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    };
    const signed = signatureHeaders({ signingKey: options.key ?? KEY, versions: options.versions ?? ['v2'], id, headers, body: bytes });
    const sent = options.tamper ? Buffer.from((body ?? '').replace('Đức', 'Dức')) : bytes;
    return fetch(`${provider.url}${options.sentTo ?? path}`, {
      method,
      headers: { ...headers, ...signed, ...(options.purpose ? { 'x-lgsp-purpose': options.purpose } : {}) },
      ...(body === undefined ? {} : { body: sent }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  };

  it('answers a call the hub signed with its key, and records it with the hub headers and the status', async () => {
    provider = await start({ signingKey: KEY });
    const res = await call();
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const [seen] = provider.requests;
    expect(seen).toMatchObject({ method, url: path, status: 200 });
    expect(seen?.headers).toMatchObject({ 'x-lgsp-officer': 'CB-000123', 'x-lgsp-purpose': 'identity-check', 'x-lgsp-consumer-agency': '000.01.05.H49' });
    expect(seen?.headers['webhook-id']).toBe(seen?.headers['x-lgsp-call-id']);
  });

  it('answers 401 to an unsigned call, another key, a changed body, purpose or call id', async () => {
    provider = await start({ signingKey: KEY });
    const unsigned = await fetch(`${provider.url}${path}`, { method, headers: { 'x-lgsp-purpose': 'identity-check' }, ...(body ? { body } : {}) });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ error: 'missing-header' });
    const otherKey = await call({ key: signingKeyOf('b'.repeat(64)) });
    expect([otherKey.status, ((await otherKey.json()) as { error: string }).error]).toEqual([401, 'bad-signature']);
    expect((await call({ callId: randomUUID() })).status).toBe(401);
    if (body !== undefined) expect((await call({ tamper: true })).status).toBe(401);
    // The purpose decides what a provider answers: the hub's signature covers it.
    expect((await call({ purpose: 'social-assistance' })).status).toBe(401);
    // A signed call sent again to another path: its signed x-lgsp-request names the first.
    const elsewhere = await call({ sentTo: `${path}?again=1` });
    expect([elsewhere.status, ((await elsewhere.json()) as { error: string }).error]).toEqual([401, 'request-mismatch']);
    expect(provider.requests.every((r) => r.status === 401)).toBe(true);
  });

  it('checks the deprecated v1 signature when told to, and nothing without a key', async () => {
    provider = await start({ signingKey: KEY, verify: 'v1' });
    expect((await call({ versions: ['v1'] })).status).toBe(200);
    expect((await call({ versions: ['v2'] })).status).toBe(401);
    await provider.close();
    provider = await start({});
    expect((await call({ key: signingKeyOf('b'.repeat(64)) })).status).toBe(200);
  });

  it('goes down (connections refused) and comes back on the same port', async () => {
    provider = await start({});
    await provider.close();
    await expect(call()).rejects.toThrow();
    await provider.restart();
    expect((await call()).status).toBe(200);
  });

  it('answers an injected 503 with Retry-After, then recovers', async () => {
    provider = await start({});
    provider.faults.set({ kind: 'error', status: 503, retryAfterSeconds: 2, times: 1 });
    const failed = await call();
    expect([failed.status, failed.headers.get('retry-after')]).toEqual([503, '2']);
    expect((await call()).status).toBe(200);
  });

  it('answers slowly, beyond a caller deadline', async () => {
    provider = await start({});
    provider.faults.set({ kind: 'slow', delayMs: 500, times: 1 });
    await expect(call({ signal: AbortSignal.timeout(150) })).rejects.toThrow(/abort|timeout/i);
    expect(provider.faults.applied).toBe(1);
  });

  it('answers a body larger than asked for', async () => {
    provider = await start({});
    provider.faults.set({ kind: 'oversize', bytes: 3 * 1024 * 1024, times: 1 });
    const res = await call();
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(3 * 1024 * 1024);
  });
});
