/**
 * edXML package → canonical events. The inbound side of the edXML connector calls
 * `decodeEdxml` on every package it receives (pushed to `/v1/connectors/{id}/inbound` or
 * polled from the national axis), then validates and produces the events like any others.
 */
import { createHash } from 'node:crypto';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { decodeReplaced, decodeRevoked, decodeUpdated } from './decode-business.ts';
import { decodeDocument } from './decode-document.ts';
import { decodeStatus } from './decode-status.ts';
import { buildPackage } from './encode.ts';
import { EdxmlError } from './errors.ts';
import { readInteger } from './fields.ts';
import { recordLayout } from './layout.ts';
import { DEFAULT_LIMITS, parseXml } from './parse.ts';
import { readPackage, type EdxmlPackage } from './package.ts';
import { checkSignature, hasSignature, type SignatureCheck } from './signature.ts';
import { childOf, textOf, type XmlElement } from './tree.ts';
import { asPackageRoot, unwrapBody } from './unwrap.ts';

export interface DecodeOptions {
  /** Refuse packages larger than this many bytes. Default 64 MiB (the hub's LGSP_MAX_BODY_BYTES bounds requests first). */
  readonly maxBytes?: number;
  /** Refuse elements nested deeper than this. Default 32. */
  readonly maxDepth?: number;
  /** Refuse packages with more elements than this. Default 10,000. */
  readonly maxElements?: number;
  /** The request's Content-Type: `multipart/related` bodies are unwrapped (else sniffed). */
  readonly contentType?: string;
  /** Refuse a package whose XML-DSig signature does not verify (`edxml-signature-invalid`). Default false: record it. */
  readonly refuseInvalidSignatures?: boolean;
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
 * 0), `.revoked` (1), `.updated` (2) or `.replaced` (3, one event per ReplacementInfo). The package
 * may be bare, in a SOAP 1.1 envelope, or the root part of a `multipart/related` body whose other
 * parts are its files (unwrap.ts). Each event's `data.edxml` keeps what the mapping does not model
 * (layout.ts), the signature check (signature.ts) and, for a signed package, its bytes as received
 * (`original`), so a recipient that speaks edXML gets them unchanged.
 *
 * Throws `EdxmlError` and produces nothing when the package is refused: too large, deep or
 * long, a DTD, not well-formed, a field without which it means nothing (no sender, no recipient,
 * no document id), a date that does not exist, an attachment that does not match its declared size
 * or hash, or (when asked) an invalid signature. `error.path` says where, `error.message` what to fix.
 */
export function decodeEdxml(input: Buffer | string, options: DecodeOptions = {}): CloudEvent[] {
  const limits = {
    maxBytes: options.maxBytes ?? DEFAULT_LIMITS.maxBytes,
    maxDepth: options.maxDepth ?? DEFAULT_LIMITS.maxDepth,
    maxElements: options.maxElements ?? DEFAULT_LIMITS.maxElements,
  };
  const body = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const { xml, parts } = unwrapBody(body, options.contentType);
  const parsed = parseXml(xml, limits);
  const pkg = readPackage(asPackageRoot(parsed.root, parts));
  // The parsed text has large files set aside (parse.ts); a signature is checked over the real bytes.
  const signature: SignatureCheck = hasSignature(parsed.text) ? checkSignature(xml.toString('utf8')) : { status: 'absent' };
  if (signature.status === 'invalid' && options.refuseInvalidSignatures) {
    throw new EdxmlError(
      'edxml-signature-invalid',
      `${pkg.messageHeader.path.replace(/\/MessageHeader$/, '')}/Signature`,
      `The XML signature does not verify (${signature.reason ?? 'invalid'}); this connector refuses invalid signatures. Re-sign the package or send it unaltered.`,
    );
  }
  const events = decodePackage(pkg);
  const original =
    signature.status === 'absent'
      ? undefined
      : originalOf(body, parsed.root.name === 'edXML' && parts.size === 0 ? 'application/xml' : (options.contentType ?? 'application/octet-stream'));
  return events.map((event) => withPassThrough(event, pkg.root, signature, original));
}

function decodePackage(pkg: EdxmlPackage): CloudEvent[] {
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

interface Original {
  readonly mediaType: string;
  readonly size: number;
  readonly sha256: string;
  readonly contentBase64: string;
}

function originalOf(body: Buffer, mediaType: string): Original {
  return {
    mediaType: mediaType.split(';')[0]!.trim().toLowerCase() || 'application/xml',
    size: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
    contentBase64: body.toString('base64'),
  };
}

/** `data.edxml`: the layout against the writer's package for this event, the signature, the original. */
function withPassThrough(event: CloudEvent, root: XmlElement, signature: SignatureCheck, original: Original | undefined): CloudEvent {
  const layout = recordLayout(root, buildPackage(event, { verify: false }));
  const edxml = { ...layout, signature, ...(original ? { original } : {}) };
  return { ...event, data: { ...(event.data as Record<string, unknown>), edxml } };
}
