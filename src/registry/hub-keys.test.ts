import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../contract/cloud-event.ts';
import { verifyHubSignature } from '../contract/hub-signature.ts';
import { SecretBox } from '../secrets/secret-box.ts';
import { HubKeys, type HubKeyStore, type StoredHubKey } from './hub-keys.ts';

/** The registry's hub keys as a list in topic order; `put` as the topic would append them. */
function memoryStore(): HubKeyStore & { records: Map<string, StoredHubKey> } {
  const records = new Map<string, StoredHubKey>();
  return {
    records,
    hubKeys: () => [...records.values()],
    putHubKeys: async (list) => {
      for (const r of list) records.set(r.kid, r);
    },
  };
}

const message = {
  event: {
    specversion: '1.0',
    id: 'm1',
    source: 'urn:lgsp:agency:000.00.15.H49',
    type: 'vn.gov.document.sent',
    subject: 's',
    data: {},
  } as unknown as CloudEvent,
  hubId: 'h1',
  connector: 'c1',
  acceptedAt: '2026-12-01T10:00:00.000Z',
};

describe('the hub keys', () => {
  it('makes one key at first start, signs with it and publishes only its public part', async () => {
    const box = new SecretBox({ current: randomBytes(32), old: [] });
    const store = memoryStore();
    const first = await new HubKeys(store, box).ensure();
    expect(await new HubKeys(store, box).ensure()).toEqual(first);
    expect(store.records.size).toBe(1);
    const keys = new HubKeys(store, box);
    const jwks = keys.jwks();
    expect(jwks.keys).toEqual([{ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: first.kid, alg: 'EdDSA', use: 'sig' }]);
    expect(JSON.stringify([...store.records.values()])).not.toMatch(/"d"/);
    expect((await verifyHubSignature(await keys.sign(message), jwks)).kid).toBe(first.kid);
  });

  it('two instances that made the first key at once both sign with the first written', async () => {
    const box = new SecretBox({ current: randomBytes(32), old: [] });
    const store = memoryStore();
    const [a, b] = await Promise.all([new HubKeys(store, box).ensure(), new HubKeys(store, box).ensure()]);
    expect(store.records.size).toBe(2); // both found no key, both made one
    expect(a.kid).toBe(b.kid);
    expect(a.kid).toBe([...store.records.keys()][0]);
  });

  it('rotates: new signatures carry the new kid, the old key stays published', async () => {
    const box = new SecretBox({ current: randomBytes(32), old: [] });
    const keys = new HubKeys(memoryStore(), box);
    const first = await keys.ensure();
    const oldSignature = await keys.sign(message);
    const second = await keys.rotate();
    expect(second.generation).toBe(2);
    const jwks = keys.jwks();
    expect(jwks.keys.map((k) => k.kid)).toEqual([second.kid, first.kid]);
    expect((await verifyHubSignature(await keys.sign(message), jwks)).kid).toBe(second.kid);
    expect((await verifyHubSignature(oldSignature, jwks)).kid).toBe(first.kid);
  });

  it('reencrypt seals the private keys again with the current secrets key, keeping their order', async () => {
    const oldKey = randomBytes(32);
    const store = memoryStore();
    const before = new HubKeys(store, new SecretBox({ current: oldKey, old: [] }));
    await before.ensure();
    await before.rotate();
    const order = [...store.records.keys()];
    const box = new SecretBox({ current: randomBytes(32), old: [oldKey] });
    const keys = new HubKeys(store, box);
    expect(await keys.reencrypt()).toBe(2);
    expect(await keys.reencrypt()).toBe(0);
    expect([...store.records.keys()]).toEqual(order);
    expect([...store.records.values()].every((r) => SecretBox.keyIdIn(r.sealed.privateKey) === box.keyId)).toBe(true);
    const dropped = new HubKeys(store, new SecretBox({ current: randomBytes(32), old: [] }));
    await expect(dropped.ensure()).rejects.toMatchObject({ code: 'secrets-key-unknown' });
  });
});
