/**
 * The XML the encoder emits. Every element gets the `edXML:` prefix here, in one place: the
 * Government Office's .NET XmlSerializer ignores children outside the namespace, so an
 * unprefixed element is as good as a missing field to it. Text and attribute values are escaped;
 * characters XML 1.0 cannot carry (most control characters) are refused, not dropped.
 */
import { EdxmlError } from './errors.ts';

export const EDXML_NAMESPACE = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';
export const XLINK_NAMESPACE = 'http://www.w3.org/1999/xlink';
export const EDXML_PREFIX = 'edXML';

/** An element to write: `name` is the local name; attribute names are written as given. */
export interface XmlOut {
  readonly name: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly text?: string;
  readonly children?: readonly XmlOut[];
  /** Written as `name` says (a pass-through element with its own prefix or namespace), not prefixed `edXML:`. */
  readonly verbatim?: boolean;
}

/** The UTF-8 document for `root`, with the edXML and xlink namespace declarations on the root. */
export function writeDocument(root: XmlOut): string {
  const declared: XmlOut = {
    ...root,
    attributes: { [`xmlns:${EDXML_PREFIX}`]: EDXML_NAMESPACE, 'xmlns:xlink': XLINK_NAMESPACE, ...root.attributes },
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${writeElement(declared, '')}\n`;
}

function writeElement(element: XmlOut, indent: string): string {
  const name = element.verbatim ? element.name : `${EDXML_PREFIX}:${element.name}`;
  const attributes = Object.entries(element.attributes ?? {})
    .map(([key, value]) => ` ${key}="${escape(value, true)}"`)
    .join('');
  const children = element.children ?? [];
  if (children.length > 0) {
    const inner = children.map((child) => writeElement(child, `${indent}  `)).join('\n');
    return `${indent}<${name}${attributes}>\n${inner}\n${indent}</${name}>`;
  }
  if (element.text === undefined || element.text === '') return `${indent}<${name}${attributes}/>`;
  return `${indent}<${name}${attributes}>${escape(element.text, false)}</${name}>`;
}

function escape(value: string, attribute: boolean): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(value)) {
    throw new EdxmlError('edxml-invalid-event', '', `The value "${value.slice(0, 40)}" contains a control character that XML 1.0 cannot carry; remove it.`);
  }
  const text = value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return attribute
    ? text.replaceAll('"', '&quot;').replaceAll('\n', '&#10;').replaceAll('\r', '&#13;').replaceAll('\t', '&#9;')
    : text.replaceAll('\r', '&#13;');
}
