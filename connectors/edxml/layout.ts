/**
 * What keeps an edXML round trip lossless: the package's `layout`, recorded in the canonical data
 * (`data.edxml`, the namespaced pass-through of the `vn.gov.document.*` schemas) when a package is
 * decoded, and applied when the data is encoded again.
 *
 * The mapping (fields.ts, the decoders) models the elements the standard and the facts name; the
 * writer (encode.ts) builds a package from the modelled data alone. `recordLayout` compares that
 * package with the original, element by element, and keeps only the differences:
 * - `layout[path]`: the children of a modelled element, in the original order, when the writer's
 *   differ: a name for a child the writer produces from the data (taken in order among the writer's
 *   children of that name), an `XmlNode` for a child the mapping does not model (an unknown
 *   element, an empty or "N/A" value, a signature), carried as it was. Writer children the layout
 *   does not name (defaults the hub filled in) are left out.
 * - `attributes[path]`: the attributes of a modelled element, when they differ from the writer's.
 * `applyLayout` does the reverse on the writer's tree. The comparison is the one the round trip
 * test makes (leaf by leaf, `normalisedLeaf`): text trimmed, dates in either order read as dates,
 * base64 without its line breaks. Paths are the parser's (`/edXML/edXMLEnvelope/.../To[2]`).
 */
import { readEdxmlDate } from './dates.ts';
import type { XmlElement } from './tree.ts';
import { EDXML_NAMESPACE, type XmlOut } from './xml-writer.ts';

/** An element the mapping does not model, as JSON: `name` as it is written (`edXML:Direction`, `Signature`). */
export interface XmlNode {
  readonly name: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly text?: string;
  readonly children?: readonly XmlNode[];
}

export interface EdxmlLayout {
  layout?: Record<string, (string | XmlNode)[]>;
  attributes?: Record<string, Record<string, string>>;
}

/** Leaves whose text is a date (compared as dates: the writer emits yyyy/MM/dd whatever the sender wrote). */
const DATE_LEAVES = new Set(['PromulgationDate', 'DueDate']);

/** The text a leaf is compared by (here and in the corpus test). */
export function normalisedLeaf(name: string, text: string): string {
  const trimmed = text.trim();
  if (name === 'ContentTransferEncoded') return /\s/.test(trimmed) ? trimmed.replace(/\s+/g, '') : trimmed;
  if (DATE_LEAVES.has(name)) {
    try {
      return readEdxmlDate(trimmed, '') ?? trimmed;
    } catch {
      return trimmed;
    }
  }
  return trimmed;
}

/** The differences between the original package and the writer's package for the same data. */
export function recordLayout(original: XmlElement, written: XmlOut): EdxmlLayout {
  const out: Required<EdxmlLayout> = { layout: {}, attributes: {} };
  compare(original, written, out, true);
  return {
    ...(Object.keys(out.layout).length > 0 ? { layout: out.layout } : {}),
    ...(Object.keys(out.attributes).length > 0 ? { attributes: out.attributes } : {}),
  };
}

function compare(original: XmlElement, written: XmlOut, out: Required<EdxmlLayout>, isRoot: boolean): void {
  const originalAttributes = dataAttributes(original.qualifiedAttributes, isRoot);
  if (!sameRecord(originalAttributes, dataAttributes(written.attributes ?? {}, isRoot))) out.attributes[original.path] = originalAttributes;
  if (original.children.length === 0) return;
  const writtenChildren = written.children ?? [];
  const claimed = new Set<number>();
  const entries: (string | XmlNode)[] = [];
  let changed = false;
  for (const child of original.children) {
    const at = writtenChildren.findIndex((w, i) => !claimed.has(i) && localOf(w.name) === child.name);
    const candidate = at === -1 ? undefined : writtenChildren[at];
    if (candidate && matches(child, candidate)) {
      claimed.add(at);
      entries.push(child.name);
      compare(child, candidate, out, false);
    } else {
      entries.push(toNode(child, false));
      changed = true;
    }
  }
  if (claimed.size !== writtenChildren.length) changed = true;
  // The writer's children in its order, against the names kept in the original's order.
  const keptNames = entries.filter((e): e is string => typeof e === 'string');
  const writerNames = writtenChildren.filter((_, i) => claimed.has(i)).map((w) => localOf(w.name));
  if (keptNames.join('\n') !== writerNames.join('\n')) changed = true;
  if (changed) out.layout[original.path] = entries;
}

function matches(original: XmlElement, written: XmlOut): boolean {
  const writtenIsLeaf = (written.children ?? []).length === 0;
  if (original.children.length === 0 && writtenIsLeaf)
    return normalisedLeaf(original.name, original.text) === normalisedLeaf(original.name, written.text ?? '');
  return true;
}

/** The writer's tree with the recorded layout and attributes applied. */
export function applyLayout(root: XmlOut, recorded: EdxmlLayout | undefined): XmlOut {
  if (!recorded?.layout && !recorded?.attributes) return root;
  return apply(root, `/${localOf(root.name)}`, recorded, true);
}

function apply(element: XmlOut, path: string, recorded: EdxmlLayout, isRoot: boolean): XmlOut {
  if (element.verbatim) return element;
  let children = element.children ?? [];
  const layout = recorded.layout?.[path];
  if (layout) {
    const pool = new Map<string, XmlOut[]>();
    for (const child of children) pool.set(localOf(child.name), [...(pool.get(localOf(child.name)) ?? []), child]);
    children = layout.flatMap((entry) => {
      if (typeof entry !== 'string') return [fromNode(entry)];
      const next = pool.get(entry)?.shift();
      return next ? [next] : [];
    });
  }
  const attributes = recorded.attributes?.[path];
  const totals = new Map<string, number>();
  for (const child of children) totals.set(localOf(child.name), (totals.get(localOf(child.name)) ?? 0) + 1);
  const seen = new Map<string, number>();
  const applied = children.map((child) => {
    const name = localOf(child.name);
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return apply(child, `${path}/${name}${(totals.get(name) ?? 0) > 1 ? `[${n}]` : ''}`, recorded, false);
  });
  const merged = attributes ? { ...namespaceDeclarations(element.attributes ?? {}, isRoot), ...attributes } : element.attributes;
  return { ...element, ...(merged ? { attributes: merged } : {}), children: applied };
}

/** The original element as a pass-through node; names in the edXML namespace get the `edXML:` prefix. */
export function toNode(element: XmlElement, foreignScope: boolean): XmlNode {
  const declared = element.qualifiedAttributes.xmlns;
  const foreign = declared !== undefined ? declared !== EDXML_NAMESPACE : foreignScope;
  const prefixed = element.qname.includes(':') && !element.qname.startsWith('edXML:');
  const name = foreign || prefixed ? element.qname : `edXML:${element.name}`;
  const attributes = Object.fromEntries(
    Object.entries(element.qualifiedAttributes).filter(([k, v]) => !(k === 'xmlns' && v === EDXML_NAMESPACE) && k !== 'xmlns:edXML'),
  );
  return {
    name,
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    ...(element.children.length === 0 && element.text !== '' ? { text: element.text } : {}),
    ...(element.children.length > 0 ? { children: element.children.map((c) => toNode(c, foreign)) } : {}),
  };
}

function fromNode(node: XmlNode): XmlOut {
  return {
    name: node.name,
    verbatim: true,
    ...(node.attributes ? { attributes: node.attributes } : {}),
    ...(node.text !== undefined ? { text: node.text } : {}),
    ...(node.children ? { children: node.children.map(fromNode) } : {}),
  };
}

/** Attributes that carry data: namespace declarations left out, except on the root the sender's own (xsi, ...). */
function dataAttributes(attributes: Readonly<Record<string, string>>, isRoot: boolean): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).filter(([k, v]) => (k === 'xmlns' || k.startsWith('xmlns:') ? isRoot && keptDeclaration(k, v) : true)));
}

function namespaceDeclarations(attributes: Readonly<Record<string, string>>, isRoot: boolean): Record<string, string> {
  return isRoot ? Object.fromEntries(Object.entries(attributes).filter(([k]) => k.startsWith('xmlns'))) : {};
}

/** The writer declares edXML and xlink itself; a sender's other prefixes (xsi, xsd, ds) are kept on the root. */
function keptDeclaration(name: string, value: string): boolean {
  return name !== 'xmlns' && value !== EDXML_NAMESPACE && name !== 'xmlns:xlink';
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

export function localOf(name: string): string {
  const local = name.slice(name.indexOf(':') + 1);
  return local.startsWith('Business') ? `Bussiness${local.slice('Business'.length)}` : local;
}
