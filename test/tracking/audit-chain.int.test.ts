/**
 * The tamper-evident records topics against the real broker: a hub writes `accepted` and `routed`
 * events (ingest, which routes too, in transactions) and operator audit records, each chained by its
 * writer; `GET /v1/audit:verify` finds every chain whole. Then records are written straight to
 * Kafka with a plain producer, around the hub: a copy of an event with a changed value and its
 * original chain headers, and an audit record whose seq skips one (as if one were deleted). The
 * verifier names each by partition and offset. A delivery refused, dead-lettered and replayed
 * chains the events of the delivery stage and the replayer too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER } from '../../src/contract/kafka-headers.ts';
import type { Hub } from '../../src/hub.ts';
import { recordHash } from '../../src/tracking/chain.ts';
import type { ChainReport } from '../../src/tracking/chain-verify.ts';
import { asOperator, startTestHub } from '../helpers/hub.ts';
import { lgsp } from '../cli/run-lgsp.ts';
import { receivedIds, useDeliveryHub } from '../helpers/agencies.ts';
import { readTopicUntil, testKafka, type ReadRecord } from '../helpers/kafka.ts';
import { documentSent, post, seedSenders } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

const DOCUMENTS = 4;

async function verify(hub: Hub, topic: 'events' | 'audit'): Promise<ChainReport> {
  const res = await asOperator(hub.url, `/v1/audit:verify?topic=${topic}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as ChainReport;
}

/** Writes `record`'s key, value and headers (all but its checkpoint) to its partition, around the hub; resolves with its offset. */
async function writeAround(topic: string, record: Pick<ReadRecord, 'key' | 'value' | 'headers' | 'partition'>): Promise<string> {
  const producer = testKafka().producer();
  await producer.connect();
  try {
    const { [HEADER.chainSignature]: _signature, ...headers } = record.headers;
    const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: record.key, value: record.value, headers, partition: record.partition }] });
    return meta!.baseOffset!;
  } finally {
    await producer.disconnect();
  }
}

describe('tamper-evident records topics', () => {
  let hub: Hub;
  let events: ReadRecord[];

  beforeAll(async () => {
    hub = await startTestHub();
    const { sender } = await seedSenders(hub.url);
    for (let i = 0; i < DOCUMENTS; i++) expect((await post(hub.url, documentSent(), { token: sender })).status).toBe(202);
    // One record a message: its `accepted` event carrying its `routed` one.
    events = await readTopicUntil(hub.topics.events, (records) => records.filter((r) => r.headers[HEADER.auditKind] === 'accepted').length >= DOCUMENTS);
  });
  afterAll(() => hub?.close());

  it('chains every event and audit record, and finds every chain whole', async () => {
    expect(events.every((r) => r.headers[HEADER.chain] && r.headers[HEADER.chainSeq] && r.headers[HEADER.chainPrev])).toBe(true);
    const chains = new Set(events.map((r) => r.headers[HEADER.chain]!.split('/')[0]));
    expect([...chains].sort()).toEqual(expect.arrayContaining([expect.stringMatching(/ingress$/)]));
    const report = await verify(hub, 'events');
    expect(report).toMatchObject({ ok: true, unchained: 0, broken: [] });
    expect(report.records).toBeGreaterThanOrEqual(DOCUMENTS);
    expect(report.checkpoints).toBeGreaterThanOrEqual(report.chains);
    expect(await verify(hub, 'audit')).toMatchObject({ ok: true, unchained: 0, broken: [] });
    const cli = await lgsp(hub.url, ['audit', 'verify', '--topic', 'audit']);
    expect(cli).toMatchObject({ code: 0, stdout: expect.stringMatching(/: every chain holds/) });
  });

  it('names a record copied into the events topic with a changed value and the original chain headers', async () => {
    const original = events.find((r) => r.headers[HEADER.auditKind] === 'accepted')!;
    const value = JSON.stringify({ ...JSON.parse(original.value!), connector: 'someone-else' });
    const offset = await writeAround(hub.topics.events, { ...original, value });
    const report = await verify(hub, 'events');
    expect(report.ok).toBe(false);
    expect(report.broken).toEqual([
      expect.objectContaining({ partition: original.partition, offset, writer: original.headers[HEADER.chain], reason: expect.stringMatching(/repeats/) }),
    ]);
  });

  it('names an audit record whose seq skips one, as if a record had been deleted', async () => {
    const audit = await readTopicUntil(hub.topics.audit, (records) => records.length > 0);
    const tip = audit.at(-1)!;
    const seq = Number(tip.headers[HEADER.chainSeq]);
    const offset = await writeAround(hub.topics.audit, {
      ...tip,
      value: JSON.stringify({ ...JSON.parse(tip.value!), action: 'DELETE /v1/connectors/{id}' }),
      headers: { ...tip.headers, [HEADER.chainSeq]: String(seq + 2), [HEADER.chainPrev]: recordHash(tip) },
    });
    const report = await verify(hub, 'audit');
    expect(report.broken).toEqual([
      expect.objectContaining({
        partition: tip.partition,
        offset,
        seq: seq + 2,
        reason: expect.stringMatching(`jumps from ${seq} .* to ${seq + 2}: 1 record`),
      }),
    ]);
    const cli = await lgsp(hub.url, ['audit', 'verify', '--topic', 'audit']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`partition ${tip.partition} offset ${offset}`);
    expect((await lgsp(hub.url, ['audit', 'verify', '--topic', 'nope'])).code).toBe(1);
  });
});

describe('every writer of the events topic', () => {
  const fixture = useDeliveryHub({ 'qn-hong-gai': '000.02.05.H49' });

  it('chains the delivery stage and the replayer as well', async () => {
    const { hub, token, systems } = fixture;
    const commune = systems['qn-hong-gai']!;
    commune.sim.faults.set({ kind: 'reject', status: 422, body: { error: 'Thiếu số ký hiệu văn bản' }, times: 1 });
    const message = documentSent({ to: commune.agency });
    expect((await post(hub.url, message, { token })).status).toBe(202);
    const letter = await waitFor('the dead letter', async () => {
      const { deadLetters } = (await (await asOperator(hub.url, `/v1/dead-letters?connector=${commune.id}`)).json()) as { deadLetters: { id: string }[] };
      return deadLetters[0];
    });
    expect((await asOperator(hub.url, `/v1/dead-letters/${letter.id}:replay`, { method: 'POST' })).status).toBe(200);
    await waitFor('the replayed delivery', () => receivedIds(commune).includes(message.id as string));
    const events = await readTopicUntil(hub.topics.events, (records) => records.some((r) => r.headers[HEADER.auditKind] === 'delivered'));
    // `<prefix>delivery-p0/<uuid>` → `delivery`: one name per stage, whatever its lanes.
    const stages = new Set(events.map((r) => /([^.]+?)(-p\d+)?\/[^/]+$/.exec(r.headers[HEADER.chain]!)![1]));
    expect([...stages].sort()).toEqual(['delivery', 'ingress', 'replay']);
    expect(await verify(hub, 'events')).toMatchObject({ ok: true, unchained: 0, broken: [] });
  });
});
