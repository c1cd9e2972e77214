/**
 * A new document (BussinessDocType 0, or no Bussiness at all) → one `vn.gov.document.sent`.
 * Envelope: id and subject = DocumentId, source = From/OrganId, to = every To/OrganId, time =
 * the sender's TraceHeader timestamp (else the promulgation date, 00:00 Vietnam time).
 */
import { agencySource, type CloudEvent } from '../../src/contract/cloud-event.ts';
import { decodeAttachments } from './attachments.ts';
import { startOfDay } from './dates.ts';
import { formatDocumentId } from './document-id.ts';
import { DOCUMENT_HEADER, ORGAN, readFields } from './fields.ts';
import { DOCUMENT_TYPES, dataschemaOf, recipientList, senderTime, type EdxmlPackage } from './package.ts';
import { childrenOf, missing, requireChild, requireText, textOf } from './tree.ts';

type Json = Readonly<Record<string, unknown>>;

export function decodeDocument(pkg: EdxmlPackage): CloudEvent[] {
  const header = pkg.messageHeader;
  const fromElement = requireChild(header, 'From');
  const from = readFields(fromElement, ORGAN);
  const organId = requireText(fromElement, 'OrganId');
  const toElements = childrenOf(header, 'To');
  const to = recipientList(toElements.map((element) => requireText(element, 'OrganId')));
  // A To without OrganName still routes (envelope `to`) but is not a schema `organ`.
  const named = toElements.filter((element) => textOf(element, 'OrganName') !== undefined).map((element) => readFields(element, ORGAN));
  const fields = readFields(header, DOCUMENT_HEADER);
  const code = record(fields.code);
  const promulgationDate = String(record(fields.promulgationInfo).promulgationDate);
  const documentId = textOf(header, 'DocumentId') ?? formatDocumentId({
    organId,
    promulgationDate,
    codeNumber: String(code.codeNumber),
    codeNotation: String(code.codeNotation),
  });
  const attachments = decodeAttachments(pkg.root, pkg.envelope);
  if (attachments.length === 0) throw missing(`${pkg.root.path}/AttachmentEncoded`, 'a document carries at least its signed file');
  return [{
    specversion: '1.0',
    id: documentId,
    source: agencySource(organId),
    type: DOCUMENT_TYPES.sent,
    subject: documentId,
    time: senderTime(pkg, organId) ?? startOfDay(promulgationDate),
    dataschema: dataschemaOf(DOCUMENT_TYPES.sent),
    ...(to ? { to } : {}),
    data: {
      documentId,
      from,
      ...(named.length > 0 ? { to: named } : {}),
      ...fields,
      // QCVN 102 makes Priority 0 (normal) the default; the schema requires it.
      otherInfo: { priority: 0, ...record(fields.otherInfo) },
      attachments,
    },
  }];
}

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}
