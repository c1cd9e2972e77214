/**
 * The problem catalogue: every error the HTTP API answers, as a closed set of codes, each declared
 * once with its HTTP status, title, and whether trying again may work. A code is also the RFC 9457
 * problem `type` (https://lgsp-hub.dev/problems/<code>). `docs/problems.md` documents each; a test
 * checks the two agree both ways. Where errors become problems: `src/http/problem-handler.ts`.
 */
import { LgspError } from './errors.ts';
import type { ValidationIssue } from './schema-set.ts';

interface ProblemSpec {
  readonly status: number;
  readonly title: string;
  /** True when the same request may succeed later, unchanged. */
  readonly retriable: boolean;
}

export const PROBLEMS = {
  'malformed-json': { status: 400, title: 'The body is not valid JSON', retriable: false },
  'malformed-request': { status: 400, title: 'The request is malformed', retriable: false },
  'malformed-body': { status: 400, title: 'The body is not valid text in its charset', retriable: false },
  'headers-too-large': { status: 431, title: 'The request headers are larger than the hub accepts', retriable: false },
  'request-timeout': { status: 408, title: 'The request was not received in time', retriable: true },
  'expectation-failed': { status: 417, title: 'The Expect header is not supported', retriable: false },
  'unsupported-media-type': { status: 415, title: 'Unsupported content type', retriable: false },
  'unsupported-encoding': { status: 415, title: 'Unsupported content encoding', retriable: false },
  'body-too-large': { status: 413, title: 'The body is larger than the hub accepts', retriable: false },
  'body-too-deep': { status: 413, title: 'The body nests deeper than the hub accepts', retriable: false },
  'batch-too-large': { status: 413, title: 'The batch has more events than the hub accepts', retriable: false },
  'validation-failed': { status: 422, title: 'The message does not match its schema', retriable: false },
  'unknown-message-type': { status: 422, title: 'Unknown message type', retriable: false },
  'unknown-recipient': { status: 422, title: 'A recipient is not in the agency directory', retriable: false },
  unauthenticated: { status: 401, title: 'Missing or wrong credentials', retriable: false },
  'bad-signature': { status: 401, title: 'The request signature is missing, wrong, stale or replayed', retriable: false },
  'source-not-allowed': { status: 403, title: 'The connector may not send as this source', retriable: false },
  'send-not-allowed': { status: 403, title: 'The sending rights do not allow this message', retriable: false },
  forbidden: { status: 403, title: 'This credential may not do that', retriable: false },
  'rate-limited': { status: 429, title: 'Too many requests from this connector', retriable: true },
  'not-found': { status: 404, title: 'Not found', retriable: false },
  conflict: { status: 409, title: 'It exists already', retriable: false },
  'service-not-granted': { status: 403, title: 'No grant lets this connector call this service for this purpose', retriable: false },
  'service-quota-exceeded': { status: 429, title: "The grant's call quota is used up for now", retriable: true },
  'provider-unavailable': { status: 503, title: "The service's provider cannot be reached now", retriable: true },
  'provider-timeout': { status: 504, title: "The service's provider did not answer in time", retriable: true },
  'provider-answer-too-large': { status: 502, title: "The service's provider answered more than the hub passes on", retriable: false },
  'decode-failed': { status: 422, title: "The connector's native payload could not be decoded", retriable: false },
  'kafka-unavailable': { status: 503, title: 'Kafka did not acknowledge the write', retriable: true },
  internal: { status: 500, title: 'Internal error', retriable: false },
} as const satisfies Record<string, ProblemSpec>;

export type ProblemCode = keyof typeof PROBLEMS;

export const PROBLEM_CODES = Object.keys(PROBLEMS) as readonly ProblemCode[];

export const PROBLEM_BASE_URI = 'https://lgsp-hub.dev/problems/';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: ValidationIssue[];
  [extension: string]: unknown;
}

export interface HubErrorExtra {
  /** The failing fields, as JSON Pointers (validation problems). */
  readonly errors?: ValidationIssue[];
  /** Sent as `Retry-After`. */
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

/** An error the API answers as problem+json; `code` is its problem type, `retriable` from `PROBLEMS`. */
export class HubError extends LgspError<ProblemCode> {
  readonly status: number;
  readonly extra: HubErrorExtra;

  constructor(code: ProblemCode, detail: string, extra: HubErrorExtra = {}) {
    super(code, detail, { cause: extra.cause, retriable: PROBLEMS[code].retriable });
    this.extra = extra;
    this.status = PROBLEMS[code].status;
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
