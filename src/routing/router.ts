/**
 * Routing, done at ingest: for each accepted message, its recipients, one delivery record per
 * (message, recipient connector) and its `routed` audit event (and, for a message that reports a
 * business status of a message the hub carried, a `status-reported` event on that message's trace:
 * `status-report.ts`). Ingest writes them in the same write as the message itself
 * (`message-intake.ts`), so no stage reads `lgsp.ingress` back to route it (docs/design.md,
 * "Routing: who receives it, decided at ingest").
 * It names no message type and no kind: it reads their facts from the schema set and the kinds.
 */
import type { Message } from 'kafkajs';
import type { ConnectorAdapter } from '../../connectors/kit/adapter.ts';
import { sourceAgency } from '../contract/cloud-event.ts';
import type { AcceptedMessage } from '../contract/kafka-binding.ts';
import type { SchemaSet } from '../contract/schema-set.ts';
import { deliveryMessage } from '../delivery/delivery-record.ts';
import type { Logger } from '../ops/logger.ts';
import { messageFields } from '../ops/message-log.ts';
import type { ConnectorKinds } from '../registry/connector-kinds.ts';
import type { RegistryStore } from '../registry/registry-store.ts';
import type { AuditEvent, RoutedEvent } from '../tracking/audit-event.ts';
import { receiversOf, resolveRecipients, type RoutingContext } from './recipients.ts';
import { statusReported } from './status-report.ts';

/** How the router finds the message a reply answers (the trace view). */
export interface OriginalLookup {
  findOriginal(correlationid: string, replierAgency: string): { hubId: string; sourceAgency: string } | undefined;
}

export interface RouterParts {
  registry: Pick<RegistryStore, 'connectors' | 'directory'>;
  kinds: ConnectorKinds;
  /** Which message types report a business status (their schemas' `x-lgsp-status-report`). */
  schemas: SchemaSet;
  originals: OriginalLookup;
  logger: Logger;
}

/** What routing one message produces, written with the message. */
export interface Routed {
  /** For `lgsp.deliveries`: one per recipient, attempt 1. */
  readonly deliveries: Message[];
  /** For `lgsp.events`, written with the `accepted` event (`acceptedAndRoutedMessage`). */
  readonly routed: RoutedEvent;
  /** For `lgsp.events`: `status-reported` when the message reports one (keyed by the original). */
  readonly events: AuditEvent[];
}

export class Router {
  private readonly parts: RouterParts;

  constructor(parts: RouterParts) {
    this.parts = parts;
  }

  /**
   * Routes `messages` against one reading of the directory and the receiving connectors.
   * `bytes` is each message's data as already serialised for `lgsp.ingress`.
   */
  route(messages: readonly { message: AcceptedMessage; bytes: Buffer }[]): Routed[] {
    const known = this.snapshot();
    return messages.map(({ message, bytes }) => this.routeOne(message, bytes, known));
  }

  private routeOne(message: AcceptedMessage, bytes: Buffer, known: Pick<RoutingContext, 'directory' | 'receivers'>): Routed {
    const { originals } = this.parts;
    const { event, hubId, acceptedAt: at } = message;
    const source = sourceAgency(event.source) ?? '';
    const original = event.correlationid ? originals.findOriginal(event.correlationid, source) : undefined;
    const { recipients, unreachable, reasons } = resolveRecipients(message, { ...known, originalSender: original?.sourceAgency });

    const routed: RoutedEvent = { kind: 'routed', hubId, at, recipients, unreachable, ...(unreachable.length > 0 ? { unreachableReasons: reasons } : {}) };
    const events: AuditEvent[] = [];
    const log = { ...messageFields(message, message.connector), recipients: recipients.length, ...(unreachable.length > 0 ? { unreachable: reasons } : {}) };
    if (recipients.length === 0 || unreachable.length > 0)
      this.parts.logger.info(log, 'routed, with addressed agencies that have no connector that accepts this type');
    else this.parts.logger.debug(log, 'routed');
    const status = original && statusReported({ event, hubId, agency: source, originalHubId: original.hubId, at }, this.parts.schemas, this.kindAdapters());
    if (status) events.push(status);
    const deliveries = recipients.map((r) => deliveryMessage({ message, recipient: r.connector, recipientAgency: r.agency, attempt: 1, history: [] }, bytes));
    return { deliveries, routed, events };
  }

  /** The registered kinds, for their facts (status names). */
  private kindAdapters(): ConnectorAdapter[] {
    const { kinds } = this.parts;
    return kinds.names.map((name) => kinds.get(name)).filter((k): k is ConnectorAdapter => k !== undefined);
  }

  /** The directory and the connectors that can receive, with the types each accepts addressed. */
  private snapshot(): Pick<RoutingContext, 'directory' | 'receivers'> {
    const { registry, kinds } = this.parts;
    const manifests = registry.connectors().map((c) => c.manifest);
    return { directory: registry.directory(), receivers: receiversOf(manifests, kinds) };
  }
}
