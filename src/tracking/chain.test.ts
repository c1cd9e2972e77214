import { calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JSONWebKeySet } from 'jose';
import type { IHeaders, TopicMessages } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { HEADER } from '../contract/kafka-headers.ts';
import type { HubSigningKey } from '../contract/hub-signature.ts';
import { AuditChain, GENESIS, recordHash } from './chain.ts';
import { verifyChains, type ReadBack } from './chain-verify.ts';

const TOPIC = 'lgsp.events';

async function keyPair(): Promise<{ signing: HubSigningKey; jwks: JSONWebKeySet }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { signing: { kid, key: privateKey as CryptoKey }, jwks: { keys: [{ ...jwk, kid, alg: 'EdDSA', use: 'sig' }] } };
}

/** A topic as Kafka would keep it: each stamped record appended to its partition. */
function fakeTopic() {
  const records: ReadBack[] = [];
  const next = new Map<number, number>();
  const send = async (stamped: TopicMessages[]) => {
    for (const { messages } of stamped)
      for (const m of messages) {
        const partition = m.partition!;
        const offset = next.get(partition) ?? 0;
        next.set(partition, offset + 1);
        records.push({
          partition,
          offset: String(offset),
          key: Buffer.from(m.key as string),
          value: Buffer.from(m.value as string),
          headers: m.headers as IHeaders,
        });
      }
  };
  return { records, send };
}

const event = (n: number, key = 'k') => ({ key, value: JSON.stringify({ n }), headers: { [HEADER.auditKind]: 'accepted' } });
const batch = (from: number, count: number, key = 'k'): TopicMessages[] => [
  { topic: TOPIC, messages: Array.from({ length: count }, (_, i) => event(from + i, key)) },
];

describe('the audit hash chain', () => {
  let hub: { signing: HubSigningKey; jwks: JSONWebKeySet };
  let other: { signing: HubSigningKey; jwks: JSONWebKeySet };
  const verify = (records: ReadBack[], jwks = hub.jwks) => verifyChains(TOPIC, records, jwks, new Map());

  beforeAll(async () => {
    hub = await keyPair();
    other = await keyPair();
  });

  const chainOf = (checkpointEvery = 3) =>
    new AuditChain({
      partitions: new Map([[TOPIC, 2]]),
      chained: new Set([TOPIC]),
      signingKey: async () => hub.signing,
      checkpointEvery,
      checkpointMs: 3_600_000,
    });

  async function written(count = 6) {
    const topic = fakeTopic();
    const writer = chainOf().writer('lgsp.router-p0');
    await writer.write(batch(0, count), topic.send);
    // Records of another topic pass untouched.
    await writer.write([{ topic: 'lgsp.deliveries', messages: [event(99)] }], topic.send);
    return topic.records.filter((r) => r.headers?.[HEADER.chain] !== undefined);
  }

  it('links each record of a writer to its previous one, signs the first and every n-th, and verifies', async () => {
    const records = await written();
    expect(records.map((r) => r.headers![HEADER.chainSeq])).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(records[0]!.headers![HEADER.chainPrev]).toBe(GENESIS);
    expect(records[1]!.headers![HEADER.chainPrev]).toBe(recordHash(records[0]!));
    expect(records.filter((r) => r.headers![HEADER.chainSignature]).map((r) => r.headers![HEADER.chainSeq])).toEqual(['1', '3', '6']);
    expect(await verify(records)).toMatchObject({ ok: true, records: 6, chains: 1, checkpoints: 3, broken: [] });
  });

  it('names the record after a rewritten one (its link no longer matches)', async () => {
    const records = await written();
    records[1] = { ...records[1]!, value: Buffer.from('{"n":1000}') };
    const report = await verify(records);
    expect(report.ok).toBe(false);
    expect(report.broken).toEqual([expect.objectContaining({ offset: '2', seq: 3, reason: expect.stringMatching(/offset 1\): that record was rewritten/) })]);
  });

  it('names a seq gap (a deleted record), a repeated seq (a copy) and an unsigned new chain (a forgery)', async () => {
    const records = await written();
    expect((await verify(records.filter((r) => r.offset !== '3'))).broken).toEqual([
      expect.objectContaining({ offset: '4', reason: expect.stringMatching(/jumps from 3 .* to 5: 1 record/) }),
    ]);
    const copy = { ...records[2]!, offset: '6', value: Buffer.from('{"n":"changed"}') };
    expect((await verify([...records, copy])).broken).toEqual([expect.objectContaining({ offset: '6', reason: expect.stringMatching(/seq 3 repeats/) })]);
    const forged = { ...records[0]!, offset: '6', headers: { ...records[0]!.headers, [HEADER.chain]: 'intruder/1', [HEADER.chainSignature]: undefined } };
    expect((await verify([...records, forged])).broken).toEqual([
      expect.objectContaining({ offset: '6', reason: expect.stringMatching(/no signed checkpoint/) }),
    ]);
    const unchained = { ...records[0]!, offset: '6', headers: {} };
    expect((await verify([...records, unchained])).broken).toEqual([
      expect.objectContaining({ offset: '6', reason: expect.stringMatching(/without chain headers/) }),
    ]);
  });

  it('refuses a chain rewritten whole, hashes recomputed, without the hub key', async () => {
    const records = await written(2);
    const value = Buffer.from('{"n":"rewritten"}');
    const first = { ...records[0]!, value };
    const second = { ...records[1]!, headers: { ...records[1]!.headers, [HEADER.chainPrev]: recordHash(first) } };
    expect((await verify([first, second])).broken).toEqual([expect.objectContaining({ offset: '0', reason: expect.stringMatching(/hash differ/) })]);
    expect((await verify(records, other.jwks)).broken).toEqual([expect.objectContaining({ offset: '0', reason: expect.stringMatching(/does not verify/) })]);
  });

  it('starts a new chain after a failed write, so an aborted transaction leaves no gap', async () => {
    const topic = fakeTopic();
    const writer = chainOf().writer('lgsp.ingress');
    await writer.write(batch(0, 2), topic.send);
    await expect(writer.write(batch(2, 2), () => Promise.reject(new Error('transaction aborted')))).rejects.toThrow('aborted');
    await writer.write(batch(4, 2), topic.send);
    const chains = new Set(topic.records.map((r) => String(r.headers![HEADER.chain])));
    expect(chains.size).toBe(2);
    expect(await verify(topic.records)).toMatchObject({ ok: true, chains: 2, records: 4 });
  });

  it('keeps one chain per partition, and places records as the default partitioner would', async () => {
    const topic = fakeTopic();
    const writer = chainOf().writer('lgsp.router-p1');
    await writer.write([{ topic: TOPIC, messages: ['a', 'b', 'c', 'd', 'e', 'f'].map((key, n) => event(n, key)) }], topic.send);
    expect(new Set(topic.records.map((r) => r.partition)).size).toBe(2);
    expect(topic.records.filter((r) => r.headers![HEADER.chainSeq] === '1')).toHaveLength(2);
    expect((await verify(topic.records)).ok).toBe(true);
  });
});
