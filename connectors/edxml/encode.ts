/**
 * Canonical event → edXML package. The outbound side of the edXML connector calls
 * `encodeEdxml` for each delivery to an edXML endpoint (an e-office system, the national axis).
 * One encoder per message type, in `BY_TYPE`; each builds the MessageHeader, the trace and the
 * files, and `encodeEdxml` assembles the package. Every element carries the `edXML:` prefix.
 */
import { sourceAgency, type CloudEvent } from '../../src/contract/cloud-event.ts';
import { encodeAttachments } from './attachments.ts';
import { isoDateToEdxml, rfc3339ToEdxmlInstant } from './dates.ts';
import { parseDocumentId, type DocumentIdParts } from './document-id.ts';
import { EdxmlError } from './errors.ts';
import { asObject, BUSINESS, DOCUMENT_HEADER, invalidEvent, ORGAN, STAFF_INFO, STATUS_RESPONSE_FOR, TRACE_HEADER, writeFields } from './fields.ts';
import { applyLayout, type EdxmlLayout } from './layout.ts';
import { DOCUMENT_TYPES, dataschemaOf, type DocumentMessageType } from './package.ts';
import { writeDocument, type XmlOut } from './xml-writer.ts';

type Json = Readonly<Record<string, unknown>>;

/** What one message type contributes to the package. */
interface PackageParts {
  readonly messageHeader: readonly XmlOut[];
  readonly trace?: readonly XmlOut[];
  readonly references?: readonly XmlOut[];
  readonly attachments?: XmlOut;
}

/**
 * How the writer was asked to write: `verify` checks attachments against their size and hash;
 * `recipient` is the To of a document whose event names no agency (addressed by a selector such
 * as `subtree`): the agency of the connector it is delivered to.
 */
interface WriteOptions {
  readonly verify: boolean;
  readonly recipient?: string;
}

const BY_TYPE: Readonly<Record<DocumentMessageType, (event: CloudEvent, data: Json, options: WriteOptions) => PackageParts>> = {
  [DOCUMENT_TYPES.sent]: encodeDocument,
  [DOCUMENT_TYPES.revoked]: (event, data, options) => encodeChange(event, data, 1, options),
  [DOCUMENT_TYPES.updated]: (event, data, options) => encodeChange(event, data, 2, options),
  [DOCUMENT_TYPES.replaced]: (event, data, options) => encodeChange(event, data, 3, options),
  [DOCUMENT_TYPES.status]: encodeStatus,
};

function isDocumentType(type: string): type is DocumentMessageType {
  return Object.hasOwn(BY_TYPE, type);
}

/**
 * Encodes a `vn.gov.document.{sent,status,revoked,updated,replaced}` v1 event as an edXML
 * package (UTF-8 XML text). `decodeEdxml` of the result gives the event back, field for field,
 * when the event is in the form `decodeEdxml` produces (what the encoder cannot carry: the
 * envelope `id`, recomputed on decode; selectors in `to`; instants other than whole seconds at
 * +07:00; leading and trailing blanks of text values).
 *
 * Throws `EdxmlError`: edxml-unsupported for another type or schema version, or an attachment
 * sent by `href` (fetch it first); edxml-invalid-event when a field the package needs is
 * missing or mistyped (validate the event first); edxml-attachment-mismatch when an attachment's
 * size or sha256 does not match its content.
 */
export function encodeEdxml(event: CloudEvent, options: { readonly recipient?: string } = {}): string {
  const data = asObject(event.data, '/data');
  const recorded = typeof data.edxml === 'object' && data.edxml !== null ? (data.edxml as EdxmlLayout) : undefined;
  return writeDocument(applyLayout(buildPackage(event, { verify: true, ...options }), recorded));
}

/**
 * The package the writer makes from the modelled data alone, before any recorded layout: what
 * `encodeEdxml` starts from, and what the decoder compares the original with (`recordLayout`).
 */
export function buildPackage(event: CloudEvent, options: WriteOptions): XmlOut {
  if (!isDocumentType(event.type)) {
    throw new EdxmlError(
      'edxml-unsupported',
      '/type',
      `edXML carries documents and their statuses; "${event.type}" is not one of ${Object.keys(BY_TYPE).join(', ')}.`,
    );
  }
  if (event.dataschema !== undefined && event.dataschema !== dataschemaOf(event.type)) {
    throw new EdxmlError('edxml-unsupported', '/dataschema', `The codec maps ${dataschemaOf(event.type)}; "${event.dataschema}" is another version.`);
  }
  const parts = BY_TYPE[event.type](event, asObject(event.data, '/data'), options);
  const header: XmlOut[] = [{ name: 'MessageHeader', children: parts.messageHeader }];
  if (parts.trace && parts.trace.length > 0) header.push({ name: 'TraceHeaderList', children: parts.trace });
  const envelope: XmlOut[] = [{ name: 'edXMLHeader', children: header }];
  if (parts.references) envelope.push({ name: 'edXMLBody', children: [{ name: 'edXMLManifest', children: parts.references }] });
  const root: XmlOut[] = [{ name: 'edXMLEnvelope', children: envelope }];
  if (parts.attachments) root.push(parts.attachments);
  return { name: 'edXML', children: root };
}

function encodeDocument(event: CloudEvent, data: Json, options: WriteOptions): PackageParts {
  const from = asObject(data.from, '/data/from');
  const organId = text(from, 'organId', '/data/from');
  const { references, encoded } = encodeAttachments(data.attachments, options.verify);
  return {
    messageHeader: [
      { name: 'From', children: writeFields(from, ORGAN, '/data/from', true) },
      ...recipients(event, data.to, options.recipient),
      ...writeFields(data, DOCUMENT_HEADER, '/data'),
      { name: 'DocumentId', text: text(data, 'documentId', '/data') },
    ],
    trace: traceOf(event, data, organId, [{ name: 'BussinessDocType', text: '0' }]),
    references,
    attachments: encoded,
  };
}

/**
 * TraceHeaderList: every hop of `data.traceHeaders` (the sender's and the hubs' before), else one
 * hop of the sender at the event's time; then `data.business` whole, else the Bussiness the type
 * implies (`business`).
 */
function traceOf(event: CloudEvent, data: Json, organId: string, business: XmlOut[]): XmlOut[] {
  const hops =
    data.traceHeaders === undefined
      ? traceHeader(event, organId)
      : listOf(data.traceHeaders, '/data/traceHeaders').map((hop, i) => ({
          name: 'TraceHeader',
          children: writeFields(hop, TRACE_HEADER, `/data/traceHeaders/${i}`, true),
        }));
  const bussiness = data.business === undefined ? business : writeFields(data.business, BUSINESS, '/data/business', true);
  return [...hops, ...(bussiness.length > 0 ? [{ name: 'Bussiness', children: bussiness }] : [])];
}

/**
 * To, in the order of the envelope `to` (its agency codes; selectors have no edXML form), with
 * the details `data.to` gives, then any `data.to` addressee the envelope does not name; when that
 * names no one (a selector), the `recipient` the package is delivered to.
 */
function recipients(event: CloudEvent, named: unknown, recipient: string | undefined): XmlOut[] {
  const organs = named === undefined ? [] : listOf(named, '/data/to').map((o, i) => asObject(o, `/data/to/${i}`));
  const byId = new Map(organs.map((o, i) => [text(o, 'organId', `/data/to/${i}`), { organ: o, pointer: `/data/to/${i}` }]));
  const addressed = [...new Set([...agencyCodes(event.to), ...byId.keys()])];
  const ids = addressed.length === 0 && recipient ? [recipient] : addressed;
  return ids.map((organId) => {
    const entry = byId.get(organId);
    return { name: 'To', children: entry ? writeFields(entry.organ, ORGAN, entry.pointer, true) : [{ name: 'OrganId', text: organId }] };
  });
}

function agencyCodes(to: string | undefined): string[] {
  return (to ?? '').split(',').filter((r) => /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/.test(r));
}

function traceHeader(event: CloudEvent, organId: string): XmlOut[] {
  if (event.time === undefined) return [];
  return [
    {
      name: 'TraceHeader',
      children: [
        { name: 'OrganId', text: organId },
        { name: 'Timestamp', text: rfc3339ToEdxmlInstant(event.time, '/time') },
      ],
    },
  ];
}

/**
 * Revoke (1), update (2), replace (3): the MessageHeader the change carries (`data.from` and the
 * document fields, whole for an update with DocumentInfo 1), else one naming the document (for a
 * replacement, the new one); the change in TraceHeaderList/Bussiness (`data.business` whole, else
 * built from `reason`, `receiverList`, `staffInfo`, `replacement`); the files when there are any.
 */
function encodeChange(event: CloudEvent, data: Json, businessDocType: 1 | 2 | 3, options: WriteOptions): PackageParts {
  const organId = sourceAgency(event.source);
  if (!organId) throw invalidEvent('/source', 'must be urn:lgsp:agency:<agency code>');
  const documentId = text(data, 'documentId', '/data');
  const replacement = businessDocType === 3 ? asObject(data.replacement, '/data/replacement') : undefined;
  const newDocumentId = replacement ? text(replacement, 'documentId', '/data/replacement') : documentId;
  const headerDocumentId = typeof data.headerDocumentId === 'string' ? data.headerDocumentId : newDocumentId;
  const files = data.attachments === undefined ? undefined : encodeAttachments(data.attachments, options.verify);
  return {
    messageHeader:
      data.from === undefined
        ? namingHeader(event, organId, headerDocumentId, replacement)
        : [
            { name: 'From', children: writeFields(data.from, ORGAN, '/data/from', true) },
            ...recipients(event, data.to, options.recipient),
            ...writeFields(data, DOCUMENT_HEADER, '/data', true),
            { name: 'DocumentId', text: headerDocumentId },
          ],
    trace: traceOf(event, data, organId, legacyBusiness(data, businessDocType, documentId, replacement)),
    ...(files ? { references: files.references, attachments: files.encoded } : { references: [] }),
  };
}

function namingHeader(event: CloudEvent, organId: string, headerDocumentId: string, replacement: Json | undefined): XmlOut[] {
  const parts = documentIdParts(headerDocumentId, replacement ? '/data/replacement/documentId' : '/data/documentId');
  return [
    { name: 'From', children: [{ name: 'OrganId', text: organId }] },
    ...agencyCodes(event.to).map((to) => ({ name: 'To', children: [{ name: 'OrganId', text: to }] })),
    {
      name: 'Code',
      children: [
        { name: 'CodeNumber', text: parts.codeNumber },
        { name: 'CodeNotation', text: parts.codeNotation },
      ],
    },
    { name: 'PromulgationInfo', children: [{ name: 'PromulgationDate', text: isoDateToEdxml(parts.promulgationDate) }] },
    { name: 'DocumentId', text: headerDocumentId },
  ];
}

function legacyBusiness(data: Json, businessDocType: 1 | 2 | 3, documentId: string, replacement: Json | undefined): XmlOut[] {
  const business: XmlOut[] = [
    { name: 'BussinessDocType', text: String(businessDocType) },
    { name: 'BussinessDocReason', text: text(data, 'reason', '/data') },
  ];
  if (businessDocType === 2 && data.receiverList !== undefined) business.push({ name: 'BussinessDocumentInfo', children: [receiverList(data.receiverList)] });
  business.push({ name: 'DocumentId', text: documentId });
  if (data.staffInfo !== undefined) business.push({ name: 'StaffInfo', children: writeFields(data.staffInfo, STAFF_INFO, '/data/staffInfo') });
  if (replacement) business.push(replacementInfoList(documentId, replacement));
  return business;
}

function receiverList(value: unknown): XmlOut {
  const receivers = listOf(value, '/data/receiverList').map((r, i) => {
    const receiver = asObject(r, `/data/receiverList/${i}`);
    const type = receiver.receiverType;
    if (type !== 0 && type !== 1) throw invalidEvent(`/data/receiverList/${i}/receiverType`, 'must be 0 or 1');
    return {
      name: 'Receiver',
      children: [
        { name: 'ReceiverType', text: String(type) },
        { name: 'OrganId', text: text(receiver, 'organId', `/data/receiverList/${i}`) },
      ],
    };
  });
  return { name: 'ReceiverList', children: receivers };
}

function replacementInfoList(replacedId: string, replacement: Json): XmlOut {
  const organIds = listOf(replacement.organIdList, '/data/replacement/organIdList').map((id, i) => {
    if (typeof id !== 'string') throw invalidEvent(`/data/replacement/organIdList/${i}`, 'must be an agency code');
    return { name: 'OrganId', text: id };
  });
  return {
    name: 'ReplacementInfoList',
    children: [
      {
        name: 'ReplacementInfo',
        children: [
          { name: 'DocumentId', text: replacedId },
          { name: 'OrganIdList', children: organIds },
        ],
      },
    ],
  };
}

/**
 * A status answers the document's issuer: From is `data.sender` (else the reporting agency's id),
 * ResponseFor is `data.responseFor` (else rebuilt from the DocumentId), then the hops it carried.
 */
function encodeStatus(event: CloudEvent, data: Json): PackageParts {
  const documentId = text(data, 'documentId', '/data');
  const description = data.description;
  const from = data.sender === undefined ? [{ name: 'OrganId', text: text(data, 'from', '/data') }] : writeFields(data.sender, ORGAN, '/data/sender', true);
  return {
    messageHeader: [
      { name: 'From', children: from },
      {
        name: 'ResponseFor',
        children: data.responseFor === undefined ? responseFor(documentId) : writeFields(data.responseFor, STATUS_RESPONSE_FOR, '/data/responseFor', true),
      },
      ...(data.staffInfo === undefined ? [] : [{ name: 'StaffInfo', children: writeFields(data.staffInfo, STAFF_INFO, '/data/staffInfo') }]),
      { name: 'StatusCode', text: text(data, 'statusCode', '/data') },
      ...(typeof description === 'string' ? [{ name: 'Description', text: description }] : []),
      { name: 'Timestamp', text: rfc3339ToEdxmlInstant(text(data, 'timestamp', '/data'), '/data/timestamp') },
    ],
    trace: data.traceHeaders === undefined && data.business === undefined ? [] : traceOf(event, data, '', []),
  };
}

function responseFor(documentId: string): XmlOut[] {
  const parts = documentIdParts(documentId, '/data/documentId');
  return [
    { name: 'OrganId', text: parts.organId },
    { name: 'Code', text: `${parts.codeNumber}/${parts.codeNotation}` },
    { name: 'PromulgationDate', text: isoDateToEdxml(parts.promulgationDate) },
    { name: 'DocumentId', text: documentId },
  ];
}

function documentIdParts(id: string, pointer: string): DocumentIdParts {
  const parts = parseDocumentId(id);
  if (!parts) throw invalidEvent(pointer, 'must be an edXML DocumentId {OrganId},{yyyy/MM/dd},{number}/{notation}');
  return parts;
}

function text(object: Json, key: string, pointer: string): string {
  const value = object[key];
  if (typeof value !== 'string' || value === '') throw invalidEvent(`${pointer}/${key}`, 'must be a non-empty string');
  return value;
}

function listOf(value: unknown, pointer: string): unknown[] {
  if (!Array.isArray(value)) throw invalidEvent(pointer, 'must be a list');
  return value;
}
