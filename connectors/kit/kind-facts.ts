/**
 * What a connector kind declares about itself besides its capabilities: the fact fields of
 * `ConnectorAdapter` (`naturalTypes`, `statusNames`, `simulator`, `conformance`), and the helpers
 * the shared code reads them with. The shared code never names a kind: the conformance kit and its
 * suite, the router and the docs read these facts from the registered kinds (`connectors/index.ts`),
 * so adding a kind is its folder plus one line there, and never an edit here.
 */
import type { SchemaSet } from '../../src/contract/schema-set.ts';
import type { ConnectorAdapter } from './adapter.ts';

/** A message type (`vn.gov.dossier.status`), or every type under a prefix (`vn.gov.document.*`). */
export type TypePattern = string;

/**
 * Names of business status codes, per message type, as the kind's system (its standard) names
 * them: `{ 'vn.gov.document.status': { '03': 'Đã tiếp nhận', … } }`.
 */
export type StatusNames = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Ways a simulated system breaks the contract on purpose, for the conformance kit's own tests. */
export interface Misbehaviour {
  /** Answer 2xx to data that breaks its schema (instead of a 4xx). */
  readonly acceptPoison?: boolean;
  /** Answer an error to a repeated `Idempotency-Key` (instead of 2xx). */
  readonly failDuplicates?: boolean;
}

/** A started simulator of the kind's agency system, as the shared conformance suite drives it. */
export interface ConformanceTarget {
  /** The manifest `endpoint` for a kind that delivers to one. */
  readonly endpoint?: string;
  /** Manifest `settings` that point at the simulator (its URL, its test credentials). */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Replaces the misbehaviour; `{}` behaves again. */
  misbehave(modes: Misbehaviour): void;
  close(): Promise<void>;
}

export interface SimulatorOptions {
  /** The signing key of the connector the simulator is registered as (`signingKeyOf(token)`): a kind that verifies signatures checks with it. */
  readonly signingKey: string;
  /** For validating `data` as an agency system would. */
  readonly schemas: SchemaSet;
}

/**
 * Starts the kind's simulator on 127.0.0.1, any free port. Import the simulator inside the factory
 * (`await import('./simulator.ts')`): the hub loads adapters, and must not load test servers.
 */
export type SimulatorFactory = (options: SimulatorOptions) => Promise<ConformanceTarget>;

/** How the shared conformance suite (`conformance-suite.ts`) holds the kind to the kit's checks. */
export interface ConformanceProfile {
  /**
   * Natural types whose golden messages the kind cannot deliver yet, each with why: the suite
   * subscribes to the other natural types, and checks that these fail `golden/<type>` with an
   * encode refusal (so a gap that closes is noticed and removed from here).
   */
  readonly gaps?: Readonly<Record<string, string>>;
}

/** Whether `type` matches `pattern` (`vn.gov.document.*` matches every `vn.gov.document.` type). */
export function typeMatches(pattern: TypePattern, type: string): boolean {
  return pattern.endsWith('.*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern;
}

/** The types of `all` (the schema set's `messageTypes`) the kind carries by nature: every one when it declares none. */
export function naturalTypesOf(adapter: ConnectorAdapter, all: readonly string[]): string[] {
  const patterns = adapter.naturalTypes;
  return patterns === undefined ? [...all] : all.filter((type) => patterns.some((p) => typeMatches(p, type)));
}

/** The name of status `code` of message `type` in the first of `kinds` that names it, if any. */
export function statusNameOf(kinds: Iterable<ConnectorAdapter>, type: string, code: string): string | undefined {
  for (const kind of kinds) {
    const names = kind.statusNames?.[type];
    if (names && Object.hasOwn(names, code)) return names[code];
  }
  return undefined;
}
