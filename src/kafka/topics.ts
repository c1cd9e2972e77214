/**
 * The hub's topics (SPEC section 4), named from the configured prefix, and their creation at start.
 */
import type { Admin, ITopicConfig } from 'kafkajs';
import { formatDuration } from '../config/duration.ts';

export interface TopicNames {
  readonly registry: string;
  readonly ingress: string;
  readonly deliveries: string;
  /** One per retry tier, in increasing delay: `lgsp.retry.5s`, `lgsp.retry.1m`, ... */
  readonly retries: readonly string[];
  readonly deadLetters: string;
  readonly events: string;
  /** Compacted: which source + id pairs were accepted (not in SPEC section 4; see docs/topics.md). */
  readonly dedupe: string;
  /** Compacted: deliveries parked behind an earlier one of the same subject (see docs/topics.md). */
  readonly holds: string;
  /** The operators' audit trail, keyed by operator, kept forever (see docs/operators.md). */
  readonly audit: string;
}

export function topicNames(prefix: string, retryTiersMs: readonly number[]): TopicNames {
  return Object.freeze({
    registry: `${prefix}registry`,
    ingress: `${prefix}ingress`,
    deliveries: `${prefix}deliveries`,
    retries: Object.freeze(retryTiersMs.map((ms) => `${prefix}retry.${formatDuration(ms)}`)),
    deadLetters: `${prefix}dead-letters`,
    events: `${prefix}events`,
    dedupe: `${prefix}dedupe`,
    holds: `${prefix}holds`,
    audit: `${prefix}audit`,
  });
}

export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
  /** Largest record the message topics take: a whole accepted body plus headers. */
  maxMessageBytes: number;
  /** How long a source + id is remembered for deduplication. */
  dedupeWindowMs: number;
}

/** The topic specs: the registry is compacted (latest record per key is the truth). */
export function topicSpecs(names: TopicNames, layout: TopicLayout): ITopicConfig[] {
  const minIsr = String(Math.min(2, layout.replicationFactor));
  const spec = (topic: string, configEntries: { name: string; value: string }[] = []): ITopicConfig => ({
    topic,
    numPartitions: layout.partitions,
    replicationFactor: layout.replicationFactor,
    configEntries: [{ name: 'min.insync.replicas', value: minIsr }, { name: 'max.message.bytes', value: String(layout.maxMessageBytes) }, ...configEntries],
  });
  return [
    { ...spec(names.registry, [{ name: 'cleanup.policy', value: 'compact' }]), numPartitions: 1 },
    spec(names.ingress),
    spec(names.deliveries),
    ...names.retries.map((t) => spec(t)),
    spec(names.deadLetters, [{ name: 'retention.ms', value: String(30 * 24 * 3_600_000) }]),
    spec(names.events),
    spec(names.dedupe, [
      { name: 'cleanup.policy', value: 'compact,delete' },
      { name: 'retention.ms', value: String(layout.dedupeWindowMs) },
    ]),
    { ...spec(names.holds, [{ name: 'cleanup.policy', value: 'compact' }]), numPartitions: 1 },
    // Who did what is a records matter (SPEC section 4: records keep what the law asks, default
    // unlimited): never deleted by Kafka; small (one record per operator action).
    spec(names.audit, [{ name: 'retention.ms', value: '-1' }]),
  ];
}

/** Creates the missing topics; existing ones are left as they are. Returns the names created. */
export async function ensureTopics(admin: Admin, specs: ITopicConfig[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  return missing.map((s) => s.topic);
}
