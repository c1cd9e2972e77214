/**
 * The checked XML tree the decoder reads (built by `parse.ts`) and the accessors that turn an
 * absent field into an `edxml-missing-field` error naming its path. Element names are local
 * names: the `edXML:` prefix (or any other) is gone, so prefixed and unprefixed input read alike.
 */
import { EdxmlError } from './errors.ts';

export interface XmlElement {
  /** Local name, e.g. `MessageHeader`. */
  readonly name: string;
  /** The name as written, prefix included (`edXML:Subject`, `Subject`, `ds:Signature`). */
  readonly qname: string;
  /** Location from the root, e.g. `/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To[2]`. */
  readonly path: string;
  /** Attributes by local name (`xlink:href` is `href`), entities decoded. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Attributes as written (`xlink:href`), namespace declarations (`xmlns`, `xmlns:x`) included. */
  readonly qualifiedAttributes: Readonly<Record<string, string>>;
  /** The element's own text, entities decoded, trimmed. */
  readonly text: string;
  readonly children: readonly XmlElement[];
}

export function childOf(parent: XmlElement | undefined, name: string): XmlElement | undefined {
  return parent?.children.find((c) => c.name === name);
}

export function childrenOf(parent: XmlElement | undefined, name: string): XmlElement[] {
  return parent ? parent.children.filter((c) => c.name === name) : [];
}

export function requireChild(parent: XmlElement, name: string, why = ''): XmlElement {
  const child = childOf(parent, name);
  if (!child) throw missing(`${parent.path}/${name}`, why);
  return child;
}

/** The trimmed text of child `name`; an absent or empty element gives undefined. */
export function textOf(parent: XmlElement | undefined, name: string): string | undefined {
  const text = childOf(parent, name)?.text;
  return text ? text : undefined;
}

export function requireText(parent: XmlElement, name: string, why = ''): string {
  const text = textOf(parent, name);
  if (text === undefined) throw missing(`${parent.path}/${name}`, why);
  return text;
}

export function missing(path: string, why = ''): EdxmlError {
  const field = path.slice(path.lastIndexOf('/') + 1).replace(/\[\d+\]$/, '');
  return new EdxmlError('edxml-missing-field', path, `${field} is required here${why ? ` (${why})` : ''} and is absent or empty.`);
}
