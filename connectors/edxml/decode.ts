/**
 * edXML package → canonical events. The inbound side of the edXML connector calls
 * `decodeEdxml` on every package it receives (pushed to `/v1/connectors/{id}/inbound` or
 * polled from the national axis), then validates and produces the events like any others.
 */
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { decodeReplaced, decodeRevoked, decodeUpdated } from './decode-business.ts';
import { decodeDocument } from './decode-document.ts';
import { decodeStatus } from './decode-status.ts';
import { EdxmlError } from './errors.ts';
import { readInteger } from './fields.ts';
import { DEFAULT_LIMITS, parseXml } from './parse.ts';
import { readPackage, type EdxmlPackage } from './package.ts';
import { childOf, textOf, type XmlElement } from './tree.ts';

export interface DecodeOptions {
  /** Refuse packages larger than this many bytes. Default 16 MiB. */
  readonly maxBytes?: number;
  /** Refuse elements nested deeper than this. Default 32. */
  readonly maxDepth?: number;
  /** Refuse packages with more elements than this. Default 10,000. */
  readonly maxElements?: number;
}

/** TraceHeaderList/Bussiness/BussinessDocType → how the package is decoded. */
const BY_BUSINESS_DOC_TYPE: Readonly<Record<number, (pkg: EdxmlPackage, business: XmlElement) => CloudEvent[]>> = {
  0: (pkg) => decodeDocument(pkg),
  1: decodeRevoked,
  2: decodeUpdated,
  3: decodeReplaced,
};

/**
 * Decodes one edXML package (QCVN 102:2016) into the events it carries: a status package gives
 * one `vn.gov.document.status`; a document package gives `vn.gov.document.sent` (BussinessDocType
 * 0), `.revoked` (1), `.updated` (2) or `.replaced` (3, one event per ReplacementInfo). Events
 * follow the v1 schemas; the caller still validates them (`SchemaSet`) like any other input.
 *
 * Throws `EdxmlError` and produces nothing when the package is refused: too large, deep or
 * long, a DTD, not well-formed, a required field missing, or an attachment that does not match
 * its declared size or hash. `error.path` says where, `error.message` what to fix.
 */
export function decodeEdxml(xml: Buffer | string, options: DecodeOptions = {}): CloudEvent[] {
  const limits = {
    maxBytes: options.maxBytes ?? DEFAULT_LIMITS.maxBytes,
    maxDepth: options.maxDepth ?? DEFAULT_LIMITS.maxDepth,
    maxElements: options.maxElements ?? DEFAULT_LIMITS.maxElements,
  };
  const pkg = readPackage(parseXml(xml, limits));
  if (childOf(pkg.messageHeader, 'StatusCode')) return decodeStatus(pkg);
  const business = pkg.business;
  const typeText = textOf(business, 'BussinessDocType');
  const path = `${business?.path ?? ''}/BussinessDocType`;
  const type = typeText === undefined ? 0 : readInteger(typeText, path);
  const decode = BY_BUSINESS_DOC_TYPE[type];
  if (!decode) {
    throw new EdxmlError('edxml-unsupported', path, `BussinessDocType ${type} is not one of 0 (new), 1 (revoke), 2 (update), 3 (replace).`);
  }
  return decode(pkg, business ?? pkg.messageHeader);
}
