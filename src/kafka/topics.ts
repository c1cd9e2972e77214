/**
 * The hub's topics (SPEC section 4), named from the configured prefix, and their creation at start.
 */
import kafkajs, { type Admin, type ITopicConfig } from 'kafkajs';
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
  /** One record per synchronous data-sharing call, keyed by service id, chained and signed (docs/services.md). */
  readonly serviceCalls: string;
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
    serviceCalls: `${prefix}service-calls`,
  });
}

/** Every topic of `names`. */
export function allTopics(names: TopicNames): string[] {
  return Object.values(names).flat();
}

export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
  /** Largest record the message topics take: a whole accepted body plus headers. */
  maxMessageBytes: number;
  /** How long a source + id is remembered for deduplication. */
  dedupeWindowMs: number;
  /** `retention.ms` of the records topics (LGSP_RECORDS_RETENTION); -1: kept forever. */
  recordsRetentionMs: number;
}

/**
 * The records (SPEC section 4): every accepted message, the audit trail of what the hub did with it,
 * the operators' actions, and every data-sharing call. They keep what the law asks, never Kafka's 7-day default.
 */
export function recordsTopics(names: TopicNames): string[] {
  return [names.ingress, names.events, names.audit, names.serviceCalls];
}

/** The settings a records topic is held to, at creation and at every start. */
function recordsRetention(layout: TopicLayout): { name: string; value: string }[] {
  return [
    { name: 'cleanup.policy', value: 'delete' },
    { name: 'retention.ms', value: String(layout.recordsRetentionMs) },
  ];
}

/** The topic specs: the registry is compacted (latest record per key is the truth); the records keep `recordsRetentionMs`. */
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
    spec(names.ingress, recordsRetention(layout)),
    spec(names.deliveries),
    ...names.retries.map((t) => spec(t)),
    spec(names.deadLetters, [{ name: 'retention.ms', value: String(30 * 24 * 3_600_000) }]),
    spec(names.events, recordsRetention(layout)),
    spec(names.dedupe, [
      { name: 'cleanup.policy', value: 'compact,delete' },
      { name: 'retention.ms', value: String(layout.dedupeWindowMs) },
    ]),
    { ...spec(names.holds, [{ name: 'cleanup.policy', value: 'compact' }]), numPartitions: 1 },
    // Who did what is a records matter too; small (one record per operator action).
    spec(names.audit, recordsRetention(layout)),
    // Who looked up whom in a national database: a records matter (Decree 194/2025 asks for the trail).
    spec(names.serviceCalls, recordsRetention(layout)),
  ];
}

/** Creates the missing topics; existing ones are left as they are. Returns the names created. */
export async function ensureTopics(admin: Admin, specs: ITopicConfig[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length > 0) await createTopicsWithLeaders(admin, missing);
  return missing.map((s) => s.topic);
}

/** One existing topic's settings changed at start: what they were and what they are now. */
export interface TopicAlteration {
  readonly topic: string;
  readonly from: Readonly<Record<string, string>>;
  readonly to: Readonly<Record<string, string>>;
}

/**
 * Holds the existing records topics to `recordsRetention` (one made with Kafka's 7-day default, by
 * hand, or under an earlier LGSP_RECORDS_RETENTION). Their other settings are kept: Kafka's
 * AlterConfigs replaces a topic's whole set, so it is sent whole. Called after `ensureTopics`;
 * returns one alteration per topic changed, for the log.
 */
export async function alignRecordsRetention(admin: Admin, names: TopicNames, layout: TopicLayout): Promise<TopicAlteration[]> {
  const wanted = recordsRetention(layout);
  const { resources } = await untilKnown(() =>
    admin.describeConfigs({
      resources: recordsTopics(names).map((name) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name })),
      includeSynonyms: false,
    }),
  );
  const alterations: { alteration: TopicAlteration; configEntries: { name: string; value: string }[] }[] = [];
  for (const { resourceName: topic, configEntries } of resources) {
    const current = new Map(configEntries.map((c) => [c.configName, c.configValue]));
    const changed = wanted.filter((c) => current.get(c.name) !== c.value);
    if (changed.length === 0) continue;
    // The topic's own settings (not the broker's defaults), with the changed ones replaced.
    const own = configEntries.filter((c) => c.configSource === kafkajs.ConfigSource.TOPIC_CONFIG && !changed.some((w) => w.name === c.configName));
    alterations.push({
      alteration: {
        topic,
        from: Object.fromEntries(changed.map((c) => [c.name, current.get(c.name) ?? ''])),
        to: Object.fromEntries(changed.map((c) => [c.name, c.value])),
      },
      configEntries: [...own.map((c) => ({ name: c.configName, value: c.configValue })), ...changed],
    });
  }
  if (alterations.length > 0) {
    await admin.alterConfigs({
      validateOnly: false,
      resources: alterations.map(({ alteration, configEntries }) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name: alteration.topic, configEntries })),
    });
  }
  return alterations.map((a) => a.alteration);
}

const UNKNOWN_TOPIC_WAIT_MS = 30_000;

/** Creates `topics` and waits for their leaders, asking again while a broker does not know them yet (`untilKnown`). */
export function createTopicsWithLeaders(admin: Admin, topics: ITopicConfig[]): Promise<boolean> {
  return untilKnown(() => admin.createTopics({ topics, waitForLeaders: true }));
}

/**
 * `call`, again while Kafka answers "unknown topic": on a cluster of several brokers (and on a busy
 * single one) a topic just created is not yet known to every broker's metadata, and kafkajs gives
 * up on that answer at once (even with `waitForLeaders`).
 */
async function untilKnown<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + UNKNOWN_TOPIC_WAIT_MS;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if ((err as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION' || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
