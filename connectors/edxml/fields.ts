/**
 * The field tables: each edXML group once, as (edXML element, JSON property, kind), in the
 * element order QCVN 102 packages use. `readFields` (decode) and `writeFields` (encode) walk the
 * same table, so a field added here is mapped in both directions. JSON names are those of the
 * v1 message schemas (`schemas/common.schema.json`, `schemas/messages/vn.gov.document.*.v1.json`).
 */
import { edxmlDateToIso, isoDateToEdxml } from './dates.ts';
import { EdxmlError } from './errors.ts';
import { childOf, childrenOf, missing, type XmlElement } from './tree.ts';
import type { XmlOut } from './xml-writer.ts';

export type Field =
  | { readonly xml: string; readonly json: string; readonly kind: 'text' | 'integer' | 'date'; readonly required?: boolean }
  | { readonly xml: string; readonly json: string; readonly kind: 'list'; readonly item: string }
  | { readonly xml: string; readonly json: string; readonly kind: 'group'; readonly fields: readonly Field[]; readonly required?: boolean };

/** MessageHeader/From and To (common.schema.json#/$defs/organ). */
export const ORGAN: readonly Field[] = [
  { xml: 'OrganId', json: 'organId', kind: 'text', required: true },
  { xml: 'OrganizationInCharge', json: 'organizationInCharge', kind: 'text' },
  { xml: 'OrganName', json: 'organName', kind: 'text', required: true },
  { xml: 'OrganAdd', json: 'organAdd', kind: 'text' },
  { xml: 'Email', json: 'email', kind: 'text' },
  { xml: 'Telephone', json: 'telephone', kind: 'text' },
  { xml: 'Fax', json: 'fax', kind: 'text' },
  { xml: 'Website', json: 'website', kind: 'text' },
];

/** StaffInfo in TraceHeaderList/Bussiness and in status packages (common.schema.json#/$defs/staffInfo). */
export const STAFF_INFO: readonly Field[] = [
  { xml: 'Department', json: 'department', kind: 'text' },
  { xml: 'Staff', json: 'staff', kind: 'text' },
  { xml: 'Mobile', json: 'mobile', kind: 'text' },
  { xml: 'Email', json: 'email', kind: 'text' },
];

/**
 * MessageHeader of a new document, between To and DocumentId (which the codec handles itself:
 * To feeds the envelope too, DocumentId is the event id). vn.gov.document.sent.v1 `data`.
 */
export const DOCUMENT_HEADER: readonly Field[] = [
  { xml: 'Code', json: 'code', kind: 'group', required: true, fields: [
    { xml: 'CodeNumber', json: 'codeNumber', kind: 'text', required: true },
    { xml: 'CodeNotation', json: 'codeNotation', kind: 'text', required: true },
  ] },
  { xml: 'PromulgationInfo', json: 'promulgationInfo', kind: 'group', required: true, fields: [
    { xml: 'Place', json: 'place', kind: 'text', required: true },
    { xml: 'PromulgationDate', json: 'promulgationDate', kind: 'date', required: true },
  ] },
  { xml: 'DocumentType', json: 'documentType', kind: 'group', required: true, fields: [
    { xml: 'Type', json: 'type', kind: 'integer', required: true },
    { xml: 'TypeName', json: 'typeName', kind: 'text' },
  ] },
  { xml: 'Subject', json: 'subject', kind: 'text', required: true },
  { xml: 'Content', json: 'content', kind: 'text' },
  { xml: 'SignerInfo', json: 'signerInfo', kind: 'group', required: true, fields: [
    { xml: 'Competence', json: 'competence', kind: 'text' },
    { xml: 'Position', json: 'position', kind: 'text', required: true },
    { xml: 'FullName', json: 'fullName', kind: 'text', required: true },
  ] },
  { xml: 'DueDate', json: 'dueDate', kind: 'date' },
  { xml: 'ToPlaces', json: 'toPlaces', kind: 'list', item: 'Place' },
  // Priority defaults to 0 (normal) when a sender omits it: see decode-document.ts.
  { xml: 'OtherInfo', json: 'otherInfo', kind: 'group', fields: [
    { xml: 'Priority', json: 'priority', kind: 'integer' },
    { xml: 'SphereOfPromulgation', json: 'sphereOfPromulgation', kind: 'text' },
    { xml: 'TyperNotation', json: 'typerNotation', kind: 'text' },
    { xml: 'PromulgationAmount', json: 'promulgationAmount', kind: 'integer' },
    { xml: 'PageAmount', json: 'pageAmount', kind: 'integer' },
    { xml: 'Appendixes', json: 'appendixes', kind: 'list', item: 'Appendix' },
  ] },
  { xml: 'ResponseFor', json: 'responseFor', kind: 'group', fields: [
    { xml: 'OrganId', json: 'organId', kind: 'text', required: true },
    { xml: 'Code', json: 'code', kind: 'text', required: true },
    { xml: 'PromulgationDate', json: 'promulgationDate', kind: 'date', required: true },
    { xml: 'DocumentId', json: 'documentId', kind: 'text', required: true },
  ] },
  { xml: 'SteeringType', json: 'steeringType', kind: 'integer' },
];

/** Reads the fields of `table` from the children of `element`; absent optional fields are left out. */
export function readFields(element: XmlElement, table: readonly Field[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of table) {
    const value = readField(element, field);
    if (value !== undefined) out[field.json] = value;
  }
  return out;
}

function readField(parent: XmlElement, field: Field): unknown {
  const child = childOf(parent, field.xml);
  const path = child?.path ?? `${parent.path}/${field.xml}`;
  if (field.kind === 'list') {
    const items = childrenOf(child, field.item).map((c) => c.text).filter((t) => t !== '');
    return items.length > 0 ? items : undefined;
  }
  if (field.kind === 'group') {
    const value = child ? readFields(child, field.fields) : {};
    if (Object.keys(value).length > 0) return value;
    if (field.required) throw missing(path);
    return undefined;
  }
  if (!child?.text) {
    if (field.required) throw missing(path);
    return undefined;
  }
  if (field.kind === 'date') return edxmlDateToIso(child.text, path);
  if (field.kind === 'integer') return readInteger(child.text, path);
  return child.text;
}

export function readInteger(text: string, path: string): number {
  if (!/^\d{1,9}$/.test(text)) {
    throw new EdxmlError('edxml-invalid-value', path, `"${text}" is not a whole number; write digits only.`);
  }
  return Number(text);
}

/** Writes the fields of `table` present in `value` (a part of event.data at JSON Pointer `pointer`). */
export function writeFields(value: unknown, table: readonly Field[], pointer: string): XmlOut[] {
  const object = asObject(value, pointer);
  const out: XmlOut[] = [];
  for (const field of table) {
    const written = writeField(object[field.json], field, `${pointer}/${field.json}`);
    if (written) out.push(written);
  }
  return out;
}

function writeField(value: unknown, field: Field, pointer: string): XmlOut | undefined {
  if (value === undefined) {
    if ('required' in field && field.required) throw invalidEvent(pointer, 'is required');
    return undefined;
  }
  switch (field.kind) {
    case 'group':
      return { name: field.xml, children: writeFields(value, field.fields, pointer) };
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
