/**
 * What decoders and encoders share: the message types the codec maps, the parts of a package
 * every decoder reads, the sender's time from the trace, and deterministic event ids.
 */
import { createHash } from 'node:crypto';
import { edxmlInstantToRfc3339 } from './dates.ts';
import { EdxmlError } from './errors.ts';
import { childOf, childrenOf, requireChild, textOf, type XmlElement } from './tree.ts';

export const DOCUMENT_TYPES = {
  sent: 'vn.gov.document.sent',
  revoked: 'vn.gov.document.revoked',
  updated: 'vn.gov.document.updated',
  replaced: 'vn.gov.document.replaced',
  status: 'vn.gov.document.status',
} as const;

export type DocumentMessageType = (typeof DOCUMENT_TYPES)[keyof typeof DOCUMENT_TYPES];

/** The codec maps to and from version 1 of each schema; decoded events name it in `dataschema`. */
export function dataschemaOf(type: DocumentMessageType): string {
  return `https://lgsp-hub.dev/schemas/messages/${type}.v1.json`;
}

/** The elements of a package that every decoder reads. */
export interface EdxmlPackage {
  readonly root: XmlElement;
  readonly envelope: XmlElement;
  readonly messageHeader: XmlElement;
  readonly trace: XmlElement | undefined;
  /** TraceHeaderList/Bussiness (also read when spelled Business). */
  readonly business: XmlElement | undefined;
}

export function readPackage(root: XmlElement): EdxmlPackage {
  if (root.name !== 'edXML') {
    throw new EdxmlError('edxml-unsupported', root.path, `The root element is <${root.name}>; an edXML package starts with <edXML:edXML> (QCVN 102:2016).`);
  }
  const envelope = requireChild(root, 'edXMLEnvelope');
  const header = requireChild(envelope, 'edXMLHeader');
  const trace = childOf(header, 'TraceHeaderList');
  return { root, envelope, messageHeader: requireChild(header, 'MessageHeader'), trace, business: childOf(trace, 'Bussiness') };
}

/**
 * When the sender sent the package: the Timestamp of the first TraceHeader written by `organId`
 * (the sender's own hop); undefined when it wrote none. Another agency's hop is never the
 * message's time (it may be years older: a hop of the document this one answers).
 */
export function senderTime(pkg: EdxmlPackage, organId: string): string | undefined {
  const hop = childrenOf(pkg.trace, 'TraceHeader').find((h) => textOf(h, 'OrganId') === organId);
  const timestamp = textOf(hop, 'Timestamp');
  return hop && timestamp ? edxmlInstantToRfc3339(timestamp, `${hop.path}/Timestamp`) : undefined;
}

/**
 * An id for events whose package has no id of its own (status, revoke, update, replace): the
 * same package always gives the same id, so a package polled twice is deduplicated by the hub.
 */
export function deterministicId(kind: string, parts: readonly (string | undefined)[]): string {
  const digest = createHash('sha256')
    .update(parts.map((p) => p ?? '').join('\n'))
    .digest('hex');
  return `edxml-${kind}-${digest.slice(0, 32)}`;
}

/** Distinct values in first-seen order, joined for the envelope `to`; undefined when empty. */
export function recipientList(organIds: readonly string[]): string | undefined {
  const distinct = [...new Set(organIds)];
  return distinct.length > 0 ? distinct.join(',') : undefined;
}
