/**
 * Which `source` + `id` pairs the hub has accepted, so a re-sent message is answered with the
 * first result and not routed twice (SPEC section 3), also after a restart and across instances.
 *
 * The truth is the compacted topic `lgsp.dedupe` (key `source\nid`), written in the same Kafka
 * transaction as the message itself, so it never claims a message that is not in `lgsp.ingress`.
 * Each instance loads it at start and follows it live. Bounded twice: entries older than the
 * window are forgotten (the topic's retention is the same window) and at most `maxEntries` are
 * kept in memory, oldest dropped first.
 */
import type { Kafka, Message } from 'kafkajs';
import { followTopic, type TopicFollower } from '../kafka/topic-follower.ts';

export interface DedupeLimits {
  windowMs: number;
  maxEntries: number;
}

export class DedupeStore {
  private readonly acceptedAt = new Map<string, number>();
  private follower: TopicFollower | undefined;

  constructor(private readonly limits: DedupeLimits) {}

  /** Loads the topic to its end; resolves when this instance knows every earlier acceptance. */
  async load(kafka: Kafka, topic: string, groupId: string): Promise<void> {
    this.follower = await followTopic(kafka, {
      topic,
      groupId,
      onMessage: (message) => {
        if (message.key) this.remember(message.key.toString(), Number(message.timestamp));
      },
    });
    await this.follower.caughtUp;
  }

  static key(source: string, id: string): string {
    return `${source}\n${id}`;
  }

  has(key: string, now = Date.now()): boolean {
    const at = this.acceptedAt.get(key);
    return at !== undefined && now - at < this.limits.windowMs;
  }

  /** Called for records read from the topic and, right after its commit, for this instance's own. */
  remember(key: string, at: number): void {
    this.acceptedAt.delete(key); // re-insert: Map order is the eviction order
    this.acceptedAt.set(key, at);
    if (this.acceptedAt.size > this.limits.maxEntries) {
      this.acceptedAt.delete(this.acceptedAt.keys().next().value!);
    }
  }

  /** The record that marks `key` accepted, for the transaction that writes the message. */
  static record(key: string, hubId: string): Message {
    return { key, value: hubId };
  }

  get size(): number {
    return this.acceptedAt.size;
  }

  async close(): Promise<void> {
    await this.follower?.stop();
  }
}
