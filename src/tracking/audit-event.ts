/**
 * Records of the audit trail `lgsp.events` (key: the hub id): what happened to a message and when.
 * The trace view of `GET /v1/messages/{id}` is built from them.
 */
import type { Message } from 'kafkajs';

export type AuditKind = 'accepted' | 'routed' | 'delivered' | 'retried' | 'dead-lettered' | 'status-reported';

export interface AuditEvent {
  readonly kind: AuditKind;
  readonly hubId: string;
  readonly at: string;
  readonly [field: string]: unknown;
}

export function auditMessage(event: AuditEvent): Message {
  return { key: event.hubId, value: JSON.stringify(event), headers: { lgsp_kind: event.kind } };
}
