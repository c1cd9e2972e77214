/**
 * Changes to an earlier document (TraceHeaderList/Bussiness with BussinessDocType 1, 2, 3) →
 * `vn.gov.document.revoked`, `.updated`, `.replaced`. Envelope: source = From/OrganId, to = every
 * To/OrganId, time = the sender's own TraceHeader timestamp, id = deterministic (the DocumentId is
 * already the id of the earlier `sent` from the same source, and ids are unique per source).
 *
 * Every change keeps the header it carries (whole when BussinessDocumentInfo/DocumentInfo is 1:
 * subject, number, signer, dates and files), every hop and the whole Bussiness block, beside the
 * fields each type names (`reason`, `receiverList`, `replacement`, `staffInfo`).
 * - revoke: documentId (and subject) = Bussiness/DocumentId, else the header's;
 * - update: documentId (and subject) = the header's DocumentId, else Bussiness/DocumentId; the
 *   Bussiness one is kept in `business.documentId`;
 * - replace: one event per ReplacementInfo; documentId (and subject) = the document replaced
 *   (ReplacementInfo/DocumentId), `replacement.documentId` = the header's DocumentId (the new one).
 */
import { agencySource, type CloudEvent } from '../../src/contract/cloud-event.ts';
import { readDocumentHeader, readTrace, carriesWholeDocument, type DocumentHeader } from './decode-header.ts';
import { EdxmlError } from './errors.ts';
import { readFields, readInteger, STAFF_INFO } from './fields.ts';
import { DOCUMENT_TYPES, dataschemaOf, deterministicId, recipientList, senderTime, type DocumentMessageType, type EdxmlPackage } from './package.ts';
import { childOf, childrenOf, missing, requireText, textOf, type XmlElement } from './tree.ts';

interface Change {
  readonly pkg: EdxmlPackage;
  readonly business: XmlElement;
  readonly header: DocumentHeader;
  readonly time: string | undefined;
}

export function decodeRevoked(pkg: EdxmlPackage, business: XmlElement): CloudEvent[] {
  const change = readChange(pkg, business);
  const documentId = textOf(business, 'DocumentId') ?? change.header.documentId;
  if (!documentId) throw missing(`${business.path}/DocumentId`, 'the id of the document revoked');
  return [changeEvent(change, DOCUMENT_TYPES.revoked, documentId, { businessDocType: 1 })];
}

export function decodeUpdated(pkg: EdxmlPackage, business: XmlElement): CloudEvent[] {
  const change = readChange(pkg, business);
  const documentId = change.header.documentId ?? textOf(business, 'DocumentId');
  if (!documentId) throw missing(`${pkg.messageHeader.path}/DocumentId`, 'the id of the document updated');
  const list = childOf(childOf(business, 'BussinessDocumentInfo'), 'ReceiverList') ?? childOf(business, 'ReceiverList');
  const receivers = childrenOf(list, 'Receiver');
  if (receivers.length === 0 && !carriesWholeDocument(pkg)) {
    throw missing(
      `${business.path}/BussinessDocumentInfo/ReceiverList/Receiver`,
      'an update names the recipients added or removed, or carries the new document with DocumentInfo 1',
    );
  }
  const receiverList = receivers.map((receiver) => ({ organId: requireText(receiver, 'OrganId'), receiverType: receiverType(receiver) }));
  return [changeEvent(change, DOCUMENT_TYPES.updated, documentId, { businessDocType: 2, ...(receiverList.length > 0 ? { receiverList } : {}) })];
}

export function decodeReplaced(pkg: EdxmlPackage, business: XmlElement): CloudEvent[] {
  const change = readChange(pkg, business);
  const infos = childrenOf(childOf(business, 'ReplacementInfoList'), 'ReplacementInfo');
  if (infos.length === 0) throw missing(`${business.path}/ReplacementInfoList/ReplacementInfo`, 'a replacement names the document replaced');
  return infos.map((info) => {
    const documentId = textOf(info, 'DocumentId') ?? textOf(business, 'DocumentId');
    if (!documentId) throw missing(`${info.path}/DocumentId`, 'the id of the document replaced');
    const newDocumentId = [change.header.documentId, textOf(business, 'DocumentId')].find((id) => id !== undefined && id !== documentId);
    if (!newDocumentId) throw missing(`${pkg.messageHeader.path}/DocumentId`, 'the id of the new document, different from the one replaced');
    const organIdList = [
      ...new Set(
        childrenOf(childOf(info, 'OrganIdList'), 'OrganId')
          .map((o) => o.text)
          .filter((t) => t !== ''),
      ),
    ];
    if (organIdList.length === 0) throw missing(`${info.path}/OrganIdList/OrganId`);
    return changeEvent(
      change,
      DOCUMENT_TYPES.replaced,
      documentId,
      { businessDocType: 3, replacement: { documentId: newDocumentId, organIdList } },
      newDocumentId,
    );
  });
}

function readChange(pkg: EdxmlPackage, business: XmlElement): Change {
  const header = readDocumentHeader(pkg, false);
  return { pkg, business, header, time: senderTime(pkg, header.organId) };
}

function changeEvent(
  change: Change,
  type: DocumentMessageType,
  documentId: string,
  specific: Readonly<Record<string, unknown>>,
  extraIdPart?: string,
): CloudEvent {
  const reason = requireText(change.business, 'BussinessDocReason', 'why the document is revoked, updated or replaced');
  const staffElement = childOf(change.business, 'StaffInfo');
  const staffInfo = staffElement ? readFields(staffElement, STAFF_INFO) : {};
  const to = recipientList(change.header.recipients);
  const { attachments } = change.header;
  return {
    specversion: '1.0',
    id: deterministicId(type.slice(type.lastIndexOf('.') + 1), [type, documentId, change.time, extraIdPart]),
    source: agencySource(change.header.organId),
    type,
    subject: documentId,
    ...(change.time ? { time: change.time } : {}),
    dataschema: dataschemaOf(type),
    ...(to ? { to } : {}),
    data: {
      documentId,
      reason,
      ...specific,
      ...(Object.keys(staffInfo).length > 0 ? { staffInfo } : {}),
      ...change.header.fields,
      ...(change.header.documentId ? { headerDocumentId: change.header.documentId } : {}),
      ...(attachments.length > 0 ? { attachments } : {}),
      ...readTrace(change.pkg),
    },
  };
}

function receiverType(receiver: XmlElement): 0 | 1 {
  const path = `${receiver.path}/ReceiverType`;
  const value = readInteger(requireText(receiver, 'ReceiverType'), path);
  if (value !== 0 && value !== 1)
    throw new EdxmlError('edxml-invalid-value', path, `ReceiverType is ${value}; it is 0 (recipient removed) or 1 (recipient added).`);
  return value;
}
