/**
 * A data-sharing call through the hub (SPEC §3, docs/services.md "Calls"), X-Road's security
 * server in small: the consumer connector names the officer and the purpose; the hub checks the
 * grant, the grant's quota and the service's request schema, forwards the request to the provider
 * through its breaker (`provider-lanes.ts`) with the hub's signature, and passes the answer on.
 * Every call of a known service, refused or answered, leaves one record on `lgsp.service-calls`
 * before its answer goes out (`call-log.ts`); a call that cannot be recorded is not answered.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { REQUEST_HEADER, signatureHeaders } from '../../connectors/kit/signature.ts';
import type { TransportRequest } from '../../connectors/kit/transport.ts';
import { sha256Hex } from '../contract/hub-signature.ts';
import { HubError, type ProblemCode } from '../contract/problems.ts';
import type { ValidationIssue } from '../contract/schema-set.ts';
import { problemHeaders } from '../http/problem-handler.ts';
import { parseJsonBody } from '../http/request-input.ts';
import { TokenBuckets } from '../http/rate-limits.ts';
import type { Reply } from '../http/route.ts';
import type { ConnectorIdentity } from '../registry/connector-credentials.ts';
import type { ConnectorEntry, RegistryStore } from '../registry/registry-store.ts';
import type { CallLog } from './call-log.ts';
import type { ProviderLanes, ProviderResult } from './provider-lanes.ts';
import type { ServiceMetrics } from './service-metrics.ts';
import { CALL_OUTCOMES, OfficerSchema, PurposeSchema, type CallOutcome, type CallRecord, type StoredGrant, type StoredService } from './service-record.ts';

/** The headers a consumer sends with each call, and the hub adds towards the provider. */
export const CALL_HEADERS = {
  officer: 'x-lgsp-officer',
  purpose: 'x-lgsp-purpose',
  callId: 'x-lgsp-call-id',
  consumer: 'x-lgsp-consumer',
  consumerAgency: 'x-lgsp-consumer-agency',
  service: 'x-lgsp-service',
  grant: 'x-lgsp-grant',
} as const;

/** A provider's answer headers passed on to the consumer (never its cookies, hop-by-hop or location headers). */
const PASSED_ON_HEADERS = ['content-language', 'retry-after', 'cache-control'] as const;
/** The consumer's request headers passed on to the provider (never its credentials). */
const FORWARDED_HEADERS = ['content-type', 'accept', 'accept-language'] as const;
/** The methods whose calls carry a body (HTTP gives GET and DELETE bodies no meaning): the route reads one, the request schema checks it. */
export const METHODS_WITH_BODY: readonly CallRequest['method'][] = ['POST', 'PUT', 'PATCH'];
/** How long a consumer waits before retrying a provider that refused the connection. */
const CONNECTION_RETRY_SECONDS = 5;

/** What the call path asks of the catalogue (`catalogue.ts`). */
export interface ServiceGrants {
  grantFor(
    service: string,
    consumer: { readonly id: string; readonly agency: string },
    purpose: string,
    now: Date,
  ): { grant: StoredGrant } | { refused: string };
  requestCheck(service: StoredService): ((body: unknown) => ValidationIssue[]) | undefined;
}

export interface ServiceCallParts {
  readonly registry: Pick<RegistryStore, 'service' | 'connector'>;
  readonly grants: ServiceGrants;
  readonly lanes: Pick<ProviderLanes, 'call'>;
  readonly log: Pick<CallLog, 'record' | 'assertWritable'>;
  readonly metrics: ServiceMetrics;
  /** LGSP_SERVICE_TIMEOUT, for services that set no `timeoutMs`. */
  readonly defaultTimeoutMs: number;
  /** LGSP_SERVICE_MAX_RESPONSE_BYTES, for the detail of an oversized answer. */
  readonly maxResponseBytes: number;
  /** LGSP_MAX_JSON_DEPTH, for bodies the request schema checks. */
  readonly maxJsonDepth: number;
}

export interface CallRequest {
  readonly consumer: ConnectorIdentity;
  readonly service: string;
  /** The path under the service, percent-encoded per segment, without a leading `/`. */
  readonly path: string;
  readonly rawQuery: string;
  readonly method: TransportRequest['method'];
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly mediaType: string | undefined;
}

/** How an attempt ended: what the consumer gets, and what the log says of it. */
interface Ending {
  readonly outcome: CallOutcome;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly type: string;
  readonly grant?: string;
  readonly providerStatus?: number;
}

export class ServiceCalls {
  private readonly parts: ServiceCallParts;
  private readonly quotas = new TokenBuckets();

  constructor(parts: ServiceCallParts) {
    this.parts = parts;
  }

  /** Throws `not-found` (unknown service) and `kafka-unavailable` (nothing recorded, nothing answered); every other ending is recorded and answered. */
  async call(request: CallRequest): Promise<Reply> {
    const started = performance.now();
    const service = this.parts.registry.service(request.service);
    if (!service) throw new HubError('not-found', `No data-sharing service "${request.service}"; GET /v1/services lists the catalogue.`);
    this.parts.log.assertWritable();
    const id = randomUUID();
    const officer = single(request.headers[CALL_HEADERS.officer]) ?? '';
    const purpose = single(request.headers[CALL_HEADERS.purpose]) ?? '';
    const ending = await this.attempt(service, request, id, officer, purpose).catch((err: unknown) => refusal(err, request));
    const path = `/${request.path}${request.rawQuery ? `?${request.rawQuery}` : ''}`;
    const record: CallRecord = {
      id,
      time: new Date().toISOString(),
      service: service.id,
      serviceVersion: service.version,
      provider: service.provider,
      consumer: request.consumer.id,
      consumerAgency: request.consumer.agency,
      officer,
      purpose,
      ...(ending.grant ? { grant: ending.grant } : {}),
      method: request.method,
      path,
      status: ending.status,
      outcome: ending.outcome,
      ...(ending.providerStatus === undefined ? {} : { providerStatus: ending.providerStatus }),
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
      requestBytes: request.body.length,
      responseBytes: ending.body.length,
      requestSha256: sha256Hex(request.body),
      responseSha256: sha256Hex(ending.body),
      ...(service.logBodies ? { requestBody: request.body.toString('base64'), responseBody: ending.body.toString('base64') } : {}),
    };
    await this.parts.log.record(record);
    this.parts.metrics.observe(service.id, request.consumer.id, ending.outcome, (performance.now() - started) / 1000);
    return { status: ending.status, headers: { ...ending.headers, [CALL_HEADERS.callId]: id }, body: ending.body, type: ending.type };
  }

  private async attempt(service: StoredService, request: CallRequest, id: string, officer: string, purpose: string): Promise<Ending> {
    checkCallHeaders(officer, purpose);
    const granted = this.parts.grants.grantFor(service.id, request.consumer, purpose, new Date());
    if ('refused' in granted) {
      throw new HubError(
        'service-not-granted',
        `Connector "${request.consumer.id}" (agency ${request.consumer.agency}) may not call "${service.id}" for the purpose "${purpose}": ${granted.refused} An operator grants access: lgsp services grant ${service.id} --consumer ${request.consumer.id} --purpose ${purpose}.`,
      );
    }
    const { grant } = granted;
    const withGrant = (ending: Ending): Ending => ({ ...ending, grant: grant.id });
    try {
      this.takeQuota(grant);
      this.checkBody(service, request);
      const provider = this.parts.registry.connector(service.provider);
      if (!provider) {
        throw new HubError(
          'provider-unavailable',
          `The provider connector "${service.provider}" of "${service.id}" is not registered; an operator registers it again (POST /v1/connectors) or moves the service.`,
          { retryAfterSeconds: 60 },
        );
      }
      const timeoutMs = service.timeoutMs ?? this.parts.defaultTimeoutMs;
      const result = await this.parts.lanes.call(provider, forwarded(service, request, provider, { id, officer, purpose, grant: grant.id }), timeoutMs);
      return withGrant(this.passOn(service, result, timeoutMs));
    } catch (err) {
      return withGrant(refusal(err, request));
    }
  }

  private takeQuota(grant: StoredGrant): void {
    if (grant.quota === undefined) return;
    const retryAfterSeconds = this.quotas.take(grant.id, grant.quota / 60, grant.quota);
    if (retryAfterSeconds === undefined) return;
    throw new HubError(
      'service-quota-exceeded',
      `The grant ${grant.id} allows ${grant.quota} call(s) a minute to "${grant.service}"; they are used up. Retry after ${retryAfterSeconds} s, or ask an operator for a larger quota.`,
      { retryAfterSeconds },
    );
  }

  /** The service's request schema, when it has one, holds for the body of a method that carries one. */
  private checkBody(service: StoredService, request: CallRequest): void {
    const check = this.parts.grants.requestCheck(service);
    if (!check || !METHODS_WITH_BODY.includes(request.method)) return;
    if (!request.mediaType || !/^application\/([\w.-]+\+)?json$/.test(request.mediaType)) {
      throw new HubError('validation-failed', `"${service.id}" takes a JSON body (its request schema); send Content-Type: application/json.`, {
        errors: [{ path: '', message: `must be application/json, not ${request.mediaType ?? 'untyped'}` }],
      });
    }
    const issues = check(parseJsonBody(request.body, single(request.headers['content-type']), this.parts.maxJsonDepth));
    if (issues.length > 0) {
      throw new HubError('validation-failed', `${issues.length} problem(s) against the request schema of "${service.id}"; see "errors".`, { errors: issues });
    }
  }

  private passOn(service: StoredService, result: ProviderResult, timeoutMs: number): Ending {
    const who = `The provider of "${service.id}" (connector ${service.provider})`;
    if ('breakerOpen' in result) {
      throw new HubError(
        'provider-unavailable',
        `${who} failed repeatedly; its circuit breaker is open and calls wait until it is tried again. Retry after ${result.retryAfterSeconds} s.`,
        { retryAfterSeconds: result.retryAfterSeconds },
      );
    }
    if ('failed' in result) {
      const { failed } = result;
      if (failed.failure === 'timeout') throw new HubError('provider-timeout', `${who} did not answer within ${timeoutMs} ms. Retry later.`);
      const why =
        'refused' in failed && failed.refused
          ? `the hub's outbound policy refuses its address (${failed.refused})`
          : `${failed.failure} failure ${failed.code}`;
      throw new HubError('provider-unavailable', `${who} could not be reached: ${why}. Retry after ${CONNECTION_RETRY_SECONDS} s.`, {
        retryAfterSeconds: CONNECTION_RETRY_SECONDS,
      });
    }
    const { answered } = result;
    if (answered.truncated) {
      throw new HubError(
        'provider-answer-too-large',
        `${who} answered more than ${this.parts.maxResponseBytes} bytes (LGSP_SERVICE_MAX_RESPONSE_BYTES); nothing of it is passed on. Ask for less (a page, fewer fields).`,
      );
    }
    const headers = Object.fromEntries(PASSED_ON_HEADERS.flatMap((name) => (answered.headers[name] === undefined ? [] : [[name, answered.headers[name]!]])));
    return {
      outcome: 'answered',
      status: answered.status,
      providerStatus: answered.status,
      headers,
      body: answered.body,
      type: answered.headers['content-type'] ?? 'application/octet-stream',
    };
  }
}

/** The request the provider gets: the consumer's method, path, query and body, the call's headers, and the hub's signature over them. */
function forwarded(
  service: StoredService,
  request: CallRequest,
  provider: ConnectorEntry,
  call: { readonly id: string; readonly officer: string; readonly purpose: string; readonly grant: string },
): TransportRequest {
  const headers: Record<string, string> = {
    [CALL_HEADERS.callId]: call.id,
    [CALL_HEADERS.officer]: call.officer,
    [CALL_HEADERS.purpose]: call.purpose,
    [CALL_HEADERS.consumer]: request.consumer.id,
    [CALL_HEADERS.consumerAgency]: request.consumer.agency,
    [CALL_HEADERS.service]: service.id,
    [CALL_HEADERS.grant]: call.grant,
  };
  for (const name of FORWARDED_HEADERS) {
    const value = single(request.headers[name]);
    if (value !== undefined) headers[name] = value;
  }
  const base = new URL(service.endpoint);
  const url = new URL(`${base.href.replace(/\/+$/, '')}/${request.path}${request.rawQuery ? `?${request.rawQuery}` : ''}`);
  // The route refuses dot segments; this holds whatever a path could still do to the URL.
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname.replace(/\/+$/, ''))) {
    throw new HubError('not-found', `The path "${request.path}" does not name a resource under the service "${service.id}".`);
  }
  headers[REQUEST_HEADER] = `${request.method} ${url.pathname}${url.search}`;
  // v2 only: v1 signs the body alone, the same for every GET (docs/services.md, "Calls").
  const signature = signatureHeaders({ signingKey: provider.credential.signingKey, versions: ['v2'], id: call.id, headers, body: request.body });
  return {
    method: request.method,
    url: url.href,
    headers: { ...headers, ...signature },
    ...(request.body.length > 0 ? { body: request.body } : {}),
  };
}

const OFFICER = new RegExp(OfficerSchema.pattern!);
const PURPOSE = new RegExp(PurposeSchema.pattern!);

function checkCallHeaders(officer: string, purpose: string): void {
  const errors: ValidationIssue[] = [];
  if (!OFFICER.test(officer))
    errors.push({ path: `/headers/${CALL_HEADERS.officer}`, message: "the officer's id (mã cán bộ), 1-100 printable ASCII characters" });
  if (!PURPOSE.test(purpose)) errors.push({ path: `/headers/${CALL_HEADERS.purpose}`, message: 'the purpose code of the grant, e.g. identity-check' });
  if (errors.length > 0) {
    throw new HubError(
      'validation-failed',
      `Every data-sharing call names the officer and the purpose: send ${errors.map((e) => e.path.slice(9)).join(' and ')}.`,
      {
        errors,
      },
    );
  }
}

/** The problem an attempt ended with, as an answer the log records. */
function refusal(err: unknown, request: CallRequest): Ending {
  if (!(err instanceof HubError)) throw err;
  const outcome = OUTCOME_OF[err.code];
  if (!outcome) throw err;
  return {
    outcome,
    status: err.status,
    headers: problemHeaders(err),
    body: Buffer.from(JSON.stringify(err.toProblem(`/v1/services/${request.service}/${request.path}`))),
    type: 'application/problem+json',
  };
}

/** The outcome each recorded problem is counted as. */
const OUTCOME_OF: Partial<Record<ProblemCode, CallOutcome>> = Object.fromEntries(
  Object.entries(CALL_OUTCOMES).flatMap(([outcome, codes]) => codes.map((code) => [code, outcome as CallOutcome])),
);

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}
