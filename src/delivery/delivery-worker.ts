/**
 * The delivery stage: one consumer group on `lgsp.deliveries` and the retry tiers, with the
 * co-partitioned assignment, so one instance owns a recipient agency's records in every topic.
 *
 * For each batch: the due records (a retry tier's head that is not due yet pauses its partition
 * until it is) go through their connector's sender; what follows from each outcome (retry record,
 * dead letter, hold change) and the consumer offset are committed in one transaction. A batch
 * whose every delivery succeeded with no hold to change (the happy path) needs no transaction:
 * its `delivered` events are written by an idempotent producer, acknowledged by all in-sync
 * replicas, and the offset is committed after them. A crash between the two delivers the batch
 * again, except what the audit trail already shows delivered (`alreadyDelivered`), so a repeat
 * needs the crash to fall in the few milliseconds before the event is read back; the
 * `Idempotency-Key` covers that window.
 * Records of different (connector, subject) are delivered concurrently; the same one in order.
 * Batches of the same partition number are handled one at a time, since they share holds.
 */
import type { Consumer, Kafka, KafkaMessage, Message, Producer, TopicMessages } from 'kafkajs';
import { AdapterError } from '../../connectors/kit/adapter.ts';
import { HEADER } from '../contract/kafka-headers.ts';
import { coPartitionedAssigner } from '../kafka/co-partitioned-assigner.ts';
import { TransactionalProducers } from '../kafka/transactional-producers.ts';
import { superviseConsumer, type SupervisedConsumer } from '../kafka/supervised-consumer.ts';
import { commitTransaction, nextOffset, type ConsumedUpTo } from '../kafka/transactional-commit.ts';
import type { TopicNames } from '../kafka/topics.ts';
import type { Logger } from '../ops/logger.ts';
import { messageFields } from '../ops/message-log.ts';
import type { RegistryStore } from '../registry/registry-store.ts';
import { auditMessage, type AuditEvent, type DeliveredEvent } from '../tracking/audit-event.ts';
import type { AuditChain } from '../tracking/chain.ts';
import { deadLetterMessage } from './dead-letters.ts';
import type { DeliveryMetrics } from './delivery-metrics.ts';
import { deliveryMessage, parseDelivery, type DeliveryRecord } from './delivery-record.ts';
import { holdKey, type HoldStore, queue, type Hold } from './holds.ts';
import { planRetry, scheduleMs } from './retry-plan.ts';
import type { Attempted, Senders } from './senders.ts';

const MAX_UNRECORDED = 100_000;
const deliveryKey = (hubId: string, connector: string) => `${hubId}\n${connector}`;

export interface DeliveryParts {
  kafka: Kafka;
  topics: TopicNames;
  groupId: string;
  tiersMs: readonly number[];
  registry: RegistryStore;
  senders: Senders;
  holds: HoldStore;
  metrics: DeliveryMetrics;
  /** Chains the records of `lgsp.events` (one writer per lane). */
  chain: AuditChain;
  /** Whether the audit trail shows `hubId` delivered to `connector` (the trace view). */
  alreadyDelivered(hubId: string, connector: string): boolean;
  logger: Logger;
}

/** What one batch produces, committed together. */
class BatchOutput {
  /** `deliveryKey`s of the `delivered` events in `events`. */
  readonly recorded: string[] = [];
  readonly retries = new Map<number, Message[]>();
  readonly deadLetters: Message[] = [];
  readonly events: Message[] = [];
  readonly holdRecords: Message[] = [];
  readonly holdChanges = new Map<string, Hold>();

  retry(tier: number, message: Message): void {
    this.retries.set(tier, [...(this.retries.get(tier) ?? []), message]);
  }

  audit(event: AuditEvent): void {
    this.events.push(auditMessage(event));
  }

  /** A `delivered` event; the delivery is no longer unrecorded once this batch commits. */
  delivered(event: DeliveredEvent): void {
    this.audit(event);
    this.recorded.push(deliveryKey(event.hubId, event.connector));
  }

  /** Only `delivered` events: nothing that must change atomically with the offset. */
  get happyPath(): boolean {
    return this.retries.size === 0 && this.deadLetters.length === 0 && this.holdRecords.length === 0;
  }

  topicMessages(topics: TopicNames): TopicMessages[] {
    return [
      ...[...this.retries].map(([tier, messages]) => ({ topic: topics.retries[tier]!, messages })),
      { topic: topics.deadLetters, messages: this.deadLetters },
      { topic: topics.events, messages: this.events },
      { topic: topics.holds, messages: this.holdRecords },
    ];
  }
}

export class DeliveryWorker {
  private consumer: SupervisedConsumer | undefined;
  private producers: TransactionalProducers | undefined;
  /** Writes the happy path's `delivered` events, outside any transaction. */
  private eventProducer: Producer | undefined;
  /** One batch at a time per partition number (they share holds and that number's producer). */
  private readonly partitionChains = new Map<number, Promise<void>>();
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  /**
   * Deliveries this instance made whose batch is not committed yet: from the answer until the
   * batch's outcome and offset are, and beyond if that failed (say while a broker fails over):
   * the batch is read again, and these are not sent again (their event is written again).
   */
  private readonly unrecorded = new Map<string, DeliveredEvent>();
  /** Group joins seen, and the last one whose holds this instance has read to the end. */
  private joins = 0;
  private holdsReadForJoin = -1;
  private readonly parts: DeliveryParts;

  constructor(parts: DeliveryParts) {
    this.parts = parts;
  }

  async start(): Promise<void> {
    const { kafka, topics, groupId } = this.parts;
    this.producers = new TransactionalProducers(kafka, groupId);
    this.eventProducer = kafka.producer({ idempotent: true });
    await this.eventProducer.connect();
    const config = { groupId, partitionAssigners: [coPartitionedAssigner], maxWaitTimeInMs: 20, readUncommitted: false };
    this.consumer = await superviseConsumer(
      kafka,
      config,
      async (consumer) => {
        consumer.on(consumer.events.GROUP_JOIN, () => void this.joins++);
        await consumer.subscribe({ topics: [topics.deliveries, ...topics.retries], fromBeginning: true });
        await this.run(consumer);
      },
      { onRestart: (err) => this.parts.logger.warn({ err }, 'delivery consumer stopped; starting a new one'), joinInBackground: true },
    );
  }

  private async run(consumer: Consumer): Promise<void> {
    const { topics } = this.parts;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 64,
      eachBatch: async ({ batch, resolveOffset, heartbeat, pause, isStale }) => {
        const tier = topics.retries.indexOf(batch.topic);
        await this.serialized(batch.partition, async () => {
          if (isStale()) return;
          if (this.holdsReadForJoin !== this.joins) {
            // Partitions just assigned: read every hold their previous owner wrote first.
            const join = this.joins;
            await this.parts.holds.catchUp();
            this.holdsReadForJoin = join;
          }
          const due = tier < 0 ? batch.messages : this.dueOnly(batch.messages, pause);
          if (due.length === 0) return;
          const output = new BatchOutput();
          const origin = (offset: string) => ({ topic: batch.topic, partition: batch.partition, offset });
          await this.deliverAll(
            due.map((m) => ({ ...parseDelivery(m), origin: origin(m.offset) })),
            tier < 0 ? undefined : tier,
            output,
          );
          const last = due[due.length - 1]!.offset;
          await this.commit(consumer, output, { topic: batch.topic, partition: batch.partition, offset: last });
          this.parts.holds.applyCommitted(output.holdChanges);
          resolveOffset(last);
        });
        await heartbeat();
      },
    });
  }

  /** "consuming", or what its consumer waits for (`/readyz` reports it). */
  status(): string {
    return this.consumer?.status() ?? 'not started';
  }

  async stop(): Promise<void> {
    for (const timer of this.resumeTimers) clearTimeout(timer);
    try {
      await this.consumer?.stop();
    } finally {
      await Promise.allSettled([this.producers?.close(), this.eventProducer?.disconnect()]);
    }
  }

  /** The records of a retry tier that are due; at the first that is not, pause until it is. */
  private dueOnly(messages: KafkaMessage[], pause: () => () => void): KafkaMessage[] {
    const now = Date.now();
    const firstLater = messages.findIndex((m) => Number(m.headers?.[HEADER.dueAt]?.toString() ?? '0') > now);
    if (firstLater < 0) return messages;
    const wait = Number(messages[firstLater]!.headers![HEADER.dueAt]!.toString()) - now;
    const resume = pause();
    const timer = setTimeout(() => {
      this.resumeTimers.delete(timer);
      resume();
    }, wait);
    this.resumeTimers.add(timer);
    return messages.slice(0, firstLater);
  }

  /** Lanes by (connector, subject), in order within a lane, concurrently across lanes. */
  private async deliverAll(records: DeliveryRecord[], tier: number | undefined, output: BatchOutput): Promise<void> {
    const lanes = new Map<string, DeliveryRecord[]>();
    for (const r of records) {
      const key = holdKey(r.recipient, r.message.event.subject);
      lanes.set(key, [...(lanes.get(key) ?? []), r]);
    }
    await Promise.all(
      [...lanes].map(async ([key, lane]) => {
        for (const record of lane) await this.handle(key, record, tier, output);
      }),
    );
  }

  private async handle(key: string, record: DeliveryRecord, tier: number | undefined, output: BatchOutput): Promise<void> {
    const hold = output.holdChanges.get(key) ?? this.parts.holds.get(key);
    const waiting = hold?.queue ?? [];
    const mine = waiting.find((p) => p.hubId === record.message.hubId);
    if (tier === undefined && waiting.length > 0) {
      // A new delivery of a held subject: park it behind the last one parked.
      const tail = waiting[waiting.length - 1]!.tier;
      this.park(output, { ...record, parked: true }, tail);
      return this.setHold(output, key, hold, queue.append(waiting, record.message.hubId, tail));
    }
    if (mine && waiting[0]!.hubId !== record.message.hubId) {
      // Still behind an earlier one: follow it to its tier.
      const headTier = waiting[0]!.tier;
      this.park(output, record, headTier);
      return this.setHold(output, key, hold, queue.move(waiting, record.message.hubId, headTier));
    }
    await this.attempt(key, record, hold, output);
  }

  private async attempt(key: string, record: DeliveryRecord, hold: Hold | undefined, output: BatchOutput): Promise<void> {
    const { registry, senders, metrics, tiersMs } = this.parts;
    const { hubId, hubSignature, senderSignature } = record.message;
    const at = new Date().toISOString();
    const recipient = { connector: record.recipient, agency: record.recipientAgency };
    const waiting = hold?.queue ?? [];
    const inTrail = this.parts.alreadyDelivered(hubId, record.recipient);
    if (inTrail) this.unrecorded.delete(deliveryKey(hubId, record.recipient));
    const unrecorded = inTrail ? undefined : this.unrecorded.get(deliveryKey(hubId, record.recipient));
    if (inTrail || unrecorded) {
      // Delivered before: by this instance, in a batch whose commit failed (its event is written
      // again now), or as the audit trail shows, before a crash or a rebalance.
      this.parts.logger.info({ ...messageFields(record.message, record.recipient), attempt: record.attempt }, 'already delivered; not sent again');
      if (unrecorded) output.delivered(unrecorded);
      if (waiting.length > 0) this.setHold(output, key, hold, queue.remove(waiting, hubId));
      return;
    }
    const entry = registry.connector(record.recipient);
    if (!entry) return this.deadLetter(key, record, hold, output, 'dead', 'route', `connector "${record.recipient}" is no longer registered`);
    let result: Attempted;
    try {
      result = await senders.deliver(entry, {
        event: record.message.event,
        hubId,
        attempt: record.attempt,
        ...(hubSignature ? { hubSignature } : {}),
        ...(senderSignature ? { senderSignature } : {}),
      });
    } catch (err) {
      if (!(err instanceof AdapterError)) throw err;
      return this.deadLetter(key, record, hold, output, 'dead', 'encode', err.message);
    }

    const log = messageFields(record.message, record.recipient);
    if (result.outcome === 'delivered') {
      const latencyMs = Date.now() - Date.parse(record.message.acceptedAt);
      this.parts.logger.debug({ ...log, attempt: record.attempt, latencyMs }, 'delivered');
      metrics.delivered(record.recipient, latencyMs);
      const event: DeliveredEvent = {
        kind: 'delivered',
        hubId,
        at,
        ...recipient,
        attempt: record.attempt,
        latencyMs,
        ...(result.status ? { status: result.status } : {}),
      };
      output.delivered(event);
      this.remember(event);
      if (waiting.length > 0) this.setHold(output, key, hold, queue.remove(waiting, hubId));
      return;
    }
    if (result.outcome === 'refused') {
      return this.deadLetter(key, record, hold, output, 'refused', 'deliver', result.reason, result.status, result.response);
    }
    const attempted = !result.breakerOpen;
    const schedule = scheduleMs(entry.manifest.delivery.retrySchedule);
    const plan = planRetry(record.attempt, attempted, schedule, tiersMs, result.retryAfterMs);
    const history = attempted
      ? [
          ...record.history,
          { attempt: record.attempt, at, outcome: 'retry' as const, reason: result.reason, ...(result.status ? { status: result.status } : {}) },
        ]
      : record.history;
    if (plan.exhausted) {
      return this.deadLetter(
        key,
        { ...record, history },
        hold,
        output,
        'dead',
        'deliver',
        `retries exhausted after ${record.attempt} attempts: ${result.reason}`,
        result.status,
        result.response,
      );
    }
    const dueAt = this.park(output, { ...record, attempt: plan.nextAttempt, parked: false, history }, plan.tier);
    this.parts.logger.info(
      { ...log, attempt: record.attempt, reason: result.reason, nextAttemptAt: new Date(dueAt).toISOString() },
      'delivery will be retried',
    );
    metrics.outcome(record.recipient, 'retried');
    output.audit({
      kind: 'retried',
      hubId,
      at,
      ...recipient,
      attempt: record.attempt,
      reason: result.reason,
      nextAttemptAt: new Date(dueAt).toISOString(),
      ...(result.status ? { status: result.status } : {}),
    });
    const inQueue = waiting.some((p) => p.hubId === hubId);
    this.setHold(output, key, hold, inQueue ? queue.move(waiting, hubId, plan.tier) : queue.append(waiting, hubId, plan.tier));
  }

  private deadLetter(
    key: string,
    record: DeliveryRecord,
    hold: Hold | undefined,
    output: BatchOutput,
    outcome: 'refused' | 'dead',
    stage: 'route' | 'encode' | 'deliver',
    reason: string,
    status?: number,
    response?: unknown,
  ): void {
    const { hubId } = record.message;
    const delivery = deliveryMessage(record);
    const headers = Object.fromEntries(Object.entries(delivery.headers ?? {}).map(([k, v]) => [k, String(v)]));
    output.deadLetters.push(
      deadLetterMessage({
        stage,
        connector: record.recipient,
        reason,
        key: record.recipientAgency,
        original: delivery.value ?? '',
        hubId,
        headers,
        status,
        response,
        ...(record.origin ? { origin: record.origin } : {}),
      }),
    );
    this.parts.metrics.outcome(record.recipient, outcome);
    this.parts.logger.warn({ ...messageFields(record.message, record.recipient), stage, reason, ...(status ? { status } : {}) }, 'dead-lettered');
    output.audit({
      kind: 'dead-lettered',
      hubId,
      at: new Date().toISOString(),
      connector: record.recipient,
      agency: record.recipientAgency,
      attempt: record.attempt,
      stage,
      reason,
      ...(status ? { status } : {}),
    });
    const waiting = hold?.queue ?? [];
    if (waiting.some((p) => p.hubId === hubId)) this.setHold(output, key, hold, queue.remove(waiting, hubId));
  }

  private recorded(output: BatchOutput): void {
    for (const delivered of output.recorded) this.unrecorded.delete(delivered);
  }

  private remember(event: DeliveredEvent): void {
    this.unrecorded.set(deliveryKey(event.hubId, event.connector), event);
    // Bounded: beyond it, the oldest may be sent again (same Idempotency-Key) if its batch never commits.
    if (this.unrecorded.size > MAX_UNRECORDED) this.unrecorded.delete(this.unrecorded.keys().next().value!);
  }

  /** Writes `record` to retry tier `tier`, due one tier delay from now; returns when it is due. */
  private park(output: BatchOutput, record: DeliveryRecord, tier: number): number {
    const dueAt = Date.now() + this.parts.tiersMs[tier]!;
    output.retry(tier, deliveryMessage({ ...record, dueAt }));
    return dueAt;
  }

  private setHold(output: BatchOutput, key: string, before: Hold | undefined, after: ReturnType<typeof queue.append>): void {
    const { message, hold } = this.parts.holds.record(key, before, after);
    output.holdRecords.push(message);
    output.holdChanges.set(key, hold);
  }

  private async commit(consumer: Consumer, output: BatchOutput, consumed: ConsumedUpTo): Promise<void> {
    const { chain, groupId, topics } = this.parts;
    const writer = chain.writer(`${groupId}-p${consumed.partition}`);
    if (!output.happyPath) {
      await writer.write(output.topicMessages(topics), (stamped) =>
        this.producers!.commit(consumed.partition, (producer) => commitTransaction(producer, groupId, stamped, consumed, chain.placement)),
      );
      this.recorded(output);
      return;
    }
    if (output.events.length > 0)
      await writer.write([{ topic: topics.events, messages: output.events }], async (stamped) =>
        chain.placement.checkAcknowledged(stamped, await this.eventProducer!.sendBatch({ topicMessages: stamped, acks: -1 })),
      );
    await consumer.commitOffsets([{ topic: consumed.topic, partition: consumed.partition, offset: nextOffset(consumed) }]);
    // Only now: if the offset commit failed, the batch is read again while this instance's trace
    // view may not have read the events back (it too waits out a dead broker), and a delivery
    // sent twice is worse than its event written twice (measured: 1,061–2,142 attempts a
    // recipient for 1,000 messages with the entries dropped before the commit, 1,000 after).
    this.recorded(output);
  }

  private serialized(partition: number, work: () => Promise<void>): Promise<void> {
    const run = (this.partitionChains.get(partition) ?? Promise.resolve()).then(work);
    this.partitionChains.set(
      partition,
      run.catch(() => undefined),
    );
    return run;
  }
}
