/**
 * The routing stage: a consumer group on `lgsp.ingress` that resolves each accepted message's
 * recipients and writes one record per (message, recipient connector) to `lgsp.deliveries`, plus
 * its `routed` audit event (and, for a message that reports a business status of a message the
 * hub carried, a `status-reported` event on that message's trace: `status-report.ts`), in one
 * transaction with the consumer offsets: every message is routed exactly once, crashes included.
 * It names no message type and no kind: it reads their facts from the schema set and the kinds.
 */
import type { Kafka, TopicMessages } from 'kafkajs';
import type { ConnectorAdapter } from '../../connectors/kit/adapter.ts';
import { sourceAgency } from '../contract/cloud-event.ts';
import { fromKafkaMessage, type AcceptedMessage } from '../contract/kafka-binding.ts';
import type { SchemaSet } from '../contract/schema-set.ts';
import { deliveryMessage } from '../delivery/delivery-record.ts';
import { TransactionalProducers } from '../kafka/transactional-producers.ts';
import { superviseConsumer, type SupervisedConsumer } from '../kafka/supervised-consumer.ts';
import { commitTransaction } from '../kafka/transactional-commit.ts';
import type { TopicNames } from '../kafka/topics.ts';
import type { Logger } from '../ops/logger.ts';
import { messageFields } from '../ops/message-log.ts';
import type { ConnectorKinds } from '../registry/connector-kinds.ts';
import type { RegistryStore } from '../registry/registry-store.ts';
import { auditMessage, type AuditEvent } from '../tracking/audit-event.ts';
import type { AuditChain } from '../tracking/chain.ts';
import { receiversOf, resolveRecipients, type RoutingContext } from './recipients.ts';
import { statusReported } from './status-report.ts';

/** How the router finds the message a reply answers (the trace view). */
export interface OriginalLookup {
  findOriginal(correlationid: string, replierAgency: string): { hubId: string; sourceAgency: string } | undefined;
}

export interface RouterParts {
  kafka: Kafka;
  topics: TopicNames;
  groupId: string;
  /** Partitions of the ingress topic: routed concurrently, each by its own producer. */
  partitions: number;
  registry: RegistryStore;
  kinds: ConnectorKinds;
  /** Which message types report a business status (their schemas' `x-lgsp-status-report`). */
  schemas: SchemaSet;
  originals: OriginalLookup;
  /** Chains the records of `lgsp.events` (one writer per lane). */
  chain: AuditChain;
  logger: Logger;
}

export class Router {
  private consumer: SupervisedConsumer | undefined;
  private producers: TransactionalProducers | undefined;
  private readonly parts: RouterParts;

  constructor(parts: RouterParts) {
    this.parts = parts;
  }

  async start(): Promise<void> {
    const { kafka, topics, groupId } = this.parts;
    const producers = (this.producers = new TransactionalProducers(kafka, groupId));
    this.consumer = await superviseConsumer(
      kafka,
      { groupId, maxWaitTimeInMs: 20, readUncommitted: false },
      async (consumer) => {
        await consumer.subscribe({ topic: topics.ingress, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: this.parts.partitions,
          eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
            if (batch.messages.length === 0) return;
            const known = this.snapshot();
            const produced = batch.messages.flatMap((m) => this.route(fromKafkaMessage(m), known));
            const last = batch.messages[batch.messages.length - 1]!.offset;
            await this.parts.chain
              .writer(`${groupId}-p${batch.partition}`)
              .write(produced, (stamped) =>
                producers.commit(batch.partition, (producer) =>
                  commitTransaction(producer, groupId, stamped, { topic: batch.topic, partition: batch.partition, offset: last }),
                ),
              );
            resolveOffset(last);
            await heartbeat();
          },
        });
      },
      { onRestart: (err) => this.parts.logger.warn({ err }, 'router consumer stopped; starting a new one'), joinInBackground: true },
    );
  }

  /** "consuming", or what its consumer waits for (`/readyz` reports it). */
  status(): string {
    return this.consumer?.status() ?? 'not started';
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    await this.producers?.close();
  }

  /** The registered kinds, for their facts (status names). */
  private kindAdapters(): ConnectorAdapter[] {
    const { kinds } = this.parts;
    return kinds.names.map((name) => kinds.get(name)).filter((k): k is ConnectorAdapter => k !== undefined);
  }

  /** The directory and the connectors that can receive, with the types each accepts addressed, read once per batch. */
  private snapshot(): Pick<RoutingContext, 'directory' | 'receivers'> {
    const { registry, kinds } = this.parts;
    const manifests = registry.connectors().map((c) => c.manifest);
    return { directory: registry.directory(), receivers: receiversOf(manifests, kinds) };
  }

  private route(message: AcceptedMessage, known: Pick<RoutingContext, 'directory' | 'receivers'>): TopicMessages[] {
    const { originals, topics } = this.parts;
    const { event, hubId } = message;
    const at = new Date().toISOString();
    const source = sourceAgency(event.source) ?? '';
    const original = event.correlationid ? originals.findOriginal(event.correlationid, source) : undefined;
    const { recipients, unreachable, reasons } = resolveRecipients(message, { ...known, originalSender: original?.sourceAgency });

    const audit: AuditEvent[] = [{ kind: 'routed', hubId, at, recipients, unreachable, ...(unreachable.length > 0 ? { unreachableReasons: reasons } : {}) }];
    const log = { ...messageFields(message, message.connector), recipients: recipients.length, ...(unreachable.length > 0 ? { unreachable: reasons } : {}) };
    if (recipients.length === 0 || unreachable.length > 0)
      this.parts.logger.info(log, 'routed, with addressed agencies that have no connector that accepts this type');
    else this.parts.logger.debug(log, 'routed');
    const status = original && statusReported({ event, hubId, agency: source, originalHubId: original.hubId, at }, this.parts.schemas, this.kindAdapters());
    if (status) audit.push(status);
    return [
      {
        topic: topics.deliveries,
        messages: recipients.map((r) => deliveryMessage({ message, recipient: r.connector, recipientAgency: r.agency, attempt: 1, history: [] })),
      },
      { topic: topics.events, messages: audit.map(auditMessage) },
    ];
  }
}
