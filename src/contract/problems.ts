/**
 * The error catalogue: every error the HTTP API answers, as a closed set of codes, each mapped
 * once to its HTTP status and RFC 9457 problem `type` (https://lgsp-hub.dev/problems/<name>).
 * `docs/problems.md` documents each; a test checks the two agree both ways.
 */
import type { ValidationIssue } from './schema-set.ts';

export const PROBLEMS = {
  'malformed-json': { status: 400, title: 'The body is not valid JSON' },
  'unsupported-media-type': { status: 415, title: 'Unsupported content type' },
  'body-too-large': { status: 413, title: 'The body is larger than the hub accepts' },
  'batch-too-large': { status: 413, title: 'The batch has more events than the hub accepts' },
  'validation-failed': { status: 422, title: 'The message does not match its schema' },
  'unknown-message-type': { status: 422, title: 'Unknown message type' },
  'unknown-recipient': { status: 422, title: 'A recipient is not in the agency directory' },
  unauthenticated: { status: 401, title: 'Missing or wrong credentials' },
  'source-not-allowed': { status: 403, title: 'The connector may not send as this source' },
  forbidden: { status: 403, title: 'This credential may not do that' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'It exists already' },
  'decode-failed': { status: 422, title: "The connector's native payload could not be decoded" },
  'kafka-unavailable': { status: 503, title: 'Kafka is unavailable; nothing was written' },
  internal: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

export const PROBLEM_BASE_URI = 'https://lgsp-hub.dev/problems/';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: ValidationIssue[];
  [extension: string]: unknown;
}

/** An error the API answers as problem+json. `retriable` tells a client that trying again may work. */
export class HubError extends Error {
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    detail: string,
    readonly extra: { errors?: ValidationIssue[]; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(detail, { cause: extra.cause });
    this.name = 'HubError';
    this.status = PROBLEMS[code].status;
  }

  get retriable(): boolean {
    return this.status === 503;
  }

  toProblem(instance?: string): ProblemDetails {
    return {
      type: `${PROBLEM_BASE_URI}${this.code}`,
      title: PROBLEMS[this.code].title,
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...(this.extra.errors ? { errors: this.extra.errors } : {}),
    };
  }
}
