/**
 * The field tables: each edXML group once, as (edXML element, JSON property, kind), in the
 * element order QCVN 102 packages use. `readFields` (decode) and `writeFields` (encode) walk the
 * same table, so a field added here is mapped in both directions. JSON names are those of the
 * v1 message schemas (`schemas/common.schema.json`, `schemas/messages/vn.gov.document.*.v1.json`).
 */
import { edxmlInstantToRfc3339, isoDateToEdxml, readEdxmlDate, rfc3339ToEdxmlInstant } from './dates.ts';
import { EdxmlError } from './errors.ts';
import { childOf, childrenOf, missing, type XmlElement } from './tree.ts';
import type { XmlOut } from './xml-writer.ts';

/**
 * `text` may say `email`: a value that is not an address (an "N/A") is not mapped, and the element
 * travels in the layout instead (layout.ts). `instant` is `yyyy/MM/dd HH:mm:ss` ↔ RFC 3339.
 * `records` is a repeated group (`ReceiverList/Receiver`).
 */
export type Field =
  | {
      readonly xml: string;
      readonly json: string;
      readonly kind: 'text' | 'integer' | 'date' | 'instant';
      readonly required?: boolean;
      readonly email?: boolean;
    }
  | { readonly xml: string; readonly json: string; readonly kind: 'list'; readonly item: string }
  | { readonly xml: string; readonly json: string; readonly kind: 'group'; readonly fields: readonly Field[]; readonly required?: boolean }
  | { readonly xml: string; readonly json: string; readonly kind: 'records'; readonly item: string; readonly fields: readonly Field[] };

/** MessageHeader/From and To (common.schema.json#/$defs/organ). */
export const ORGAN: readonly Field[] = [
  { xml: 'OrganId', json: 'organId', kind: 'text', required: true },
  { xml: 'OrganizationInCharge', json: 'organizationInCharge', kind: 'text' },
  { xml: 'OrganName', json: 'organName', kind: 'text', required: true },
  { xml: 'OrganAdd', json: 'organAdd', kind: 'text' },
  { xml: 'Email', json: 'email', kind: 'text', email: true },
  { xml: 'Telephone', json: 'telephone', kind: 'text' },
  { xml: 'Fax', json: 'fax', kind: 'text' },
  { xml: 'Website', json: 'website', kind: 'text' },
];

/** StaffInfo in TraceHeaderList/Bussiness and in status packages (common.schema.json#/$defs/staffInfo). */
export const STAFF_INFO: readonly Field[] = [
  { xml: 'Department', json: 'department', kind: 'text' },
  { xml: 'Staff', json: 'staff', kind: 'text' },
  { xml: 'Mobile', json: 'mobile', kind: 'text' },
  { xml: 'Email', json: 'email', kind: 'text', email: true },
];

/** TraceHeaderList/TraceHeader: one hop each, in order (`data.traceHeaders`). */
export const TRACE_HEADER: readonly Field[] = [
  { xml: 'OrganId', json: 'organId', kind: 'text', required: true },
  { xml: 'Timestamp', json: 'timestamp', kind: 'instant' },
];

/**
 * TraceHeaderList/Bussiness, whole (`data.business`): on new documents too (BussinessDocType 0),
 * with an update's BussinessDocumentInfo and a replacement's ReplacementInfoList.
 */
export const BUSINESS: readonly Field[] = [
  { xml: 'BussinessDocType', json: 'businessDocType', kind: 'integer', required: true },
  { xml: 'BussinessDocReason', json: 'businessDocReason', kind: 'text' },
  {
    xml: 'BussinessDocumentInfo',
    json: 'businessDocumentInfo',
    kind: 'group',
    fields: [
      { xml: 'DocumentInfo', json: 'documentInfo', kind: 'text' },
      { xml: 'DocumentReceiver', json: 'documentReceiver', kind: 'text' },
      {
        xml: 'ReceiverList',
        json: 'receiverList',
        kind: 'records',
        item: 'Receiver',
        fields: [
          { xml: 'ReceiverType', json: 'receiverType', kind: 'integer', required: true },
          { xml: 'OrganId', json: 'organId', kind: 'text', required: true },
        ],
      },
    ],
  },
  { xml: 'DocumentId', json: 'documentId', kind: 'text' },
  { xml: 'Paper', json: 'paper', kind: 'text' },
  { xml: 'StaffInfo', json: 'staffInfo', kind: 'group', fields: STAFF_INFO },
  {
    xml: 'ReplacementInfoList',
    json: 'replacementInfoList',
    kind: 'records',
    item: 'ReplacementInfo',
    fields: [
      { xml: 'DocumentId', json: 'documentId', kind: 'text', required: true },
      { xml: 'OrganIdList', json: 'organIdList', kind: 'list', item: 'OrganId' },
    ],
  },
];

/** MessageHeader/ResponseFor of a status: only the DocumentId is needed, the rest is kept when there. */
export const STATUS_RESPONSE_FOR: readonly Field[] = [
  { xml: 'OrganId', json: 'organId', kind: 'text' },
  { xml: 'Code', json: 'code', kind: 'text' },
  { xml: 'PromulgationDate', json: 'promulgationDate', kind: 'date' },
  { xml: 'DocumentId', json: 'documentId', kind: 'text', required: true },
];

/**
 * MessageHeader of a new document, between To and DocumentId (which the codec handles itself:
 * To feeds the envelope too, DocumentId is the event id). vn.gov.document.sent.v1 `data`.
 */
export const DOCUMENT_HEADER: readonly Field[] = [
  {
    xml: 'Code',
    json: 'code',
    kind: 'group',
    required: true,
    fields: [
      { xml: 'CodeNumber', json: 'codeNumber', kind: 'text', required: true },
      { xml: 'CodeNotation', json: 'codeNotation', kind: 'text', required: true },
    ],
  },
  {
    xml: 'PromulgationInfo',
    json: 'promulgationInfo',
    kind: 'group',
    required: true,
    fields: [
      { xml: 'Place', json: 'place', kind: 'text' },
      { xml: 'PromulgationDate', json: 'promulgationDate', kind: 'date', required: true },
    ],
  },
  {
    xml: 'DocumentType',
    json: 'documentType',
    kind: 'group',
    required: true,
    fields: [
      { xml: 'Type', json: 'type', kind: 'integer', required: true },
      { xml: 'TypeName', json: 'typeName', kind: 'text' },
      { xml: 'TypeDetail', json: 'typeDetail', kind: 'text' },
    ],
  },
  { xml: 'Subject', json: 'subject', kind: 'text', required: true },
  { xml: 'Content', json: 'content', kind: 'text' },
  // Empty Position or FullName occur in real packages (domain/edxml.md): kept as they are, in the layout.
  {
    xml: 'SignerInfo',
    json: 'signerInfo',
    kind: 'group',
    fields: [
      { xml: 'Competence', json: 'competence', kind: 'text' },
      { xml: 'Position', json: 'position', kind: 'text' },
      { xml: 'FullName', json: 'fullName', kind: 'text' },
    ],
  },
  { xml: 'DueDate', json: 'dueDate', kind: 'date' },
  { xml: 'ToPlaces', json: 'toPlaces', kind: 'list', item: 'Place' },
  // Priority defaults to 0 (normal) when a sender omits it: see decode-document.ts.
  {
    xml: 'OtherInfo',
    json: 'otherInfo',
    kind: 'group',
    fields: [
      { xml: 'Priority', json: 'priority', kind: 'integer' },
      { xml: 'SphereOfPromulgation', json: 'sphereOfPromulgation', kind: 'text' },
      { xml: 'TyperNotation', json: 'typerNotation', kind: 'text' },
      { xml: 'PromulgationAmount', json: 'promulgationAmount', kind: 'integer' },
      { xml: 'PageAmount', json: 'pageAmount', kind: 'integer' },
      { xml: 'Appendixes', json: 'appendixes', kind: 'list', item: 'Appendix' },
    ],
  },
  { xml: 'ResponseFor', json: 'responseFor', kind: 'group', fields: STATUS_RESPONSE_FOR },
  { xml: 'SteeringType', json: 'steeringType', kind: 'integer' },
  { xml: 'Direction', json: 'direction', kind: 'text' },
];

/**
 * Reads the fields of `table` from the children of `element`. Tolerant: an optional field that is
 * absent, empty or unreadable ("N/A" where a number or date belongs) is left out of the data (the
 * layout keeps the element as it was); a date that does not exist is refused whatever the field.
 * A required field (`required`, unless `lenient`) that cannot be read throws, naming its path.
 */
export function readFields(element: XmlElement, table: readonly Field[], lenient = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of table) {
    const value = readField(element, field, lenient);
    if (value !== undefined) out[field.json] = value;
  }
  return out;
}

function readField(parent: XmlElement, field: Field, lenient: boolean): unknown {
  const child = childOf(parent, field.xml);
  const path = child?.path ?? `${parent.path}/${field.xml}`;
  const required = !lenient && 'required' in field && field.required === true;
  if (field.kind === 'list') {
    const items = childrenOf(child, field.item)
      .map((c) => c.text)
      .filter((t) => t !== '');
    return items.length > 0 ? items : undefined;
  }
  if (field.kind === 'records') {
    const records = childrenOf(child, field.item).map((c) => readFields(c, field.fields, lenient));
    return records.length > 0 ? records : undefined;
  }
  if (field.kind === 'group') {
    const value = child ? readFields(child, field.fields, lenient) : {};
    if (Object.keys(value).length > 0 || (child && !field.required)) return value;
    if (required) throw missing(path);
    return undefined;
  }
  if (!child?.text) {
    if (required) throw missing(path);
    return undefined;
  }
  const value = readLeaf(child.text, field.kind, path);
  if (value === undefined && required) {
    throw new EdxmlError(
      'edxml-invalid-value',
      path,
      `"${child.text}" is not a ${field.kind === 'integer' ? 'whole number' : field.kind}; it is required here.`,
    );
  }
  if (value !== undefined && 'email' in field && field.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(String(value))) return undefined;
  return value;
}

/** The value of a leaf, or undefined when it cannot be read as `kind`; an impossible date throws. */
function readLeaf(text: string, kind: 'text' | 'integer' | 'date' | 'instant', path: string): unknown {
  if (kind === 'date') return readEdxmlDate(text, path);
  if (kind === 'integer') return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
  if (kind === 'instant') {
    try {
      return edxmlInstantToRfc3339(text, path);
    } catch {
      return undefined;
    }
  }
  return text;
}

export function readInteger(text: string, path: string): number {
  if (!/^\d{1,9}$/.test(text)) {
    throw new EdxmlError('edxml-invalid-value', path, `"${text}" is not a whole number; write digits only.`);
  }
  return Number(text);
}

/** Writes the fields of `table` present in `value` (a part of event.data at JSON Pointer `pointer`). */
export function writeFields(value: unknown, table: readonly Field[], pointer: string, lenient = false): XmlOut[] {
  const object = asObject(value, pointer);
  const out: XmlOut[] = [];
  for (const field of table) {
    const written = writeField(object[field.json], field, `${pointer}/${field.json}`, lenient);
    if (written) out.push(written);
  }
  return out;
}

function writeField(value: unknown, field: Field, pointer: string, lenient: boolean): XmlOut | undefined {
  if (value === undefined) {
    if (!lenient && 'required' in field && field.required) throw invalidEvent(pointer, 'is required');
    return undefined;
  }
  switch (field.kind) {
    case 'group':
      return { name: field.xml, children: writeFields(value, field.fields, pointer, lenient) };
    case 'records':
      if (!Array.isArray(value)) throw invalidEvent(pointer, 'must be a list');
      return {
        name: field.xml,
        children: value.map((v: unknown, i) => ({ name: field.item, children: writeFields(v, field.fields, `${pointer}/${i}`, lenient) })),
      };
    case 'instant':
      if (typeof value !== 'string') throw invalidEvent(pointer, 'must be a date-time');
      return { name: field.xml, text: rfc3339ToEdxmlInstant(value, pointer) };
    case 'list':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw invalidEvent(pointer, 'must be a list of strings');
      return { name: field.xml, children: value.map((text: string) => ({ name: field.item, text })) };
    case 'integer':
      if (!Number.isInteger(value)) throw invalidEvent(pointer, 'must be an integer');
      return { name: field.xml, text: String(value) };
    case 'date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw invalidEvent(pointer, 'must be a date YYYY-MM-DD');
      return { name: field.xml, text: isoDateToEdxml(value) };
    case 'text':
      if (typeof value !== 'string') throw invalidEvent(pointer, 'must be a string');
      return { name: field.xml, text: value };
  }
}

export function asObject(value: unknown, pointer: string): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidEvent(pointer, 'must be an object');
  return value as Readonly<Record<string, unknown>>;
}

export function invalidEvent(pointer: string, problem: string): EdxmlError {
  return new EdxmlError('edxml-invalid-event', pointer, `${pointer} ${problem}; the event must be valid against its v1 schema before it is encoded to edXML.`);
}
