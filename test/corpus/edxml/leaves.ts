/**
 * The leaves of an edXML package, for comparing an original with what the hub delivered, written
 * apart from the codec (its own parser settings, no code of connectors/edxml): a leaf is an
 * element without element children, by path (local names, `[n]` among same-name siblings), with
 * its trimmed text; every attribute is a leaf too (`path/@local-name`; namespace declarations are
 * not data). What the hub's writer changes on purpose is normalised here, and only this:
 * - base64 in ContentTransferEncoded without line breaks;
 * - PromulgationDate and DueDate written dd/MM/yyyy read as yyyy/MM/dd (the writer emits the
 *   standard's order);
 * - `Business*` read as the standard's `Bussiness*` (the writer emits the standard's spelling).
 * A SOAP 1.1 envelope and a multipart/related body are read as the package they carry: the edXML
 * in the Body, or the Header's MessageHeader/TraceHeaderList/Signature and the Body's manifest,
 * and the MIME parts as AttachmentEncoded/Attachment (ContentId, ContentType, base64 content).
 */
import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';

export type Leaves = [path: string, value: string][];

interface Node {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly text: string;
  readonly children: Node[];
}

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, parseTagValue: false, parseAttributeValue: false, trimValues: false, processEntities: true, htmlEntities: false });

function local(name: string): string {
  const l = name.slice(name.indexOf(':') + 1);
  return l.startsWith('Business') ? `Bussiness${l.slice(8)}` : l;
}

function nodes(items: unknown[]): Node[] {
  const out: Node[] = [];
  for (const item of items as Record<string, unknown>[]) {
    const key = Object.keys(item).find((k) => k !== ':@');
    if (!key || key.startsWith('#') || key.startsWith('?')) continue;
    const content = item[key] as Record<string, unknown>[];
    const attributes = Object.fromEntries(Object.entries((item[':@'] ?? {}) as Record<string, string>).filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:')).map(([k, v]) => [local(k), v]));
    const text = content.map((c) => (typeof c['#text'] === 'string' ? c['#text'] : '')).join('');
    out.push({ name: local(key), attributes, text, children: nodes(content) });
  }
  return out;
}

/**
 * Long base64 runs (files of MBs) are compared by their SHA-256, taken without white space: the XML
 * parser would take seconds on them, and a digest is as exact as the text.
 */
function digestLargeRuns(xml: string): string {
  const out: string[] = [];
  let from = 0;
  const base64 = /[A-Za-z0-9+/=\s]/;
  for (let i = xml.indexOf('>'); i !== -1; i = xml.indexOf('>', i + 1)) {
    let end = i + 1;
    while (end < xml.length && base64.test(xml[end]!)) end += 1;
    if (end - i - 1 >= 65536 && xml[end] === '<') {
      const run = xml.slice(i + 1, end).replace(/\s+/g, '');
      out.push(xml.slice(from, i + 1), `sha256:${createHash('sha256').update(run).digest('hex')}`);
      from = end;
    }
    i = end - 1;
  }
  out.push(xml.slice(from));
  return out.join('');
}

function parse(xml: string): Node {
  const root = nodes(parser.parse(digestLargeRuns(xml.replace(/^\uFEFF/, ''))) as unknown[])[0];
  if (!root) throw new Error('no root element');
  return root;
}

function el(name: string, children: Node[], text = ''): Node {
  return { name, attributes: {}, text, children };
}

const dayFirst = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

function normalise(name: string, text: string): string {
  const t = text.trim();
  if (name === 'ContentTransferEncoded') {
    const stripped = t.replace(/\s+/g, '');
    return stripped.length >= 65536 ? `sha256:${createHash('sha256').update(stripped).digest('hex')}` : stripped;
  }
  const m = (name === 'PromulgationDate' || name === 'DueDate') && dayFirst.exec(t);
  return m ? `${m[3]}/${m[2]!.padStart(2, '0')}/${m[1]!.padStart(2, '0')}` : t;
}

function collect(node: Node, path: string, out: Leaves): void {
  for (const [k, v] of Object.entries(node.attributes)) out.push([`${path}/@${k}`, v]);
  if (node.children.length === 0) {
    out.push([path, normalise(node.name, node.text)]);
    return;
  }
  const totals = new Map<string, number>();
  for (const c of node.children) totals.set(c.name, (totals.get(c.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const c of node.children) {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    collect(c, `${path}/${c.name}${(totals.get(c.name) ?? 0) > 1 ? `[${n}]` : ''}`, out);
  }
}

interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

function multipart(body: Buffer, contentType: string): Part[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw new Error('no boundary');
  const text = body.toString('latin1');
  return text
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((chunk) => {
      const raw = chunk.replace(/^\r?\n/, '');
      const blank = /\r?\n\r?\n/.exec(raw);
      if (!blank) throw new Error('a MIME part without a blank line after its headers');
      const head = raw.slice(0, blank.index);
      const headers = Object.fromEntries(head.split(/\r?\n/).map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const content = Buffer.from(raw.slice(blank.index + blank[0].length).replace(/\r\n$/, ''), 'latin1');
      return { headers, body: /base64/i.test(headers['content-transfer-encoding'] ?? '') ? Buffer.from(content.toString('latin1'), 'base64') : content };
    });
}

/** The package a request carries, as a tree. */
function packageOf(body: Buffer, contentType: string): Node {
  let xml = body;
  let files: Part[] = [];
  if (/^multipart\//i.test(contentType)) {
    const [root, ...rest] = multipart(body, contentType);
    xml = root!.body;
    files = rest;
  }
  let pkg = parse(xml.toString('utf8'));
  if (pkg.name === 'Envelope') {
    const soapBody = pkg.children.find((c) => c.name === 'Body');
    const inner = soapBody?.children.find((c) => c.name === 'edXML');
    if (inner) pkg = inner;
    else {
      const header = pkg.children.find((c) => c.name === 'Header')?.children.filter((c) => ['MessageHeader', 'TraceHeaderList', 'Signature'].includes(c.name)) ?? [];
      const manifest = soapBody?.children.find((c) => c.name === 'edXMLManifest');
      pkg = el('edXML', [el('edXMLEnvelope', [el('edXMLHeader', header), ...(manifest ? [el('edXMLBody', [manifest])] : [])])]);
    }
  }
  if (files.length > 0) {
    const manifestIds = new Map<string, string>();
    const manifest = pkg.children.find((c) => c.name === 'edXMLEnvelope')?.children.find((c) => c.name === 'edXMLBody')?.children.find((c) => c.name === 'edXMLManifest');
    for (const ref of manifest?.children ?? []) {
      const id = ref.children.find((c) => c.name === 'ContentId')?.text.trim() ?? '';
      manifestIds.set(id.replace(/^cid:/, ''), id);
    }
    const attachments = files.map((f) => {
      const id = (f.headers['content-id'] ?? '').replace(/^<|>$/g, '');
      return el('Attachment', [
        el('ContentId', [], manifestIds.get(id) ?? `cid:${id}`),
        ...(f.headers['content-type'] ? [el('ContentType', [], f.headers['content-type'])] : []),
        el('ContentTransferEncoded', [], f.body.toString('base64')),
      ]);
    });
    pkg = { ...pkg, children: [...pkg.children, el('AttachmentEncoded', attachments)] };
  }
  return pkg;
}

/** The leaves of the package in `body` (sent with `contentType`), in document order. */
export function leavesOf(body: Buffer | string, contentType = 'application/xml'): Leaves {
  const out: Leaves = [];
  collect(packageOf(typeof body === 'string' ? Buffer.from(body, 'utf8') : body, contentType), '/edXML', out);
  return out;
}
