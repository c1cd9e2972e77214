/**
 * Kafka helpers for integration tests: unique names per test, clients that clean up after
 * themselves, and reading a topic back to check what was (or was not) written.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type IHeaders, type Admin } from 'kafkajs';
import { inject, onTestFinished } from 'vitest';
import { waitFor } from './wait-for.ts';

export function testBrokers(): string[] {
  return inject('kafkaBrokers').split(',');
}

/** A name no other test uses: topics, groups, prefixes. */
export function uniqueName(stem: string): string {
  return `${stem}-${randomBytes(4).toString('hex')}`;
}

export function testKafka(): Kafka {
  return new Kafka({ brokers: testBrokers(), clientId: uniqueName('test'), logLevel: logLevel.NOTHING });
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
 * Every committed record of `topic` (read_committed) from the beginning up to the end offsets
 * at the time of the call. Done when the reader's committed offsets reach those ends, which also
 * covers partitions whose last offsets are transaction markers or aborted records.
 */
export async function readTopic(topic: string): Promise<ReadRecord[]> {
  const admin = await testAdmin();
  const ends = (await admin.fetchTopicOffsets(topic)).filter((p) => Number(p.high) > Number(p.low));
  if (ends.length === 0) return [];
  const groupId = uniqueName('reader');
  const consumer = testKafka().consumer({ groupId });
  await consumer.connect();
  const records: ReadRecord[] = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers: decodeHeaders(message.headers),
          partition,
          offset: message.offset,
        });
      },
    });
    await waitFor(`reading ${topic} to its end`, async () => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const at = new Map(committed!.partitions.map((p) => [p.partition, Number(p.offset)]));
      return ends.every((p) => (at.get(p.partition) ?? -1) >= Number(p.high));
    }, 20_000);
  } finally {
    await consumer.disconnect();
  }
  return records.filter((r) => ends.some((p) => p.partition === r.partition && Number(r.offset) < Number(p.high)));
}

/** The end offsets of every partition, to prove later that nothing was written. */
export async function endOffsets(topic: string): Promise<Record<number, string>> {
  const admin = await testAdmin();
  return Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
}

export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.map(String).join(',') : v.toString();
  }
  return out;
}
