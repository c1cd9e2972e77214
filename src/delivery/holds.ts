/**
 * Holds keep the order per (recipient, subject) through retries. While a delivery of a subject
 * waits in a retry tier, a hold lists, in order, every delivery of that (connector, subject) parked
 * in the tiers (the first is the one being retried). A later delivery of the same subject parks
 * behind the last one instead of overtaking it; a parked delivery is tried only when it is first.
 *
 * The truth is the compacted topic `lgsp.holds` (key `connector\nsubject`), written in the same
 * transaction as the retry records and the consumer offsets, so holds and parked records never
 * disagree after a crash. Every instance follows it; only the instance that owns a partition
 * (co-partitioned assignment) changes the holds of its keys, with a sequence number per key so a
 * lagging follower never rolls a newer local state back.
 */
import type { Kafka, Message } from 'kafkajs';
import { followTopic, type TopicFollower } from '../kafka/topic-follower.ts';
import { HEADER } from '../contract/kafka-headers.ts';

export interface Parked {
  readonly hubId: string;
  /** The retry tier it waits in. */
  readonly tier: number;
}

export interface Hold {
  readonly seq: number;
  readonly queue: readonly Parked[];
}

export function holdKey(connector: string, subject: string): string {
  return `${connector}\n${subject}`;
}

/** Pure operations on a hold's queue; each returns the new queue. */
export const queue = {
  append: (q: readonly Parked[], hubId: string, tier: number): Parked[] => [...q, { hubId, tier }],
  move: (q: readonly Parked[], hubId: string, tier: number): Parked[] => q.map((p) => (p.hubId === hubId ? { hubId, tier } : p)),
  remove: (q: readonly Parked[], hubId: string): Parked[] => q.filter((p) => p.hubId !== hubId),
};

/** How long a released hold's sequence number is remembered (far longer than any follower lag). */
const RELEASED_MEMORY_MS = 10 * 60_000;

export class HoldStore {
  private readonly holds = new Map<string, Hold>();
  /** Released keys: their last sequence number and when, so a late old record cannot bring them back. */
  private readonly released = new Map<string, { seq: number; at: number }>();
  private follower: TopicFollower | undefined;

  async load(kafka: Kafka, topic: string, groupId: string): Promise<void> {
    this.follower = await followTopic(kafka, {
      topic,
      groupId,
      onMessage: (message) => {
        const key = message.key?.toString() ?? '';
        const hold = message.value ? (JSON.parse(message.value.toString()) as Hold) : undefined;
        const seq = hold?.seq ?? Number(message.headers?.[HEADER.holdSeq]?.toString() ?? '0');
        if (seq < this.knownSeq(key)) return; // this instance already wrote a newer state
        this.set(key, hold ?? { seq, queue: [] });
      },
    });
    await this.follower.caughtUp;
  }

  /** Before working on partitions just assigned: read every hold written until now. */
  async catchUp(): Promise<void> {
    await this.follower?.readToCurrentEnd();
  }

  get(key: string): Hold | undefined {
    return this.holds.get(key);
  }

  /** The record that sets `key` to `queueAfter` (a tombstone when empty), for the caller's transaction. */
  record(key: string, before: Hold | undefined, queueAfter: readonly Parked[]): { message: Message; hold: Hold } {
    const hold = { seq: Math.max(before?.seq ?? 0, this.knownSeq(key)) + 1, queue: queueAfter };
    const value = queueAfter.length > 0 ? JSON.stringify(hold) : null;
    return { message: { key, value, headers: { [HEADER.holdSeq]: String(hold.seq) } }, hold };
  }

  /** After the transaction that wrote them committed. */
  applyCommitted(changes: ReadonlyMap<string, Hold>): void {
    for (const [key, hold] of changes) this.set(key, hold);
    const forgetBefore = Date.now() - RELEASED_MEMORY_MS;
    for (const [key, { at }] of this.released) {
      if (at >= forgetBefore) break; // insertion order is time order
      this.released.delete(key);
    }
  }

  private knownSeq(key: string): number {
    return this.holds.get(key)?.seq ?? this.released.get(key)?.seq ?? 0;
  }

  private set(key: string, hold: Hold): void {
    if (hold.queue.length > 0) {
      this.holds.set(key, hold);
      this.released.delete(key);
    } else {
      this.holds.delete(key);
      this.released.delete(key);
      this.released.set(key, { seq: hold.seq, at: Date.now() });
    }
  }

  get size(): number {
    return this.holds.size;
  }

  async close(): Promise<void> {
    await this.follower?.stop();
  }
}
