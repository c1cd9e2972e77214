/**
 * Which `source` + `id` pairs the hub has accepted, so a re-sent message is answered with the
 * first result and not routed twice (SPEC section 3), also after a restart and across instances.
 *
 * The truth is the topic `lgsp.dedupe`, written only once Kafka acknowledged the messages
 * themselves (`ingress-writer.ts`), so it never claims a message that is not in `lgsp.ingress`:
 * one record an ingest write, listing the `source\nid` keys written before it (one record a
 * message would double the hub's writes for a batch). The topic is compacted as well as
 * time-limited; a record's key is its first mark's, which appears again only once that mark, and
 * so every mark beside it, is past the window.
 * Each instance loads it at start and follows it live. Bounded three times: entries older than the
 * window are forgotten (the topic's retention is the same window); one sender (`source`, an agency)
 * keeps at most `maxPerSource`, so a flood from one sender drops that sender's own oldest and never
 * another's; and at most `maxEntries` are kept in memory in all, oldest dropped first.
 */
import type { Kafka, KafkaMessage, Message } from 'kafkajs';
import { HEADER } from '../contract/kafka-headers.ts';
import { followTopic, type TopicFollower } from '../kafka/topic-follower.ts';

export interface DedupeLimits {
  windowMs: number;
  maxEntries: number;
  /** LGSP_DEDUPE_MAX_PER_SOURCE. */
  maxPerSource: number;
}

export class DedupeStore {
  /** Every entry, in eviction order (Map order: the oldest first). */
  private readonly acceptedAt = new Map<string, number>();
  /** The same keys by sender, each set in that sender's eviction order. */
  private readonly bySource = new Map<string, Set<string>>();
  private follower: TopicFollower | undefined;
  private readonly limits: DedupeLimits;

  constructor(limits: DedupeLimits) {
    this.limits = limits;
  }

  /** Loads the topic to its end; resolves when this instance knows every earlier acceptance. */
  async load(kafka: Kafka, topic: string, groupId: string): Promise<void> {
    this.follower = await followTopic(kafka, {
      topic,
      groupId,
      onMessage: (message) => {
        const at = Number(message.timestamp);
        for (const key of marksOf(message)) this.remember(key, at);
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
    const source = sourceOf(key);
    const own = this.bySource.get(source) ?? new Set<string>();
    this.bySource.set(source, own);
    // Re-insert: insertion order is the eviction order.
    own.delete(key);
    own.add(key);
    this.acceptedAt.delete(key);
    this.acceptedAt.set(key, at);
    if (own.size > this.limits.maxPerSource) this.forget(own.values().next().value!);
    if (this.acceptedAt.size > this.limits.maxEntries) this.forget(this.acceptedAt.keys().next().value!);
  }

  private forget(key: string): void {
    this.acceptedAt.delete(key);
    const source = sourceOf(key);
    const own = this.bySource.get(source);
    own?.delete(key);
    if (own?.size === 0) this.bySource.delete(source);
  }

  /** The record that marks `keys` accepted, written once Kafka holds their messages. */
  static record(keys: readonly string[]): Message {
    return { key: keys[0]!, value: JSON.stringify(keys), headers: { [HEADER.dedupeMarks]: String(keys.length) } };
  }

  get size(): number {
    return this.acceptedAt.size;
  }

  async close(): Promise<void> {
    await this.follower?.stop();
  }
}

/** The keys a record of the topic marks accepted; an unreadable one marks nothing (a re-send is then written again). */
export function marksOf(message: Pick<KafkaMessage, 'key' | 'value' | 'headers'>): string[] {
  if (message.headers?.[HEADER.dedupeMarks] === undefined) return message.key ? [message.key.toString()] : [];
  try {
    const keys: unknown = JSON.parse(message.value?.toString() ?? '');
    return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
  } catch {
    return [];
  }
}

/** The `source` part of a `source\nid` key. */
function sourceOf(key: string): string {
  const end = key.indexOf('\n');
  return end < 0 ? key : key.slice(0, end);
}
