/**
 * The delivery stage: one consumer group on `lgsp.deliveries` and the retry tiers, with the
 * co-partitioned assignment, so one instance owns a recipient agency's records in every topic.
 *
 * Batches run in the background, one at a time per partition (`batch-pipeline.ts`), so a slow
 * recipient holds back only its own partition. For each batch: the due records (a retry tier's
 * head that is not due yet pauses its partition until it is) go through their connector's sender;
 * what follows from each outcome (retry record, dead letter, hold change) and the consumer offset
 * are committed in one transaction. Before a rebalance or a stop, running batches finish the
 * records they started and commit up to the last record done without a gap; of the records after
 * it, only the `delivered` events are written (the next owner skips those deliveries). A batch
 * whose every delivery succeeded with no hold to change (the happy path) needs no transaction:
 * its `delivered` events are written by an idempotent producer, acknowledged by all in-sync
 * replicas, and the offset is committed after them. A crash between the two delivers the batch
 * again, except what the audit trail already shows delivered (`alreadyDelivered`), so a repeat
 * needs the crash to fall in the few milliseconds before the event is read back; the
 * `Idempotency-Key` covers that window.
 * Records of different (connector, subject) are delivered concurrently; the same one in order.
 * Batches of the same partition number are handled one at a time, since they share holds.
 */
import type { Batch, Consumer, Kafka, KafkaMessage, Message, TopicMessages, TopicPartition } from 'kafkajs';
import { AdapterError } from '../../connectors/kit/adapter.ts';
import { HEADER } from '../contract/kafka-headers.ts';
import { coPartitionedAssigner } from '../kafka/co-partitioned-assigner.ts';
import { fenceRevocations } from '../kafka/kafkajs-revocation-fence.ts';
import { idempotentProducer, type RenewedProducer } from '../kafka/renewed-producer.ts';
import { TransactionalProducers } from '../kafka/transactional-producers.ts';
import { superviseConsumer, type SupervisedConsumer } from '../kafka/supervised-consumer.ts';
import { commitTransaction, nextOffset, type ConsumedUpTo } from '../kafka/transactional-commit.ts';
import type { TopicNames } from '../kafka/topics.ts';
import type { Logger } from '../ops/logger.ts';
import { messageFields } from '../ops/message-log.ts';
import type { RegistryStore } from '../registry/registry-store.ts';
import { auditMessage, type AuditEvent, type DeliveredEvent } from '../tracking/audit-event.ts';
import type { AuditChain } from '../tracking/chain.ts';
import type { TraceView } from '../tracking/trace-view.ts';
import { BatchPipeline } from './batch-pipeline.ts';
import { deadLetterMessage } from './dead-letters.ts';
import type { DeliveryMetrics } from './delivery-metrics.ts';
import { deliveryMessage, parseDelivery, type DeliveryRecord } from './delivery-record.ts';
import { holdKey, type HoldStore, queue, type Hold } from './holds.ts';
import { planRetry, scheduleMs } from './retry-plan.ts';
import type { Attempted, Senders } from './senders.ts';

const MAX_UNRECORDED = 100_000;
/**
 * A batch whose outcome cannot be committed (a broker failing over) tries again for this long
 * before it gives up and is read again. Giving up at once lets the consumer's crash and rejoin,
 * which a broker's death brings, hand the partition to another instance before the batch's
 * `delivered` events exist, and that instance sends them again.
 */
const COMMIT_PATIENCE_MS = 20_000;
/**
 * How long a fetch with nothing to read waits at the broker. A new record ends the wait, and while
 * a partition is paused a fetch waits less (`kafkajs-paused-fetch-wait.ts`: a few ms while its
 * batch runs, until a retry tier's head is due), so this only sets how often an idle stage asks:
 * twice a second, not fifty times.
 */
const FETCH_WAIT_MS = 500;
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
  /** The audit trail as this instance reads it: what it shows delivered, read to its end on a join. */
  trail: Pick<TraceView, 'delivered' | 'catchUp'>;
  logger: Logger;
}

/** What one batch produces, committed together. */
class BatchOutput {
  /** `deliveryKey`s of the `delivered` events in `deliveredEvents`. */
  readonly recorded: string[] = [];
  readonly retries = new Map<number, Message[]>();
  readonly deadLetters: Message[] = [];
  /** Audit events other than `delivered`. */
  readonly events: Message[] = [];
  readonly deliveredEvents: Message[] = [];
  readonly holdRecords: Message[] = [];
  readonly holdChanges = new Map<string, Hold>();
  /** The happy path's `delivered` events are written (its offset commit may still fail). */
  eventsWritten = false;

  retry(tier: number, message: Message): void {
    this.retries.set(tier, [...(this.retries.get(tier) ?? []), message]);
  }

  audit(event: AuditEvent): void {
    this.events.push(auditMessage(event));
  }

  /** A `delivered` event; the delivery is no longer unrecorded once this batch commits. */
  delivered(event: DeliveredEvent): void {
    this.deliveredEvents.push(auditMessage(event));
    this.recorded.push(deliveryKey(event.hubId, event.connector));
  }

  /** Adds everything `other` (a later record's output) produced. */
  absorb(other: BatchOutput): void {
    for (const [tier, messages] of other.retries) for (const m of messages) this.retry(tier, m);
    this.deadLetters.push(...other.deadLetters);
    this.events.push(...other.events);
    this.absorbDelivered(other);
    this.recorded.push(...other.recorded);
    this.holdRecords.push(...other.holdRecords);
    for (const [key, hold] of other.holdChanges) this.holdChanges.set(key, hold);
  }

  /** Adds only the `delivered` events of `other`, a record beyond the committed offset. */
  absorbDelivered(other: BatchOutput): void {
    this.deliveredEvents.push(...other.deliveredEvents);
  }

  /** Only `delivered` events: nothing that must change atomically with the offset. */
  get happyPath(): boolean {
    return this.retries.size === 0 && this.deadLetters.length === 0 && this.events.length === 0 && this.holdRecords.length === 0;
  }

  topicMessages(topics: TopicNames): TopicMessages[] {
    return [
      ...[...this.retries].map(([tier, messages]) => ({ topic: topics.retries[tier]!, messages })),
      { topic: topics.deadLetters, messages: this.deadLetters },
      { topic: topics.events, messages: [...this.events, ...this.deliveredEvents] },
      { topic: topics.holds, messages: this.holdRecords },
    ];
  }
}

export class DeliveryWorker {
  private consumer: SupervisedConsumer | undefined;
  private producers: TransactionalProducers | undefined;
  /** Writes the happy path's `delivered` events, outside any transaction. */
  private eventProducer: RenewedProducer | undefined;
  /** One batch at a time per partition number (they share holds and that number's producer). */
  private readonly partitionChains = new Map<number, Promise<void>>();
  /** The current consumer's running batches. */
  private pipeline: BatchPipeline | undefined;
  private unfence: (() => void) | undefined;
  /**
   * Deliveries this instance made whose batch is not committed yet: from the answer until the
   * batch's outcome and offset are, and beyond if that failed (say while a broker fails over):
   * the batch is read again, and these are not sent again (their event is written again).
   */
  private readonly unrecorded = new Map<string, DeliveredEvent>();
  /**
   * The last deliveries recorded (bounded): the trace view learns of a delivery only once it reads
   * the event back, so a second copy of a message (written twice: docs/design.md, "Ingest without
   * a transaction") that comes right after its first is known delivered from here.
   */
  private readonly recentlyRecorded = new Set<string>();
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
    this.eventProducer = idempotentProducer(kafka);
    await this.eventProducer.connect();
    const config = {
      groupId,
      partitionAssigners: [coPartitionedAssigner],
      maxWaitTimeInMs: FETCH_WAIT_MS,
      readUncommitted: false,
    };
    this.consumer = await superviseConsumer(
      kafka,
      config,
      async (consumer) => {
        // A consumer made anew after a crash: the old one's batches end first.
        await this.pipeline?.stop();
        const pipeline = new BatchPipeline(consumer, (err, tp) => this.parts.logger.warn({ err, ...tp }, 'delivery batch failed; reading it again'));
        this.pipeline = pipeline;
        consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
          this.joins++;
          this.unfence?.();
          this.unfence = fenceRevocations(payload.memberId, () => pipeline.drain());
        });
        await consumer.subscribe({ topics: [topics.deliveries, ...topics.retries], fromBeginning: true });
        await this.run(consumer, pipeline);
      },
      { onRestart: (err) => this.parts.logger.warn({ err }, 'delivery consumer stopped; starting a new one'), joinInBackground: true },
    );
  }

  private async run(consumer: Consumer, pipeline: BatchPipeline): Promise<void> {
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 64,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isStale }) => {
        const tp = { topic: batch.topic, partition: batch.partition };
        if (isStale() || !pipeline.accepts(tp)) return;
        const join = this.joins;
        // Resolved only within the group generation it was fetched in (the fence keeps it so;
        // a member dropped from its group rejoins without one).
        const resolve = (offset: string) => void (this.joins === join && resolveOffset(offset));
        pipeline.launch(tp, () => this.serialized(batch.partition, () => this.deliverBatch(consumer, pipeline, batch, resolve)));
        await heartbeat();
      },
    });
  }

  private async deliverBatch(consumer: Consumer, pipeline: BatchPipeline, batch: Batch, resolve: (offset: string) => void): Promise<void> {
    const tier = this.parts.topics.retries.indexOf(batch.topic);
    const tp = { topic: batch.topic, partition: batch.partition };
    if (this.holdsReadForJoin !== this.joins) {
      // Partitions just assigned: read every hold and every event their previous owner wrote first.
      const join = this.joins;
      await Promise.all([this.parts.holds.catchUp(), this.parts.trail.catchUp()]);
      this.holdsReadForJoin = join;
    }
    const due = tier < 0 ? batch.messages : this.dueOnly(batch.messages, tp, pipeline);
    if (due.length === 0) return;
    const records = due.map((m) => ({ ...parseDelivery(m), origin: { ...tp, offset: m.offset } }));
    const { output, upTo } = await this.deliverAll(records, tier < 0 ? undefined : tier, () => pipeline.stopping);
    await this.commitPatiently(consumer, output, tp.partition, upTo === undefined ? undefined : { ...tp, offset: upTo });
    this.parts.holds.applyCommitted(output.holdChanges);
    if (upTo !== undefined) resolve(upTo);
  }

  /** "consuming", or what its consumer waits for (`/readyz` reports it). */
  status(): string {
    return this.consumer?.status() ?? 'not started';
  }

  async stop(): Promise<void> {
    try {
      // Running batches finish what they started and commit it before the group moves on.
      await this.pipeline?.stop();
      await this.consumer?.stop();
    } finally {
      this.unfence?.();
      await Promise.allSettled([this.producers?.close(), this.eventProducer?.close()]);
    }
  }

  /** The records of a retry tier that are due; at the first that is not, pause until it is. */
  private dueOnly(messages: KafkaMessage[], tp: TopicPartition, pipeline: BatchPipeline): KafkaMessage[] {
    const dueAt = (m: KafkaMessage) => Number(m.headers?.[HEADER.dueAt]?.toString() ?? '0');
    const now = Date.now();
    const firstLater = messages.findIndex((m) => dueAt(m) > now);
    if (firstLater < 0) return messages;
    pipeline.pauseUntil(tp, dueAt(messages[firstLater]!));
    return messages.slice(0, firstLater);
  }

  /**
   * Lanes by (connector, subject), in order within a lane, concurrently across lanes; a lane stops
   * taking records once `stopping()`. Returns what the records before the first one not done
   * produced (`upTo`: the last of them), and the `delivered` events of the done ones after it.
   */
  private async deliverAll(records: DeliveryRecord[], tier: number | undefined, stopping: () => boolean): Promise<{ output: BatchOutput; upTo?: string }> {
    const lanes = new Map<string, DeliveryRecord[]>();
    for (const r of records) {
      const key = holdKey(r.recipient, r.message.event.subject);
      lanes.set(key, [...(lanes.get(key) ?? []), r]);
    }
    const done = new Map<DeliveryRecord, BatchOutput>();
    await Promise.all(
      [...lanes].map(async ([key, lane]) => {
        let hold = this.parts.holds.get(key);
        for (const record of lane) {
          if (stopping()) return;
          const output = new BatchOutput();
          await this.handle(key, record, tier, output, hold);
          hold = output.holdChanges.get(key) ?? hold;
          done.set(record, output);
        }
      }),
    );
    const output = new BatchOutput();
    let upTo: string | undefined;
    let gap = false;
    for (const record of records) {
      const produced = done.get(record);
      gap ||= produced === undefined;
      if (!gap) {
        output.absorb(produced!);
        upTo = record.origin!.offset;
      } else if (produced) output.absorbDelivered(produced);
    }
    return { output, ...(upTo === undefined ? {} : { upTo }) };
  }

  private async handle(key: string, record: DeliveryRecord, tier: number | undefined, output: BatchOutput, hold: Hold | undefined): Promise<void> {
    const waiting = hold?.queue ?? [];
    const mine = waiting.find((p) => p.hubId === record.message.hubId);
    if (tier === undefined && mine) {
      // A second copy of a parked delivery (its message written twice): the parked one stands for both.
      this.parts.logger.info({ ...messageFields(record.message, record.recipient) }, 'a copy of a parked delivery; not parked again');
      return;
    }
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
    const delivery = deliveryKey(hubId, record.recipient);
    const recordedBefore = this.recentlyRecorded.has(delivery) || this.parts.trail.delivered(hubId, record.recipient);
    if (recordedBefore) this.unrecorded.delete(delivery);
    const unrecorded = recordedBefore ? undefined : this.unrecorded.get(delivery);
    if (recordedBefore || unrecorded) {
      // Delivered before: by this instance, in a batch whose commit failed (its event is written
      // again now) or lately (a second copy of the message), or as the audit trail shows, before a
      // crash or a rebalance.
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
        ...(record.dataBytes ? { dataBytes: record.dataBytes } : {}),
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
    for (const delivered of output.recorded) {
      this.unrecorded.delete(delivered);
      this.recentlyRecorded.add(delivered);
      if (this.recentlyRecorded.size > MAX_UNRECORDED) this.recentlyRecorded.delete(this.recentlyRecorded.values().next().value!);
    }
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

  private async commitPatiently(consumer: Consumer, output: BatchOutput, partition: number, consumed: ConsumedUpTo | undefined): Promise<void> {
    const deadline = Date.now() + COMMIT_PATIENCE_MS;
    for (let pause = 100; ; pause = Math.min(pause * 2, 2_000)) {
      try {
        return await this.commit(consumer, output, partition, consumed);
      } catch (err) {
        if (Date.now() + pause > deadline) throw err;
        this.parts.logger.warn({ err, partition }, 'delivery batch outcome not committed; trying again');
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  }

  /** `consumed` is undefined when a stop or rebalance came before the batch's first record was done. */
  private async commit(consumer: Consumer, output: BatchOutput, partition: number, consumed: ConsumedUpTo | undefined): Promise<void> {
    const { chain, groupId, topics } = this.parts;
    const writer = chain.writer(`${groupId}-p${partition}`);
    if (!output.happyPath && consumed) {
      await writer.write(output.topicMessages(topics), (stamped) =>
        this.producers!.commit(partition, (producer) => commitTransaction(producer, groupId, stamped, consumed, chain.placement)),
      );
      this.recorded(output);
      return;
    }
    if (output.deliveredEvents.length > 0 && !output.eventsWritten) {
      await writer.write([{ topic: topics.events, messages: output.deliveredEvents }], async (stamped) =>
        this.eventProducer!.use(async (producer) => chain.placement.checkAcknowledged(stamped, await producer.sendBatch({ topicMessages: stamped, acks: -1 }))),
      );
      output.eventsWritten = true; // a commit tried again after this does not write them twice
    }
    if (consumed) await consumer.commitOffsets([{ topic: consumed.topic, partition: consumed.partition, offset: nextOffset(consumed) }]);
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
