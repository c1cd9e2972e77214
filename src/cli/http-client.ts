/**
 * The hub's HTTP API as the command-line tools call it. A 2xx resolves with the parsed body; every
 * other outcome rejects with a `CliFailure` whose exit code says whose move it is:
 * - the hub refused (4xx): exit 1, the problem+json printed as `<title>: <detail>` and each
 *   `errors[].path: message`, with the next step for that problem type (docs/problems.md);
 * - the hub cannot be reached, timed out or failed (5xx): exit 3.
 *
 * The address comes from `--hub`, else `LGSP_HUB_URL`, else `DEFAULT_HUB_URL`.
 */
import axios, { isAxiosError } from 'axios';
import { CliFailure, EXIT } from './output.ts';

export const DEFAULT_HUB_URL = 'http://127.0.0.1:8080';

/** The hub's base URL without a trailing slash: `flag` (`--hub`), else `LGSP_HUB_URL`, else the default. */
export function hubUrlOf(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  return (flag ?? env.LGSP_HUB_URL ?? DEFAULT_HUB_URL).replace(/\/+$/, '');
}

/** Whose token a request carries: it decides the hint when the hub answers `unauthenticated`. */
export interface Credential {
  readonly token: string;
  /** Where the token came from, named in hints: "LGSP_ADMIN_TOKEN", "--token or LGSP_CONNECTOR_TOKEN". */
  readonly from: string;
  readonly role: 'operator' | 'connector';
}

export interface HubRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path from the root, e.g. `/v1/connectors/qn-stp-eoffice`. */
  readonly path: string;
  /** Absent for public routes (`/.well-known/jwks.json`). */
  readonly credential?: Credential;
  /** Undefined values are left out. */
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** Sent as is when a string, else as JSON. */
  readonly body?: unknown;
  readonly contentType?: string;
  /** Next steps by problem name that are better than the generic ones, e.g. for `not-found`. */
  readonly hints?: Readonly<Partial<Record<string, string>>>;
}

interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly detail?: string;
  readonly errors?: readonly { readonly path?: string; readonly message?: string }[];
}

/** docs/problems.md, "what to do", as the user of `lgsp` does it. */
const NEXT_STEP: Readonly<Record<string, string>> = {
  'malformed-json': 'fix the JSON of the file (the detail gives the position).',
  'unsupported-media-type': 'give a .json file (one event or an array of events), or .json / .csv for agencies.',
  'body-too-large': 'send attachments by reference (href) or split the batch.',
  'batch-too-large': 'split the batch into several files.',
  'validation-failed': 'fix each path listed above; nothing was written.',
  'unknown-message-type': 'use a known message type, or add its schema to the hub.',
  'unknown-recipient': 'fix "to", or load the agency first (lgsp agencies import <file>).',
  'source-not-allowed': 'send as your own agency: "source" must be urn:lgsp:agency:<the connector\'s agency>.',
  forbidden: "the detail names what is needed: use that connector's own token, or ask an admin for the role (lgsp operators set-role).",
  'not-found': 'check the id or the path (the list commands show what exists).',
  conflict: 'choose another id, or change the registered one through PUT /v1/connectors/<id>.',
  'decode-failed': 'fix the payload at the path above.',
  'kafka-unavailable': 'run the same command again in a few seconds (a message sent again with the same id is delivered once).',
  internal: "the hub logged it; report it to the hub's operators with the time of the request.",
};

const TIMEOUT_MS = 30_000;

export class HubClient {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  /** Resolves with the body of a 2xx answer (undefined for 204); rejects with a `CliFailure` otherwise. */
  async request<T>(req: HubRequest): Promise<T> {
    const what = `${req.method} ${req.path}`;
    let res;
    try {
      res = await axios.request<string>({
        method: req.method,
        url: `${this.baseUrl}${req.path}`,
        params: req.query && Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== undefined)),
        headers: {
          ...(req.credential ? { authorization: `Bearer ${req.credential.token}` } : {}),
          accept: 'application/json, application/problem+json',
          ...(req.body === undefined ? {} : { 'content-type': req.contentType ?? 'application/json' }),
        },
        data: req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body),
        responseType: 'text',
        transformResponse: (data: unknown) => data,
        validateStatus: () => true,
        timeout: TIMEOUT_MS,
        maxRedirects: 0,
      });
    } catch (err) {
      const cause = isAxiosError(err)
        ? err.code === 'ECONNABORTED'
          ? `no answer within ${TIMEOUT_MS / 1000} s`
          : (err.code ?? err.message)
        : (err as Error).message;
      throw new CliFailure(
        EXIT.unavailable,
        [`cannot reach the hub at ${this.baseUrl} (${cause})`],
        'start the hub (npm start), or point --hub / LGSP_HUB_URL at it.',
      );
    }
    const body = parseBody(res.data);
    if (res.status >= 200 && res.status < 300) {
      if (res.status !== 204 && body === undefined && res.data)
        throw new CliFailure(
          EXIT.unavailable,
          [`the hub answered ${what} with something that is not JSON: ${res.data.slice(0, 200)}`],
          `check that ${this.baseUrl} is an lgsp-hub.`,
        );
      return body as T;
    }
    const exitCode = res.status >= 500 ? EXIT.unavailable : EXIT.refused;
    const retryAfter = res.headers['retry-after'] as string | undefined;
    throw new CliFailure(exitCode, problemLines(res.status, what, body, res.data), this.hint(res.status, body, req, retryAfter));
  }

  private hint(status: number, body: unknown, req: HubRequest, retryAfter: string | undefined): string {
    const name = problemName(body);
    if (name && req.hints?.[name]) return req.hints[name]!;
    if (status === 401 || name === 'unauthenticated') {
      return req.credential?.role === 'operator'
        ? `set LGSP_ADMIN_TOKEN to your operator token for the hub at ${this.baseUrl} (an admin issues one: lgsp operators create or rotate).`
        : `pass the connector's token (${req.credential?.from ?? '--token or LGSP_CONNECTOR_TOKEN'}); an operator can issue a new one with: lgsp connectors rotate <id>.`;
    }
    if (name === 'kafka-unavailable' && retryAfter)
      return `run the same command again after ${retryAfter} s (a message sent again with the same id is delivered once).`;
    if (name && NEXT_STEP[name]) return NEXT_STEP[name]!;
    return status >= 500
      ? `the hub failed (HTTP ${status}); try again, and if it persists ask its operators (they have the log).`
      : `the hub refused ${req.method} ${req.path} (HTTP ${status}); check the command's arguments.`;
  }
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `https://lgsp-hub.dev/problems/not-found` → `not-found`. */
function problemName(body: unknown): string | undefined {
  const type = (body as Problem | undefined)?.type;
  return typeof type === 'string' ? type.split('/').pop() : undefined;
}

/** `<title>: <detail>`, then `<path>: <message>` per error; a body that is not a problem is quoted. */
function problemLines(status: number, what: string, body: unknown, raw: string): string[] {
  const p = (typeof body === 'object' && body !== null ? body : {}) as Problem;
  if (typeof p.title !== 'string' && typeof p.detail !== 'string') {
    return [`the hub answered ${what} with HTTP ${status}${raw ? `: ${raw.replace(/\s+/g, ' ').slice(0, 300)}` : ''}`];
  }
  const head = [p.title, p.detail].filter((s): s is string => typeof s === 'string' && s.length > 0).join(': ');
  const errors = Array.isArray(p.errors) ? p.errors.map((e) => `${e.path || '(body)'}: ${e.message ?? ''}`) : [];
  return [head, ...errors];
}
