/**
 * A message that reports a business status of a message the hub carried (an edXML status
 * answering a document) → the `status-reported` audit event on the original's trace. Pure; the
 * router calls it for each message whose `correlationid` names a message it knows.
 *
 * Neither the router nor this module knows a message type. Which types report a status, and where
 * their code and name are, is a fact of the type, declared once in its schema
 * (`x-lgsp-status-report`, read through `SchemaSet.statusReport`): every kind that carries the
 * type (webhook, edxml, vdxp) shares it, so no kind is its owner. The name of a code is a fact of
 * the standard that defines the codes, so of the kind that speaks it (its `statusNames`, e.g. the
 * edXML status table): a status that carries no name is named from the registered kinds here, once,
 * and the audit trail keeps the name it was shown with.
 */
import type { ConnectorAdapter } from '../../connectors/kit/adapter.ts';
import { statusNameOf } from '../../connectors/kit/kind-facts.ts';
import type { CloudEvent } from '../contract/cloud-event.ts';
import type { SchemaSet } from '../contract/schema-set.ts';
import type { StatusReportedEvent } from '../tracking/audit-event.ts';

export interface StatusReportInput {
  /** The status message (validated at ingest) and its hub id. */
  readonly event: CloudEvent;
  readonly hubId: string;
  /** The agency that reports it: the status message's source. */
  readonly agency: string;
  /** The hub id of the message the status is about. */
  readonly originalHubId: string;
  readonly at: string;
}

/** The audit event for a status report, or undefined when `event`'s type does not report a status. */
export function statusReported(input: StatusReportInput, schemas: SchemaSet, kinds: Iterable<ConnectorAdapter>): StatusReportedEvent | undefined {
  const { event, hubId, agency, originalHubId, at } = input;
  const fields = schemas.statusReport(event.type);
  if (!fields) return undefined;
  const code = codeText(event.data[fields.code]);
  const given = fields.name === undefined ? undefined : event.data[fields.name];
  const statusName = typeof given === 'string' && given !== '' ? given : statusNameOf(kinds, event.type, code);
  return { kind: 'status-reported', hubId: originalHubId, at, agency, statusCode: code, ...(statusName ? { statusName } : {}), statusHubId: hubId };
}

/** A code as the trace shows it: strings as they are, numbers in decimal. */
function codeText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}
