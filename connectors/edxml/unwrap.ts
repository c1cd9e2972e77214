/**
 * The wrappings an edXML package arrives in (domain/edxml.md, "What real packages look like"),
 * undone before decoding:
 * - `multipart/related` (SOAP with attachments, or a bare package with its files as MIME parts):
 *   the root part (the `start` parameter, else the first part) is the XML; the other parts are
 *   files by their `Content-ID`. A request with no content type is sniffed (a body that starts
 *   with `--boundary`), as the national axis hands the poller bytes without one.
 * - a SOAP 1.1 envelope (`soapenv:Envelope`): the edXML package in `soapenv:Body`, or its header
 *   parts (MessageHeader, TraceHeaderList, Signature) in `soapenv:Header` and its body
 *   (edXMLManifest) in `soapenv:Body` (`asPackageRoot`).
 * Parts are views of the request's buffer (no copies).
 */
import { EdxmlError } from './errors.ts';
import { childOf, type XmlElement } from './tree.ts';

export interface MimePart {
  readonly headers: Readonly<Record<string, string>>;
  /** Decoded content (base64 parts decoded; others as they are). */
  readonly body: Buffer;
}

export interface Unwrapped {
  /** The XML document (a package or a SOAP envelope). */
  readonly xml: Buffer;
  /** Files carried as MIME parts, by Content-ID without `<>` and `cid:`. */
  readonly parts: ReadonlyMap<string, MimePart>;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** The XML and the MIME parts of a request body; a body that is not multipart is the XML itself. */
export function unwrapBody(body: Buffer, contentType = ''): Unwrapped {
  const boundary = boundaryOf(contentType) ?? sniffBoundary(body);
  if (!boundary) return { xml: body, parts: new Map() };
  const parts = splitMultipart(body, boundary);
  if (parts.length === 0) throw new EdxmlError('edxml-malformed', '/', `The multipart/related body has no part delimited by "--${boundary}".`);
  const start = /;\s*start\s*=\s*"?<?([^">;]+)>?"?/i.exec(contentType)?.[1];
  const root = (start && parts.find((p) => contentIdOf(p) === start)) || parts[0]!;
  const files = new Map<string, MimePart>();
  for (const part of parts) if (part !== root && contentIdOf(part)) files.set(contentIdOf(part)!, part);
  return { xml: root.body, parts: files };
}

function boundaryOf(contentType: string): string | undefined {
  if (!/^\s*multipart\//i.test(contentType)) return undefined;
  const boundary = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) throw new EdxmlError('edxml-malformed', '/', 'The multipart content type has no boundary parameter.');
  return boundary[1] ?? boundary[2];
}

function sniffBoundary(body: Buffer): string | undefined {
  const head = body.subarray(0, 200).toString('latin1');
  return /^--([!-~]{1,70})\r?\n/.exec(head)?.[1];
}

function splitMultipart(body: Buffer, boundary: string): MimePart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MimePart[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    let start = at + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // closing delimiter
    if (body[start] === 0x0d) start += 1;
    if (body[start] === 0x0a) start += 1;
    const next = body.indexOf(delimiter, start);
    if (next === -1) throw new EdxmlError('edxml-malformed', '/', `A multipart part is never closed by "--${boundary}--".`);
    let end = next;
    if (body[end - 1] === 0x0a) end -= 1;
    if (body[end - 1] === 0x0d) end -= 1;
    parts.push(readPart(body.subarray(start, end)));
    at = next;
  }
  return parts;
}

function readPart(raw: Buffer): MimePart {
  let split = raw.indexOf(CRLF2);
  let skip = 4;
  if (split === -1) {
    split = raw.indexOf('\n\n');
    skip = 2;
  }
  if (split === -1) throw new EdxmlError('edxml-malformed', '/', 'A multipart part has no blank line after its headers.');
  const headers: Record<string, string> = {};
  for (const line of raw.subarray(0, split).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const content = raw.subarray(split + skip);
  const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  return { headers, body: encoding === 'base64' ? Buffer.from(content.toString('latin1'), 'base64') : content };
}

function contentIdOf(part: MimePart): string | undefined {
  const id = part.headers['content-id'];
  return id ? normaliseContentId(id) : undefined;
}

/** `<abc>`, `cid:abc` and `abc` all name `abc`. */
export function normaliseContentId(id: string): string {
  return id
    .trim()
    .replace(/^cid:/i, '')
    .replace(/^<(.*)>$/, '$1')
    .trim();
}

const SOAP_HEADER_PARTS = new Set(['MessageHeader', 'TraceHeaderList', 'Signature']);

/**
 * The edXML package root for a parsed document: the document itself when it is `edXML`; for a SOAP
 * envelope, the `edXML` in its Body, else a package assembled from the edXML parts of its Header and
 * Body (paths rewritten to `/edXML/edXMLEnvelope/...`, so errors and the layout name the package's
 * own places). Files of MIME parts become `AttachmentEncoded/Attachment` elements.
 */
export function asPackageRoot(root: XmlElement, parts: ReadonlyMap<string, MimePart>): XmlElement {
  let edxml = root;
  if (root.name === 'Envelope') {
    const body = childOf(root, 'Body');
    const inner = childOf(body, 'edXML');
    if (inner) edxml = rebase(inner, '/edXML');
    else {
      const headerParts = (childOf(root, 'Header')?.children ?? []).filter((c) => SOAP_HEADER_PARTS.has(c.name));
      const bodyParts = body?.children ?? [];
      const manifest = bodyParts.find((c) => c.name === 'edXMLBody') ?? bodyParts.find((c) => c.name === 'edXMLManifest');
      const envelope = element('edXMLEnvelope', [
        element('edXMLHeader', headerParts),
        ...(manifest ? [manifest.name === 'edXMLBody' ? manifest : element('edXMLBody', [manifest])] : []),
      ]);
      const encoded = bodyParts.filter((c) => c.name === 'AttachmentEncoded');
      edxml = rebase(element('edXML', [envelope, ...encoded], root.qualifiedAttributes), '/edXML');
    }
  }
  if (parts.size === 0 || edxml.name !== 'edXML') return edxml;
  const files = [...parts].map(([id, part]) =>
    element('Attachment', [
      leaf('ContentId', contentIdText(edxml, id)),
      ...(part.headers['content-type'] ? [leaf('ContentType', part.headers['content-type'])] : []),
      leaf('ContentTransferEncoded', part.body.toString('base64')),
    ]),
  );
  return rebase(element('edXML', [...edxml.children, element('AttachmentEncoded', files)], edxml.qualifiedAttributes), '/edXML');
}

/** The ContentId as the manifest writes it (so the layout keeps the sender's spelling). */
function contentIdText(edxml: XmlElement, id: string): string {
  const manifest = childOf(childOf(childOf(edxml, 'edXMLEnvelope'), 'edXMLBody'), 'edXMLManifest');
  const named = manifest?.children.map((r) => childOf(r, 'ContentId')?.text ?? '').find((t) => normaliseContentId(t) === id);
  return named ?? `cid:${id}`;
}

function element(name: string, children: readonly XmlElement[], qualifiedAttributes: Readonly<Record<string, string>> = {}): XmlElement {
  return { name, qname: `edXML:${name}`, path: '', attributes: {}, qualifiedAttributes, text: '', children };
}

function leaf(name: string, text: string): XmlElement {
  return { name, qname: `edXML:${name}`, path: '', attributes: {}, qualifiedAttributes: {}, text, children: [] };
}

/** `element` with the paths of its subtree recomputed from `path` (the parser's `[n]` rule). */
function rebase(el: XmlElement, path: string): XmlElement {
  const totals = new Map<string, number>();
  for (const c of el.children) totals.set(c.name, (totals.get(c.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  const children = el.children.map((c) => {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    return rebase(c, `${path}/${c.name}${(totals.get(c.name) ?? 0) > 1 ? `[${n}]` : ''}`);
  });
  return { ...el, path, children };
}
