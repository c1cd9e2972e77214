/**
 * The agency directory: an immutable in-memory tree of `AgencyRecord`s (SPEC §1 "Agency"). The
 * hierarchy is data: any depth, the four-level tree of older directories (province → district →
 * commune, departments and their units) and the post-2025 two-tier tree (province → commune)
 * alike. Routing resolves the `parent`, `children`, `subtree` and `national` selectors with it.
 *
 * Parent of a record: its explicit `parent` wins; else the parent derived from its code
 * (`derivedParent`); a level-1 body (`000.00.00.X00`) without an explicit parent hangs under the
 * national node, which is the single `central` level-1 record without an explicit parent, if
 * there is exactly one such record (else level-1 bodies are roots). A parent in another province
 * is possible only explicitly (derived parents never leave the province).
 *
 * The directory never changes: `with` builds a new one (O(n)), which the registry swaps in.
 */
import { LgspError } from '../contract/errors.ts';
import type { AgencyLevel, AgencyRecord, ValidationIssue } from '../contract/schema-set.ts';
import { checkAgencyCode, derivedParent } from './agency-code.ts';

/**
 * Thrown by `AgencyDirectory.from` and `with` when the records do not form a tree. `problems`
 * lists every problem, each at a JSON Pointer into the records given (`/3/parent`): malformed
 * code or parent, duplicate code, unknown explicit parent, parent neither given nor derivable
 * (or derived but absent), cycle. Answer it as a validation problem with `problems` as `errors`.
 */
export class DirectoryError extends LgspError<'agency-directory-invalid'> {
  readonly problems: readonly ValidationIssue[];

  constructor(problems: readonly ValidationIssue[]) {
    super('agency-directory-invalid', `Invalid agency directory:\n  ${problems.map((p) => `${p.path}: ${p.message}`).join('\n  ')}`);
    this.problems = problems;
  }
}

interface Node {
  readonly record: AgencyRecord;
  readonly parent: string | null;
  readonly children: AgencyRecord[];
}

/** A record and its position in the caller's input (undefined: kept from the previous directory). */
interface Entry {
  readonly record: AgencyRecord;
  readonly index: number | undefined;
}

const NONE: readonly AgencyRecord[] = Object.freeze([]);
const NOT_DERIVABLE = (code: string): string => `"${code}" has a non-zero group below a zero group, so its parent cannot be derived from the code`;

interface Tree {
  readonly nodes: ReadonlyMap<string, Node>;
  readonly records: readonly AgencyRecord[];
  readonly roots: readonly AgencyRecord[];
  readonly national: AgencyRecord | undefined;
}

export class AgencyDirectory {
  private readonly nodes: ReadonlyMap<string, Node>;
  private readonly records: readonly AgencyRecord[];
  private readonly rootRecords: readonly AgencyRecord[];
  /** The national node (the single root `central` body: the `national` selector), if any. */
  readonly national: AgencyRecord | undefined;

  private constructor(tree: Tree) {
    this.nodes = tree.nodes;
    this.records = tree.records;
    this.rootRecords = tree.roots;
    this.national = tree.national;
    Object.freeze(this);
  }

  /**
   * Builds a directory from a whole set of records (loaded from a file, the compacted registry
   * topic, or an import), after `SchemaSet.validateAgency` accepted each. Throws
   * `DirectoryError` with every problem, paths indexed into `records`.
   */
  static from(records: readonly AgencyRecord[]): AgencyDirectory {
    return new AgencyDirectory(build(records.map((record, index) => ({ record, index }))));
  }

  /**
   * A new directory with `records` upserted by code (replaced in place, new ones appended); this
   * one is unchanged. Throws `DirectoryError` with paths indexed into `records` (a change can
   * break the tree only through the records it brings).
   */
  with(records: readonly AgencyRecord[]): AgencyDirectory {
    const batch = new Map<string, number>();
    const problems: ValidationIssue[] = [];
    records.forEach((record, index) => {
      const first = batch.get(record.code);
      if (first === undefined) batch.set(record.code, index);
      else problems.push({ path: `/${index}/code`, message: `duplicate code "${record.code}" (also at /${first})` });
    });
    if (problems.length > 0) throw new DirectoryError(problems);
    const entries: Entry[] = this.records.map((record) => {
      const index = batch.get(record.code);
      return index === undefined ? { record, index } : { record: records[index] ?? record, index };
    });
    records.forEach((record, index) => {
      if (!this.nodes.has(record.code)) entries.push({ record, index });
    });
    return new AgencyDirectory(build(entries));
  }

  get size(): number {
    return this.records.length;
  }

  has(code: string): boolean {
    return this.nodes.has(code);
  }

  get(code: string): AgencyRecord | undefined {
    return this.nodes.get(code)?.record;
  }

  levelOf(code: string): AgencyLevel | undefined {
    return this.nodes.get(code)?.record.level;
  }

  /** The parent, explicit or derived; undefined for a root or an unknown code. */
  parentOf(code: string): AgencyRecord | undefined {
    const parent = this.nodes.get(code)?.parent;
    return parent ? this.nodes.get(parent)?.record : undefined;
  }

  /** Direct children in directory order; empty for a leaf or an unknown code. */
  childrenOf(code: string): readonly AgencyRecord[] {
    return this.nodes.get(code)?.children ?? NONE;
  }

  /** Every descendant at any depth (breadth first), without `code` itself. */
  subtreeOf(code: string): readonly AgencyRecord[] {
    const out: AgencyRecord[] = [...this.childrenOf(code)];
    for (let i = 0; i < out.length; i++) out.push(...this.childrenOf(out[i]?.code ?? ''));
    return Object.freeze(out);
  }

  /** Parent, grandparent, ... up to a root (nearest first); empty for a root or an unknown code. */
  ancestorsOf(code: string): readonly AgencyRecord[] {
    const out: AgencyRecord[] = [];
    for (let p = this.parentOf(code); p; p = this.parentOf(p.code)) out.push(p);
    return Object.freeze(out);
  }

  /** Records without a parent: the national node, or each level-1 body when there is none. */
  roots(): readonly AgencyRecord[] {
    return this.rootRecords;
  }

  /** Every record, in directory order (input order; upserts keep their place). */
  all(): readonly AgencyRecord[] {
    return this.records;
  }
}

/** Checks `entries` as a whole and links them; throws `DirectoryError` listing every problem. */
function build(entries: readonly Entry[]): Tree {
  const problems: { order: number; issue: ValidationIssue }[] = [];
  const report = (entry: Entry, field: 'code' | 'parent', message: string): void => {
    const at = entry.index ?? entry.record.code; // kept records cannot break the tree: defensive
    problems.push({ order: entry.index ?? Infinity, issue: { path: `/${at}/${field}`, message } });
  };

  // 1. Index by code: malformed and duplicate codes.
  const byCode = new Map<string, Entry>();
  const valid: Entry[] = [];
  for (const entry of entries) {
    const { code } = entry.record;
    const first = byCode.get(code);
    if (first) {
      report(entry, 'code', `duplicate code "${code}" (also at /${first.index ?? code})`);
      continue;
    }
    byCode.set(code, entry);
    const bad = checkAgencyCode(code);
    if (bad) report(entry, 'code', bad);
    else valid.push(entry);
  }

  // 2. The national node, then each record's parent.
  const centralRoots = valid.filter(({ record }) => record.level === 'central' && record.parent === undefined && derivedParent(record.code) === null);
  const national = centralRoots.length === 1 ? centralRoots[0]?.record : undefined;
  const parents = new Map<string, string | null>();
  for (const entry of valid) {
    const { code, parent } = entry.record;
    if (parent !== undefined) {
      const bad = checkAgencyCode(parent);
      if (bad) report(entry, 'parent', bad);
      else if (!byCode.has(parent)) report(entry, 'parent', `unknown parent "${parent}": not in the directory`);
      else parents.set(code, parent);
      continue;
    }
    const derived = derivedParent(code);
    if (derived === null) parents.set(code, national && national.code !== code ? national.code : null);
    else if (derived === undefined) report(entry, 'parent', `is required: ${NOT_DERIVABLE(code)}`);
    else if (!byCode.has(derived)) report(entry, 'parent', `is required: the parent derived from the code, "${derived}", is not in the directory`);
    else parents.set(code, derived);
  }

  // 3. Cycles (only explicit parents can make one): walk up from each record once.
  const state = new Map<string, 'walking' | 'done'>();
  for (const start of parents.keys()) {
    const path: string[] = [];
    let code: string | null | undefined = start;
    while (code && !state.has(code) && parents.has(code)) {
      state.set(code, 'walking');
      path.push(code);
      code = parents.get(code);
    }
    if (code && state.get(code) === 'walking') {
      const cycle = path.slice(path.indexOf(code));
      const members = cycle.map((c) => byCode.get(c)).filter((e): e is Entry => e !== undefined);
      const at = members.reduce((a, b) => ((b.index ?? Infinity) < (a.index ?? Infinity) ? b : a));
      const from = cycle.indexOf(at.record.code);
      const loop = [...cycle.slice(from), ...cycle.slice(0, from), at.record.code];
      report(at, 'parent', `cycle: ${loop.join(' → ')}`);
    }
    for (const c of path) state.set(c, 'done');
  }

  if (problems.length > 0) {
    throw new DirectoryError(problems.sort((a, b) => a.order - b.order).map((p) => p.issue));
  }

  // 4. The tree.
  const nodes = new Map<string, Node>();
  const records: AgencyRecord[] = [];
  const roots: AgencyRecord[] = [];
  for (const { record } of entries) {
    const { code, name, level, parent } = record;
    const frozen: AgencyRecord = Object.freeze(parent === undefined ? { code, name, level } : { code, name, level, parent });
    records.push(frozen);
    nodes.set(code, { record: frozen, parent: parents.get(code) ?? null, children: [] });
  }
  for (const record of records) {
    const parent = nodes.get(record.code)?.parent;
    if (parent) nodes.get(parent)?.children.push(record);
    else roots.push(record);
  }
  for (const node of nodes.values()) Object.freeze(node.children);
  const nationalRecord = national ? nodes.get(national.code)?.record : undefined;
  return { nodes, records: Object.freeze(records), roots: Object.freeze(roots), national: nationalRecord };
}
