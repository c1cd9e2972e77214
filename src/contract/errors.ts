/**
 * The one error base of the hub (after platformatic/kafka's `errors.ts`): every error the hub
 * throws on purpose is an `LgspError` with a stable kebab-case `code` from a closed list and a
 * `retriable` flag. Callers branch on `code` (or on the subclass), never on message text.
 *
 * Each area declares its own closed code list beside its code (`as const`), so a kind's codes live
 * in its folder; this module holds the base and the hub's own codes. The HTTP face of an error is
 * one table too: `src/contract/problems.ts` maps problem codes to status and title.
 */

/** The hub's own error codes outside the HTTP catalogue (the catalogue's codes are `ProblemCode`). */
export const HUB_ERROR_CODES = [
  /** An environment variable is missing or malformed (exit 78). */
  'config-invalid',
  /** The configured brokers did not answer at start (exit 69). */
  'kafka-unreachable',
  /** The local development broker could not be provisioned or started. */
  'local-broker-failed',
  /** The agency records do not form a tree (`DirectoryError`). */
  'agency-directory-invalid',
  /** A JSON Schema of the contract failed to load or compile at start. */
  'schema-load-failed',
] as const;

export type HubErrorCode = (typeof HUB_ERROR_CODES)[number];

export interface LgspErrorOptions {
  readonly cause?: unknown;
  /** True when the same operation may succeed if tried again later; default false. */
  readonly retriable?: boolean;
}

/** The base of every deliberate error: a closed `code`, `retriable`, and the cause kept. */
export class LgspError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly retriable: boolean;

  constructor(code: Code, message: string, options: LgspErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** True for an `LgspError` (of any area) whose operation may succeed when tried again. */
export function isRetriable(err: unknown): boolean {
  return err instanceof LgspError && err.retriable;
}
