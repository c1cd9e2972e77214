/**
 * The demo talks to the hub only through its public HTTP API, as a province's integrator would:
 * the operator API (directory, connectors, services, traces) with the operator token, and the
 * connectors' own front doors (`POST /v1/messages`, `POST /v1/connectors/{id}/inbound`, data-sharing
 * calls `/v1/services/{id}/...`) with their tokens.
 * Every call that does not answer as expected throws with the status and the problem details.
 */
import type { CallRecord } from '../src/services/service-record.ts';
import type { Trace } from '../src/tracking/trace.ts';

export interface Accepted {
  readonly id: string;
  readonly source: string;
  /** `/v1/messages/<hub id>` */
  readonly trace: string;
}

/** A provider's answer to a data-sharing call, with the id both sides and the call log know it by. */
export interface ServiceAnswer {
  readonly callId: string;
  readonly body: unknown;
}

export class HubApi {
  readonly url: string;
  private readonly operatorToken: string;

  constructor(url: string, operatorToken: string) {
    this.url = url;
    this.operatorToken = operatorToken;
  }

  /** `POST /v1/agencies:import` with a JSON array of agency records. */
  async importAgencies(records: string): Promise<number> {
    const body = await this.expect(201, 200)(await this.operator('/v1/agencies:import', { method: 'POST', body: records }), 'importing the directory');
    return (body as { imported: number }).imported;
  }

  /** Names by code, as the hub's directory holds them. */
  async agencyNames(): Promise<Map<string, string>> {
    const body = (await this.expect(200)(await this.operator('/v1/agencies'), 'reading the directory')) as { agencies: { code: string; name: string }[] };
    return new Map(body.agencies.map((a) => [a.code, a.name]));
  }

  /** `POST /v1/connectors`; returns the connector's token (shown once). */
  async registerConnector(manifest: Record<string, unknown>): Promise<string> {
    const body = await this.expect(201)(
      await this.operator('/v1/connectors', { method: 'POST', body: JSON.stringify(manifest) }),
      `registering connector ${String(manifest.id)}`,
    );
    return (body as { token: string }).token;
  }

  /** `POST /v1/messages` with one structured-mode event, as the connector whose token is given. */
  async send(token: string, event: Record<string, unknown>): Promise<Accepted> {
    const res = await fetch(`${this.url}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(event),
    });
    const body = (await this.expect(202)(res, `sending ${String(event.type)} ${String(event.id)}`)) as { accepted: Accepted[] };
    return body.accepted[0]!;
  }

  /** `POST /v1/connectors/{id}/inbound` with the connector's native payload. */
  async inbound(connector: string, token: string, contentType: string, payload: string): Promise<Accepted[]> {
    const res = await fetch(`${this.url}/v1/connectors/${connector}/inbound`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body: payload,
    });
    return ((await this.expect(202)(res, `posting a native payload as ${connector}`)) as { accepted: Accepted[] }).accepted;
  }

  /** `GET /v1/messages/{hub id}` (the `trace` path of an accepted message), as an operator. */
  async trace(path: string): Promise<Trace> {
    return (await this.expect(200)(await this.operator(path), `reading the trace ${path}`)) as Trace;
  }

  /** The `lgsp_circuit_breaker_state` of `connector` from `/metrics`: 0 closed, 1 half-open, 2 open. */
  async breakerState(connector: string): Promise<number | undefined> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    const match = new RegExp(`^lgsp_circuit_breaker_state\\{connector="${connector}"\\} (\\d)`, 'm').exec(text);
    return match ? Number(match[1]) : undefined;
  }

  /** `POST /v1/services` (operator): a provider's service into the catalogue. */
  async registerService(spec: Record<string, unknown>): Promise<void> {
    await this.expect(201)(await this.operator('/v1/services', { method: 'POST', body: JSON.stringify(spec) }), `registering service ${String(spec.id)}`);
  }

  /** `POST /v1/services/{id}/grants` (operator): lets a consumer call the service for one purpose. */
  async grant(service: string, grant: Record<string, unknown>): Promise<void> {
    await this.expect(201)(
      await this.operator(`/v1/services/${service}/grants`, { method: 'POST', body: JSON.stringify(grant) }),
      `granting ${service} to ${String(grant.consumer)}`,
    );
  }

  /** `POST /v1/services/{id}/{path}` with a JSON body, as the consumer connector whose token is given, for an officer and a purpose. */
  async callService(token: string, service: string, path: string, call: { officer: string; purpose: string; json: unknown }): Promise<ServiceAnswer> {
    const res = await fetch(`${this.url}/v1/services/${service}/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'x-lgsp-officer': call.officer, 'x-lgsp-purpose': call.purpose, 'content-type': 'application/json' },
      body: JSON.stringify(call.json),
    });
    const callId = res.headers.get('x-lgsp-call-id');
    const body = await this.expect(200)(res, `calling ${service}/${path}`);
    if (!callId) throw new Error(`calling ${service}/${path}: the answer has no X-LGSP-Call-Id`);
    return { callId, body };
  }

  /** `GET /v1/services/{id}/calls` (operator): the service's call log, newest first. */
  async serviceCalls(service: string): Promise<CallRecord[]> {
    const body = await this.expect(200)(await this.operator(`/v1/services/${service}/calls`), `reading the call log of ${service}`);
    return (body as { calls: CallRecord[] }).calls;
  }

  /** Whether `path` answers something other than 404 (a page this build may not serve). */
  async serves(path: string): Promise<boolean> {
    const res = await fetch(`${this.url}${path}`, { headers: { authorization: `Bearer ${this.operatorToken}` } });
    await res.arrayBuffer();
    return res.status !== 404;
  }

  private operator(path: string, init: { method?: string; body?: string } = {}): Promise<Response> {
    return fetch(`${this.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${this.operatorToken}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
  }

  private expect(...statuses: number[]) {
    return async (res: Response, what: string): Promise<unknown> => {
      const text = await res.text();
      if (!statuses.includes(res.status)) throw new Error(`${what}: the hub answered ${res.status} ${text}`);
      return text === '' ? {} : (JSON.parse(text) as unknown);
    };
  }
}
