/**
 * Kafka helpers for integration tests: unique names per test, clients that clean up after
 * themselves, and reading a topic back to check what was (or was not) written.
 *
 * Over a secured test broker (LGSP_TEST_KAFKA_SECURE=1) `testCluster()` carries the `hub` user's
 * SASL_SSL settings, so hubs started on it authenticate as the hub; the test's own clients
 * (`testKafka`) inspect as `broker`, the cluster's super user.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type IHeaders, type Admin } from 'kafkajs';
import { inject, onTestFinished } from 'vitest';
import { kafkaSecurityOptions, PLAINTEXT, type KafkaCluster } from '../../src/kafka/kafka-security.ts';
import '../../src/kafka/kafkajs-request-queue.ts';
import { readToEnd } from '../../src/kafka/topic-follower.ts';
import { waitFor } from './wait-for.ts';

export function testBrokers(): readonly string[] {
  return inject('kafkaBrokers').split(',');
}

/** The test broker as a hub sees it: its addresses and, when secured, the `hub` user's settings. */
export function testCluster(): KafkaCluster {
  return { brokers: testBrokers(), security: inject('kafkaSecurity')?.hub ?? PLAINTEXT };
}

/** A name no other test uses: topics, groups, prefixes. */
export function uniqueName(stem: string): string {
  return `${stem}-${randomBytes(4).toString('hex')}`;
}

export function testKafka(): Kafka {
  const brokers = inject('kafkaBrokers').split(',');
  const security = inject('kafkaSecurity')?.operator ?? PLAINTEXT;
  return new Kafka({ brokers, clientId: uniqueName('test'), logLevel: logLevel.NOTHING, ...kafkaSecurityOptions(security) });
}

/** An admin client, disconnected when the test ends. */
export async function testAdmin(): Promise<Admin> {
  const admin = testKafka().admin();
  await admin.connect();
  onTestFinished(() => admin.disconnect());
  return admin;
}

export interface ReadRecord {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/**
 * Every committed record of `topic` (read_committed) from the beginning up to its end offsets at
 * the time of the call, read with the hub's own `readToEnd` (which knows transaction markers).
 */
export async function readTopic(topic: string): Promise<ReadRecord[]> {
  const records: ReadRecord[] = [];
  await readToEnd(testKafka(), {
    topic,
    groupId: uniqueName('reader'),
    onMessage: (message, partition) => {
      records.push({
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? null,
        headers: decodeHeaders(message.headers),
        partition,
        offset: message.offset,
      });
    },
  });
  return records;
}

/**
 * Reads `topic` until `enough(records)` holds. A committed transaction's markers reach the
 * partitions a moment after the commit returns, so a record acknowledged to a sender may take a
 * few milliseconds to become visible to read_committed readers.
 */
export async function readTopicUntil(topic: string, enough: (records: ReadRecord[]) => boolean): Promise<ReadRecord[]> {
  let records: ReadRecord[] = [];
  await waitFor(`records in ${topic}`, async () => enough((records = await readTopic(topic))), 15_000);
  return records;
}

/** The end offsets of every partition, to prove later that nothing was written. */
export async function endOffsets(topic: string): Promise<Record<number, string>> {
  const admin = await testAdmin();
  return Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
}

/**
 * The end offsets once they stop moving: a transaction's commit markers reach the partitions a
 * moment after the producer's commit returns (and the sender had its 202), and each moves the end.
 */
export async function settledEndOffsets(topic: string): Promise<Record<number, string>> {
  let last = await endOffsets(topic);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = await endOffsets(topic);
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
}

export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.map(String).join(',') : v.toString();
  }
  return out;
}
