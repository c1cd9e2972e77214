/**
 * Safe XML reading for edXML packages, which come from other organisations: every check that can
 * refuse a package cheaply runs before the parser sees it. In order: total size, UTF-8, DTD and
 * entity declarations (refused outright, so external entities and entity expansion cannot
 * happen), nesting depth and element count (a linear scan), well-formedness (`XMLValidator`),
 * then parsing with entity processing off. The parser's output is `unknown` until `toElements`
 * has checked it into `XmlElement`s. Errors: `EdxmlError` (see `errors.ts`).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { EdxmlError } from './errors.ts';
import type { XmlElement } from './tree.ts';

export interface ParseLimits {
  /** Total size of the package in bytes (UTF-8). Default 64 MiB: a 48 MiB file in base64 and its header (docs/edxml.md). */
  readonly maxBytes: number;
  /** Deepest element nesting; the root is depth 1. Default 32. */
  readonly maxDepth: number;
  /** Number of elements in the whole package. Default 10,000. */
  readonly maxElements: number;
}

export const DEFAULT_LIMITS: ParseLimits = Object.freeze({
  maxBytes: 64 * 1024 * 1024,
  maxDepth: 32,
  maxElements: 10_000,
});

const ROOT = '/';

/** The document read: its root element and its text (BOM removed), which the signature check reads. */
export interface ParsedXml {
  readonly root: XmlElement;
  readonly text: string;
}

/** Reads `xml` into its root element, or throws `EdxmlError` naming the first rule it breaks. */
export function parseXml(xml: Buffer | string, limits: ParseLimits): ParsedXml {
  const bytes = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  if (bytes.byteLength > limits.maxBytes) {
    throw new EdxmlError(
      'edxml-too-large',
      ROOT,
      `The package is ${bytes.byteLength} bytes; at most ${limits.maxBytes} are accepted. Send large files by reference or split the package.`,
    );
  }
  const { small, large } = setAsideLargeRuns(bytes);
  const text = toText(small);
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new EdxmlError(
      'edxml-forbidden-dtd',
      ROOT,
      'The package contains a <!DOCTYPE> or <!ENTITY> declaration; edXML needs none and the hub refuses them (external entities, entity expansion). Remove it.',
    );
  }
  checkDeclaredEncoding(text);
  scanStructure(text, limits);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new EdxmlError('edxml-malformed', ROOT, `The package is not well-formed XML: ${msg} (line ${line}, column ${col}).`);
  }
  // The validator accepts a second root element (`<a/><b/>`); XML allows exactly one.
  const [root, ...more] = toElements(newParser(limits).parse(text), '', large).filter((e) => !e.name.startsWith('?'));
  if (!root) throw new EdxmlError('edxml-malformed', ROOT, 'The package has no root element.');
  if (more.length > 0)
    throw new EdxmlError(
      'edxml-malformed',
      ROOT,
      `The package has ${more.length + 1} root elements (<${root.name}>, <${more[0]!.name}>); an XML document has exactly one.`,
    );
  return { root, text };
}

/** Runs of at least this many bytes of base64 (a file's content) are set aside before parsing. */
const LARGE_RUN = 64 * 1024;
const MARK = '\u{F0000}lgsp-large-text-';

/**
 * Long runs of base64 between `>` and `<` (files) are cut out of the package bytes before anything
 * else reads them, and put back into their element afterwards as one-byte strings without line
 * breaks, which are the canonical `contentBase64` itself: the package is never decoded whole to a
 * UTF-16 string (a package with Vietnamese text would take twice its size), the parser and the
 * validator (which walk text character by character and take seconds on tens of MB) see only the
 * markup, and a file is held as the request's bytes and once as its base64 text (plus, briefly,
 * its text with line breaks). A run holds only base64 characters and white space, so nothing in it
 * is markup. The `text` returned (what the signature check looks at) has the runs marked.
 */
function setAsideLargeRuns(bytes: Buffer): { small: Buffer; large: string[] } {
  const large: string[] = [];
  if (bytes.length < LARGE_RUN) return { small: bytes, large };
  const pieces: Buffer[] = [];
  let kept = 0;
  // Native searches and copies only: a JavaScript loop over each byte of tens of MB is slow.
  for (let gt = bytes.indexOf(0x3e); gt !== -1; gt = bytes.indexOf(0x3e, gt + 1)) {
    const lt = bytes.indexOf(0x3c, gt + 1);
    if (lt === -1) break;
    if (lt - gt - 1 >= LARGE_RUN) {
      const run = compactLines(bytes, gt + 1, lt);
      if (run.length >= LARGE_RUN && !NOT_BASE64.test(run)) {
        pieces.push(bytes.subarray(kept, gt + 1), Buffer.from(`${MARK}${large.push(run) - 1};`, 'utf8'));
        kept = lt;
      }
    }
    gt = lt - 1;
  }
  if (large.length === 0) return { small: bytes, large };
  pieces.push(bytes.subarray(kept));
  return { small: Buffer.concat(pieces), large };
}

/** A base64 run of a package, without line breaks (base64 never has blanks inside a line). */
const NOT_BASE64 = /[^A-Za-z0-9+/=]/;

/** `bytes[from, to)` as a one-byte string, each line's leading and trailing blanks dropped. */
function compactLines(bytes: Buffer, from: number, to: number): string {
  const out = Buffer.allocUnsafe(to - from);
  let length = 0;
  for (let pos = from; pos < to;) {
    const newline = bytes.indexOf(0x0a, pos);
    const end = newline === -1 || newline > to ? to : newline;
    let start = pos;
    let stop = end;
    while (start < stop && isBlank(bytes[start]!)) start += 1;
    while (stop > start && isBlank(bytes[stop - 1]!)) stop -= 1;
    length += bytes.copy(out, length, start, stop);
    pos = end + 1;
  }
  return out.toString('latin1', 0, length);
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x0d || c === 0x09;
}

function newParser(limits: ParseLimits): XMLParser {
  return new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: false, // qualified names kept (pass-through, signatures); `name` is the local name
    processEntities: false, // no DTD entities ever; the five XML ones are decoded by decodeEntities
    htmlEntities: false,
    parseTagValue: false, // keep text: leading zeros matter (CodeNumber "0012", StatusCode "03")
    parseAttributeValue: false,
    trimValues: false,
    cdataPropName: '#cdata',
    maxNestedTags: limits.maxDepth + 1,
  });
}

function toText(xml: Buffer | string): string {
  if (typeof xml === 'string') return xml.startsWith('\uFEFF') ? xml.slice(1) : xml;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(xml);
  } catch (cause) {
    throw new EdxmlError('edxml-malformed', ROOT, 'The package is not valid UTF-8; edXML packages must be UTF-8 encoded.', { cause });
  }
}

function checkDeclaredEncoding(text: string): void {
  const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/.exec(text)?.[1];
  if (declared && !/^utf-?8$/i.test(declared)) {
    throw new EdxmlError('edxml-unsupported', ROOT, `The XML declaration says encoding="${declared}"; only UTF-8 is accepted.`);
  }
}

/**
 * Counts elements and tracks depth without building anything, so that a hostile package is
 * refused in linear time before any parser recursion. Malformed markup that confuses the scan
 * is left for `XMLValidator` unless the scan cannot continue (unterminated constructs).
 */
function scanStructure(text: string, limits: ParseLimits): void {
  const stack: string[] = [];
  let count = 0;
  let i = text.indexOf('<');
  while (i !== -1) {
    if (text.startsWith('<!--', i)) i = skipPast(text, i, '-->');
    else if (text.startsWith('<![CDATA[', i)) i = skipPast(text, i, ']]>');
    else if (text[i + 1] === '?' || text[i + 1] === '!') i = skipPast(text, i, '>');
    else if (text[i + 1] === '/') {
      stack.pop();
      i = skipPast(text, i, '>');
    } else {
      const end = tagEnd(text, i);
      const name = /^<([^\s/>]+)/.exec(text.slice(i, Math.min(end, i + 200)))?.[1] ?? '?';
      count += 1;
      if (count > limits.maxElements) {
        throw new EdxmlError(
          'edxml-too-many-elements',
          pathOf([...stack, name]),
          `The package has more than ${limits.maxElements} elements; split it or send fewer attachments.`,
        );
      }
      if (text[end - 1] !== '/') {
        stack.push(localName(name));
        if (stack.length > limits.maxDepth) {
          throw new EdxmlError('edxml-too-deep', pathOf(stack), `Elements are nested more than ${limits.maxDepth} deep; edXML needs fewer than 10 levels.`);
        }
      }
      i = end + 1;
    }
    i = text.indexOf('<', i);
  }
}

function skipPast(text: string, from: number, terminator: string): number {
  const at = text.indexOf(terminator, from + 1);
  if (at === -1)
    throw new EdxmlError(
      'edxml-malformed',
      ROOT,
      `The package is not well-formed XML: a markup construct opened at offset ${from} is never closed with "${terminator}".`,
    );
  return at + terminator.length;
}

/** Index of the `>` that ends the start tag at `from`, skipping `>` inside quoted attribute values. */
function tagEnd(text: string, from: number): number {
  let quote = '';
  for (let j = from + 1; j < text.length; j += 1) {
    const c = text[j];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return j;
  }
  throw new EdxmlError('edxml-malformed', ROOT, `The package is not well-formed XML: the tag opened at offset ${from} is never closed.`);
}

function localName(qualified: string): string {
  return qualified.slice(qualified.indexOf(':') + 1);
}

function pathOf(names: readonly string[]): string {
  return `/${names.map(localName).join('/')}`;
}

type Json = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the parser's ordered output (`[{ tag: [...children], ':@': { '@_attr': 'v' } }, { '#text': 's' }]`)
 * into elements. Recursion is bounded by the depth limit already enforced.
 */
function toElements(items: unknown, parentPath: string, large: readonly string[]): XmlElement[] {
  if (!Array.isArray(items)) throw unexpected(parentPath);
  const raw: { name: string; key: string; item: Json }[] = [];
  for (const item of items) {
    if (!isRecord(item)) throw unexpected(parentPath);
    const key = Object.keys(item).find((k) => k !== ':@');
    if (key !== undefined && key !== '#text' && key !== '#cdata') raw.push({ name: canonicalName(localName(key)), key, item });
  }
  const totals = new Map<string, number>();
  for (const { name } of raw) totals.set(name, (totals.get(name) ?? 0) + 1);
  const seen = new Map<string, number>();
  return raw.map(({ name, key, item }) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    const path = `${parentPath}/${name}${(totals.get(name) ?? 0) > 1 ? `[${n}]` : ''}`;
    const content = item[key];
    const qualified = toAttributes(item[':@'], path);
    return {
      name,
      qname: key,
      path,
      attributes: Object.fromEntries(
        Object.entries(qualified)
          .filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:'))
          .map(([k, v]) => [localName(k), v]),
      ),
      qualifiedAttributes: qualified,
      text: restored(textOf(content, path), large).trim(),
      children: name.startsWith('?') ? [] : toElements(content, path, large),
    };
  });
}

/** The text set aside by `setAsideLargeRuns`, back in its element. */
function restored(text: string, large: readonly string[]): string {
  if (!text.startsWith(MARK)) return text;
  const index = Number(text.slice(MARK.length, text.indexOf(';')));
  return large[index] ?? text;
}

/** QCVN 102 spells it "Bussiness"; some senders write "Business". Both read as the standard's name. */
function canonicalName(name: string): string {
  return name.startsWith('Business') ? `Bussiness${name.slice('Business'.length)}` : name;
}

function toAttributes(value: unknown, path: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (value === undefined) return attributes;
  if (!isRecord(value)) throw unexpected(path);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw unexpected(path);
    attributes[key.replace(/^@_/, '')] = decodeEntities(v, path);
  }
  return attributes;
}

/** The element's own text: text nodes (entities decoded) and CDATA sections (verbatim), in order. */
function textOf(content: unknown, path: string): string {
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const node of content) {
    if (!isRecord(node)) continue;
    const t = node['#text'];
    if (typeof t === 'string') text += decodeEntities(t, path);
    const cdata = node['#cdata'];
    if (Array.isArray(cdata)) {
      for (const part of cdata) if (isRecord(part) && typeof part['#text'] === 'string') text += part['#text'];
    }
  }
  return text;
}

/** A Map, not an object literal: a reference like `&toString;` must not find Object.prototype's members. */
const NAMED: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

/** Decodes the five predefined entities and character references; anything else is refused. */
function decodeEntities(text: string, path: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    const named = NAMED.get(ref);
    if (named !== undefined && whole.endsWith(';')) return named;
    const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
    const cp = m ? Number.parseInt(m[1] ?? m[2] ?? '', m[1] ? 16 : 10) : NaN;
    if (whole.endsWith(';') && isXmlChar(cp)) return String.fromCodePoint(cp);
    throw new EdxmlError(
      'edxml-malformed',
      path,
      `"${whole}" is not an XML entity reference the hub accepts: use &lt; &gt; &amp; &quot; &apos; or a character reference (&#...;), and write a literal & as &amp;.`,
    );
  });
}

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

function unexpected(path: string): EdxmlError {
  return new EdxmlError('edxml-malformed', path || ROOT, 'The XML parser returned an unexpected shape here; the package is probably malformed.');
}
