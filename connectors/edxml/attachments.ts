/**
 * Attachments both ways. edXML lists each file in edXMLBody/edXMLManifest/Reference (name, media
 * type, description, `xlink:href="cid:..."`) and carries its bytes outside the envelope in
 * AttachmentEncoded/Attachment/ContentTransferEncoded (base64). The hub's `attachment`
 * (common.schema.json) has no edXML counterpart for size and SHA-256: the decoder computes them
 * from the bytes. A package may declare them (`Size`, `Sha256` in Attachment or Reference: a hub
 * extension, not QCVN 102); a declaration that disagrees with the bytes refuses the package.
 */
import { createHash } from 'node:crypto';
import { EdxmlError } from './errors.ts';
import { asObject, invalidEvent, readInteger } from './fields.ts';
import { childOf, childrenOf, missing, textOf, type XmlElement } from './tree.ts';
import type { XmlOut } from './xml-writer.ts';

/**
 * Inline content limit of a document's files (vn.gov.document.sent.v1.json#/$defs/file): 48 MiB
 * decoded. Tens of MB are normal in edXML (domain/edxml.md); the hub's body limit
 * (LGSP_MAX_BODY_BYTES) is the operator's real bound (docs/edxml.md, "Large packages").
 */
export const MAX_INLINE_BYTES = 48 * 1024 * 1024;

export interface Attachment {
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  description?: string;
  contentBase64: string;
}

/** The package's files in manifest order, then any carried file the manifest does not list. */
export function decodeAttachments(root: XmlElement, envelope: XmlElement): Attachment[] {
  const body = childOf(envelope, 'edXMLBody') ?? childOf(envelope, 'Body');
  const references = childrenOf(childOf(body, 'edXMLManifest') ?? childOf(body, 'Manifest'), 'Reference');
  const carried = childrenOf(root, 'AttachmentEncoded').flatMap((e) => childrenOf(e, 'Attachment'));
  const unclaimed = new Set(carried);
  const attachments = references.map((reference) => {
    const id = contentIdOf(reference);
    if (!id) throw missing(`${reference.path}/ContentId`, 'the cid of the file in AttachmentEncoded');
    const file = carried.find((a) => unclaimed.has(a) && contentIdOf(a) === id);
    if (!file) {
      const href = reference.attributes.href ?? '';
      if (href && !href.startsWith('cid:')) {
        throw new EdxmlError('edxml-unsupported', reference.path, `The file "${href}" is referenced, not carried; put its content in AttachmentEncoded.`);
      }
      throw new EdxmlError(
        'edxml-attachment-mismatch',
        reference.path,
        `The manifest lists cid:${id} but no AttachmentEncoded/Attachment carries it; add the file or remove the Reference.`,
      );
    }
    unclaimed.delete(file);
    return decodeAttachment(file, reference);
  });
  return [...attachments, ...carried.filter((a) => unclaimed.has(a)).map((a) => decodeAttachment(a, undefined))];
}

function decodeAttachment(file: XmlElement, reference: XmlElement | undefined): Attachment {
  const name = textOf(reference, 'AttachmentName') ?? textOf(file, 'AttachmentName');
  if (!name) throw missing(`${(reference ?? file).path}/AttachmentName`);
  const { text, bytes } = decodeBase64(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  checkDeclared(file, reference, bytes.length, sha256);
  const description = textOf(reference, 'Description') ?? textOf(file, 'Description');
  return {
    name,
    mediaType: mediaTypeOf(textOf(reference, 'ContentType') ?? textOf(file, 'ContentType'), (reference ?? file).path),
    size: bytes.length,
    sha256,
    ...(description ? { description } : {}),
    // The package's own text when it is already the canonical base64 (no second copy of a large file).
    contentBase64: text.length === Math.ceil(bytes.length / 3) * 4 ? text : bytes.toString('base64'),
  };
}

/** The base64 text without line breaks, and its bytes. */
function decodeBase64(file: XmlElement): { text: string; bytes: Buffer } {
  const path = `${file.path}/ContentTransferEncoded`;
  const raw = childOf(file, 'ContentTransferEncoded')?.text;
  if (raw === undefined) throw missing(path, 'the base64 content of the file');
  const text = /\s/.test(raw) ? raw.replace(/\s+/g, '') : raw;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new EdxmlError('edxml-malformed', path, 'The content is not standard base64 (RFC 4648 §4: A-Z a-z 0-9 + /, padded with =).');
  }
  if ((text.length / 4) * 3 > MAX_INLINE_BYTES + 2) {
    throw new EdxmlError(
      'edxml-too-large',
      path,
      `The file is larger than ${MAX_INLINE_BYTES} bytes, the inline limit of the hub's document messages; send it by reference.`,
    );
  }
  return { text, bytes: Buffer.from(text, 'base64') };
}

function checkDeclared(file: XmlElement, reference: XmlElement | undefined, size: number, sha256: string): void {
  const sizeOwner = [file, reference].find((e) => textOf(e, 'Size') !== undefined);
  const declaredSize = sizeOwner && readInteger(textOf(sizeOwner, 'Size') ?? '', `${sizeOwner.path}/Size`);
  if (sizeOwner && declaredSize !== size) {
    throw new EdxmlError(
      'edxml-attachment-mismatch',
      `${sizeOwner.path}/Size`,
      `The declared size ${declaredSize} differs from the ${size} bytes carried; the file was truncated or altered in transit. Resend the package.`,
    );
  }
  const hashOwner = [file, reference].find((e) => textOf(e, 'Sha256') !== undefined);
  const declaredHash = textOf(hashOwner, 'Sha256')?.toLowerCase();
  if (hashOwner && declaredHash !== sha256) {
    throw new EdxmlError(
      'edxml-attachment-mismatch',
      `${hashOwner.path}/Sha256`,
      `The declared SHA-256 ${declaredHash} differs from that of the content carried (${sha256}); the file was altered in transit. Resend the package.`,
    );
  }
}

/** `cid:abc`, `<abc>` and `abc` all name the file `abc`. */
function contentIdOf(element: XmlElement): string {
  const raw = textOf(element, 'ContentId') ?? element.attributes.href ?? '';
  return raw
    .replace(/^cid:/i, '')
    .replace(/^<(.*)>$/, '$1')
    .trim();
}

/** The media type in the schema's form: lower case, parameters dropped; absent is octet-stream. */
function mediaTypeOf(contentType: string | undefined, path: string): string {
  const type = (contentType ?? 'application/octet-stream').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(type)) {
    throw new EdxmlError('edxml-invalid-value', `${path}/ContentType`, `"${contentType}" is not a media type; write e.g. application/pdf.`);
  }
  return type;
}

/**
 * The manifest References and the AttachmentEncoded element for `attachments` (event.data.attachments).
 * Only inline files can travel in edXML: an `href` attachment is edxml-unsupported (the caller
 * fetches it first). Declared size and SHA-256 are checked against the content before encoding.
 */
export function encodeAttachments(attachments: unknown, verify = true): { references: XmlOut[]; encoded: XmlOut } {
  if (!Array.isArray(attachments)) throw invalidEvent('/data/attachments', 'must be a list');
  const references: XmlOut[] = [];
  const files: XmlOut[] = [];
  attachments.forEach((value: unknown, index) => {
    const pointer = `/data/attachments/${index}`;
    const a = asObject(value, pointer);
    const { name, mediaType, description, contentBase64 } = a;
    if (typeof name !== 'string' || typeof mediaType !== 'string') throw invalidEvent(pointer, 'needs name and mediaType');
    if (typeof contentBase64 !== 'string') {
      throw new EdxmlError(
        'edxml-unsupported',
        `${pointer}/href`,
        'edXML carries files inline: fetch the file behind href and put it in contentBase64 before encoding.',
      );
    }
    // The decoder's own layout pass (verify false) writes the content it has just checked as it is.
    if (verify) {
      const bytes = Buffer.from(contentBase64, 'base64');
      if (a.size !== bytes.length || a.sha256 !== createHash('sha256').update(bytes).digest('hex')) {
        throw new EdxmlError(
          'edxml-attachment-mismatch',
          pointer,
          `${pointer} declares size ${String(a.size)} and sha256 ${String(a.sha256)}, which do not match its content.`,
        );
      }
    }
    const cid = `cid:attachment-${index + 1}`;
    const describe = typeof description === 'string' ? [{ name: 'Description', text: description }] : [];
    references.push({
      name: 'Reference',
      attributes: { 'xlink:href': cid },
      children: [{ name: 'ContentId', text: cid }, { name: 'ContentType', text: mediaType }, ...describe, { name: 'AttachmentName', text: name }],
    });
    files.push({
      name: 'Attachment',
      children: [
        { name: 'ContentId', text: cid },
        { name: 'AttachmentName', text: name },
        ...describe,
        { name: 'ContentType', text: mediaType },
        { name: 'ContentTransferEncoded', text: contentBase64 },
      ],
    });
  });
  return { references, encoded: { name: 'AttachmentEncoded', children: files } };
}
