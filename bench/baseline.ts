/**
 * The baseline: raw kafkajs doing the hub's hops with none of its work (no validation, routing,
 * breakers, transactions): produce (acks=all, idempotent) → consume → produce → consume → HTTP POST
 * to the loopback sink. Same broker, same partitions, same sink as the hub run.
 */
import { Agent, request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
// The hub's kafkajs encodes with the pooled encoder: so does the baseline, so the comparison is of the hub's work.
import '../src/kafka/kafkajs-pooled-encoder.ts';
import '../src/kafka/kafkajs-request-queue.ts';
import { createTopicsWithLeaders } from '../src/kafka/topics.ts';
import type { Sink } from './sink.ts';

export interface PipelineRun {
  readonly sent: number;
  readonly sentAt: Map<string, number>;
  readonly seconds: number;
}

export async function runBaseline(
  brokers: string[],
  sink: Sink,
  count: number,
  batchSize: number,
  partitions: number,
  concurrency = 8,
): Promise<PipelineRun & { stop(): Promise<void> }> {
  const kafka = new Kafka({ brokers, clientId: 'bench-baseline', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const run = randomUUID().slice(0, 8);
  const [first, second] = [`bench-${run}-a`, `bench-${run}-b`];
  await createTopicsWithLeaders(
    admin,
    [first, second].map((topic) => ({ topic, numPartitions: partitions })),
  );
  await admin.disconnect();

  // One request in flight per broker: kafkajs's idempotent producer, sent to concurrently, otherwise sometimes fails with OUT_OF_ORDER_SEQUENCE_NUMBER.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const relay = kafka.consumer({ groupId: `bench-${run}-relay` });
  const deliver = kafka.consumer({ groupId: `bench-${run}-deliver` });
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const url = new URL(sink.url);
  const post = (id: string, body: Buffer | null) =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'ce-id': id, 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(body ?? undefined);
    });
  for (const c of [relay, deliver]) await c.connect();
  await relay.subscribe({ topic: first, fromBeginning: true });
  await deliver.subscribe({ topic: second, fromBeginning: true });
  await relay.run({
    partitionsConsumedConcurrently: partitions,
    eachBatch: async ({ batch }) => {
      await producer.send({ topic: second, acks: -1, messages: batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) });
    },
  });
  await deliver.run({
    partitionsConsumedConcurrently: partitions,
    eachBatch: async ({ batch }) => {
      await Promise.all(batch.messages.map((m) => post(m.headers!['ce-id']!.toString(), m.value)));
    },
  });

  const sentAt = new Map<string, number>();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const from = next;
        next = Math.min(count, next + batchSize);
        const messages = Array.from({ length: next - from }, (_, j) => {
          const id = `baseline-${run}-${from + j}`;
          sentAt.set(id, performance.now());
          return { key: `subject-${(from + j) % 1000}`, value: JSON.stringify({ n: from + j, text: 'Công văn về việc triển khai' }), headers: { 'ce-id': id } };
        });
        await producer.send({ topic: first, acks: -1, messages });
      }
    }),
  );
  return {
    sent: count,
    sentAt,
    seconds: (performance.now() - started) / 1000,
    stop: async () => {
      await Promise.all([relay.disconnect(), deliver.disconnect()]);
      await producer.disconnect();
      agent.destroy();
    },
  };
}
