/**
 * What every edXML decoder reads the same way: the MessageHeader of a document (From, To, the
 * document fields of `fields.ts`, DocumentId) with its files, every TraceHeader hop, and the
 * Bussiness block. Documents (`sent`) read the header strictly where the package would be
 * meaningless otherwise (no sender, no recipient, no document id); revocations, updates and
 * replacements read whatever header they carry (an update with DocumentInfo 1 carries it whole).
 */
import { decodeAttachments, type Attachment } from './attachments.ts';
import { BUSINESS, DOCUMENT_HEADER, ORGAN, readFields, TRACE_HEADER } from './fields.ts';
import type { EdxmlPackage } from './package.ts';
import { childOf, childrenOf, missing, requireChild, requireText, textOf } from './tree.ts';

type Json = Record<string, unknown>;

export interface DocumentHeader {
  /** The sender's OrganId (the envelope source). */
  readonly organId: string;
  /** Every To/OrganId, in order (the envelope `to`). */
  readonly recipients: readonly string[];
  /** The header's DocumentId, when it has one. */
  readonly documentId: string | undefined;
  /** The `data` fields: from, to, code, promulgationInfo, ... (only those the package carries). */
  readonly fields: Json;
  readonly attachments: readonly Attachment[];
}

/**
 * The header of `pkg`. `strict`: a new document, where To, the DocumentId and the fields the
 * schema requires must be there. Always required: From/OrganId (a package from no one).
 */
export function readDocumentHeader(pkg: EdxmlPackage, strict: boolean): DocumentHeader {
  const header = pkg.messageHeader;
  const fromElement = requireChild(header, 'From', 'the sender');
  const organId = requireText(fromElement, 'OrganId', 'the sender');
  const toElements = childrenOf(header, 'To');
  if (strict && toElements.length === 0) throw missing(`${header.path}/To`, 'a document goes to at least one recipient');
  const recipients = toElements.map((element) => requireText(element, 'OrganId', 'a recipient'));
  const documentId = textOf(header, 'DocumentId');
  if (strict && documentId === undefined) throw missing(`${header.path}/DocumentId`, 'the identity of a new document');
  const lenient = !strict;
  const fields: Json = {
    from: readFields(fromElement, ORGAN, true),
    ...(toElements.length > 0 ? { to: toElements.map((element) => readFields(element, ORGAN, true)) } : {}),
    ...readFields(header, DOCUMENT_HEADER, lenient),
  };
  const otherInfo = fields.otherInfo as Json | undefined;
  // QCVN 102 makes Priority 0 (normal) the default; the schema requires it. The layout drops the
  // default again when the package is re-encoded, so a package without Priority stays without.
  if (strict || otherInfo) fields.otherInfo = { priority: 0, ...otherInfo };
  const attachments = decodeAttachments(pkg.root, pkg.envelope);
  if (strict && attachments.length === 0) throw missing(`${pkg.root.path}/AttachmentEncoded`, 'a document carries at least its signed file');
  return { organId, recipients, documentId, fields, attachments };
}

/** Every TraceHeader hop in order, and the whole Bussiness block, as `data` fields. */
export function readTrace(pkg: EdxmlPackage): Json {
  const hops = childrenOf(pkg.trace, 'TraceHeader').map((hop) => readFields(hop, TRACE_HEADER));
  const business = pkg.business ? readFields(pkg.business, BUSINESS, true) : undefined;
  return { ...(hops.length > 0 ? { traceHeaders: hops } : {}), ...(business && Object.keys(business).length > 0 ? { business } : {}) };
}

/** `BussinessDocumentInfo/DocumentInfo` is 1: the header was changed and carries the whole new document. */
export function carriesWholeDocument(pkg: EdxmlPackage): boolean {
  return textOf(childOf(pkg.business, 'BussinessDocumentInfo'), 'DocumentInfo') === '1';
}
