/**
 * A new document (BussinessDocType 0, or no Bussiness at all) → one `vn.gov.document.sent`.
 * Envelope: id and subject = the header's DocumentId, source = From/OrganId, to = every
 * To/OrganId, time = the sender's own TraceHeader timestamp (else the promulgation date, 00:00
 * Vietnam time; never another agency's hop). Data: the header (decode-header.ts), every hop
 * (`traceHeaders`), the Bussiness block (`business`) and the files.
 */
import { agencySource, type CloudEvent } from '../../src/contract/cloud-event.ts';
import { startOfDay } from './dates.ts';
import { readDocumentHeader, readTrace } from './decode-header.ts';
import { DOCUMENT_TYPES, dataschemaOf, recipientList, senderTime, type EdxmlPackage } from './package.ts';

export function decodeDocument(pkg: EdxmlPackage): CloudEvent[] {
  const header = readDocumentHeader(pkg, true);
  const documentId = header.documentId!;
  const promulgationDate = String((header.fields.promulgationInfo as Record<string, unknown>).promulgationDate);
  const to = recipientList(header.recipients);
  return [
    {
      specversion: '1.0',
      id: documentId,
      source: agencySource(header.organId),
      type: DOCUMENT_TYPES.sent,
      subject: documentId,
      time: senderTime(pkg, header.organId) ?? startOfDay(promulgationDate),
      dataschema: dataschemaOf(DOCUMENT_TYPES.sent),
      ...(to ? { to } : {}),
      data: { documentId, ...header.fields, attachments: header.attachments, ...readTrace(pkg) },
    },
  ];
}
