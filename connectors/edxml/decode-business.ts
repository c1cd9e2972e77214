/**
 * Changes to an earlier document (TraceHeaderList/Bussiness with BussinessDocType 1, 2, 3) →
 * `vn.gov.document.revoked`, `.updated`, `.replaced`. Envelope: subject = the earlier document's
 * id, source = From/OrganId, to = every To/OrganId, time = the sender's TraceHeader timestamp,
 * id = deterministic (the DocumentId is already the id of the earlier `sent` from the same
 * source, and ids are unique per source).
 */
import { agencySource, type CloudEvent } from '../../src/contract/cloud-event.ts';
import { EdxmlError } from './errors.ts';
import { readFields, readInteger, STAFF_INFO } from './fields.ts';
import { DOCUMENT_TYPES, dataschemaOf, deterministicId, recipientList, senderTime, type DocumentMessageType, type EdxmlPackage } from './package.ts';
import { childOf, childrenOf, missing, requireChild, requireText, textOf, type XmlElement } from './tree.ts';

interface Change {
  readonly pkg: EdxmlPackage;
  readonly business: XmlElement;
  readonly organId: string;
  readonly time: string | undefined;
}

export function decodeRevoked(pkg: EdxmlPackage, business: XmlElement): CloudEvent[] {
  const change = readChange(pkg, business);
  const documentId = changedDocumentId(change);
  return [changeEvent(change, DOCUMENT_TYPES.revoked, documentId, { businessDocType: 1 })];
}

export function decodeUpdated(pkg: EdxmlPackage, business: XmlElement): CloudEvent[] {
  const change = readChange(pkg, business);
  const list = childOf(childOf(business, 'BussinessDocumentInfo'), 'ReceiverList') ?? childOf(business, 'ReceiverList');
  const receivers = childrenOf(list, 'Receiver');
  if (receivers.length === 0) throw missing(`${business.path}/BussinessDocumentInfo/ReceiverList/Receiver`, 'an update names the recipients added or removed');
  const receiverList = receivers.map((receiver) => ({
    organId: requireText(receiver, 'OrganId'),
    receiverType: receiverType(receiver),
  }));
  return [changeEvent(change, DOCUMENT_TYPES.updated, changedDocumentId(change), { businessDocType: 2, receiverList })];
}

/**
 * One event per ReplacementInfo. Following the open-source senders, ReplacementInfo/DocumentId
 * is the document being replaced and MessageHeader/DocumentId the new one.
 */
export function decodeReplaced(pkg: EdxmlPackage, business: XmlElement): CloudEvent[] {
  const change = readChange(pkg, business);
  const infos = childrenOf(childOf(business, 'ReplacementInfoList'), 'ReplacementInfo');
  if (infos.length === 0) throw missing(`${business.path}/ReplacementInfoList/ReplacementInfo`, 'a replacement names the document replaced');
  return infos.map((info) => {
    const documentId = textOf(info, 'DocumentId') ?? changedDocumentId(change);
    const newDocumentId = [textOf(pkg.messageHeader, 'DocumentId'), textOf(business, 'DocumentId')].find((id) => id !== undefined && id !== documentId);
    if (!newDocumentId) throw missing(`${pkg.messageHeader.path}/DocumentId`, 'the id of the new document, different from the one replaced');
    const organIdList = [...new Set(childrenOf(childOf(info, 'OrganIdList'), 'OrganId').map((o) => o.text).filter((t) => t !== ''))];
    if (organIdList.length === 0) throw missing(`${info.path}/OrganIdList/OrganId`);
    return changeEvent(change, DOCUMENT_TYPES.replaced, documentId, {
      businessDocType: 3,
      replacement: { documentId: newDocumentId, organIdList },
    }, newDocumentId);
  });
}

function readChange(pkg: EdxmlPackage, business: XmlElement): Change {
  const organId = requireText(requireChild(pkg.messageHeader, 'From'), 'OrganId');
  return { pkg, business, organId, time: senderTime(pkg, organId) };
}

/** Bussiness/DocumentId, else the MessageHeader's (senders that put the earlier header there). */
function changedDocumentId({ pkg, business }: Change): string {
  const id = textOf(business, 'DocumentId') ?? textOf(pkg.messageHeader, 'DocumentId');
  if (!id) throw missing(`${business.path}/DocumentId`, 'the id of the document concerned');
  return id;
}

function changeEvent(change: Change, type: DocumentMessageType, documentId: string, specific: Readonly<Record<string, unknown>>, extraIdPart?: string): CloudEvent {
  const reason = requireText(change.business, 'BussinessDocReason', 'why the document is revoked, updated or replaced');
  const staffElement = childOf(change.business, 'StaffInfo');
  const staffInfo = staffElement ? readFields(staffElement, STAFF_INFO) : {};
  const to = recipientList(childrenOf(change.pkg.messageHeader, 'To').map((t) => requireText(t, 'OrganId')));
  return {
    specversion: '1.0',
    id: deterministicId(type.slice(type.lastIndexOf('.') + 1), [type, documentId, change.time, extraIdPart]),
    source: agencySource(change.organId),
    type,
    subject: documentId,
    ...(change.time ? { time: change.time } : {}),
    dataschema: dataschemaOf(type),
    ...(to ? { to } : {}),
    data: { documentId, reason, ...specific, ...(Object.keys(staffInfo).length > 0 ? { staffInfo } : {}) },
  };
}

function receiverType(receiver: XmlElement): 0 | 1 {
  const path = `${receiver.path}/ReceiverType`;
  const value = readInteger(requireText(receiver, 'ReceiverType'), path);
  if (value !== 0 && value !== 1) throw new EdxmlError('edxml-invalid-value', path, `ReceiverType is ${value}; it is 0 (recipient removed) or 1 (recipient added).`);
  return value;
}
