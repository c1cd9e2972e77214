/**
 * The outbound side of the dvcqg connector: delivers `vn.gov.dossier.status` events to the national
 * portal's adapter (domain/dvcqg.md) and tells the hub what happened, as a `DeliveryOutcome`:
 * - `delivered`: every call answered `error_code` 0;
 * - `retry`: HTTP 408/429/5xx (`Retry-After` honoured), a timeout, a connection error, or an
 *   `error_code` that means temporary trouble (see `error-codes.ts`); the hub retries on the
 *   connector's schedule and counts it against the breaker;
 * - `refused`: a permanent answer (other HTTP 4xx, bad data, wrong credentials), with the portal's
 *   response; the hub dead-letters it.
 * The session is cached; when the portal says it expired, the client logs in again once and retries
 * the call. HTTP keep-alive agents are kept for the client's life: call `close()` at the end.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { isAxiosError, type AxiosInstance } from 'axios';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import type { DeliveryOutcome } from '../kit/adapter.ts';
import { parseRetryAfter } from '../kit/http-sender.ts';
import { portalErrorAction, portalErrorName } from './error-codes.ts';
import { toCapNhatTienDo, toDongBoHoSoMC } from './mapping.ts';
import type { CapNhatTienDoRequest, DongBoHoSoMCRequest } from './portal-types.ts';

export interface DvcqgClientSettings {
  /** The portal adapter's base URL (ADAPTER_URL of the integration guide). */
  adapterUrl: string;
  /** Default `/auth`. */
  authPath?: string;
  /** Default `/integration`. */
  integrationPath?: string;
  username: string;
  password: string;
  /** Sent as the `dstcode` header at login. */
  dstcode: string;
  /** The province/unit code the portal knows the sender by. */
  madonvi: string;
  /** Per HTTP call; default 10 000 ms. */
  timeoutMs?: number;
}

/** What the portal answered, kept with a refusal for the dead letter. */
export interface PortalResponse {
  status: number;
  body: unknown;
}

type Failure = Exclude<DeliveryOutcome, { outcome: 'delivered' }>;
/** A 2xx answer to classify by its `error_code`, or the transport-level outcome. */
type Posted = { answered: PortalResponse } | Failure;

export class DvcqgClient {
  private readonly http: AxiosInstance;
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true });
  private session: Promise<string | Failure> | undefined;
  private sessionValue: string | undefined;

  constructor(private readonly settings: DvcqgClientSettings) {
    this.http = axios.create({
      baseURL: settings.adapterUrl,
      timeout: settings.timeoutMs ?? 10_000,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      validateStatus: () => true, // every status is classified below
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
  }

  /**
   * Delivers one event: DongBoHoSoMC, then CapNhatTienDoHoSoMC when the event has `progress`. A
   * retry re-sends both (DongBoHoSoMC is an upsert). Throws `DvcqgMappingError` (encode stage, never
   * retriable) when the event cannot be mapped; network and portal trouble are outcomes, not throws.
   */
  async deliver(event: CloudEvent): Promise<DeliveryOutcome> {
    const dossier = toDongBoHoSoMC(event, { madonvi: this.settings.madonvi });
    const progress = toCapNhatTienDo(event);
    const first = await this.send(dossier);
    if (first.outcome !== 'delivered' || !progress) return first;
    return this.send(progress);
  }

  /** One integration call (the client adds `session` and `madonvi`). */
  async send(request: DongBoHoSoMCRequest | CapNhatTienDoRequest): Promise<DeliveryOutcome> {
    for (let attempt = 1; ; attempt++) {
      const session = await this.currentSession();
      if (typeof session !== 'string') return session;
      const posted = await this.post(this.settings.integrationPath ?? '/integration', { ...request, session, madonvi: this.settings.madonvi });
      if (!('answered' in posted)) return posted;
      const answer = classify(posted.answered);
      if (answer !== 'relogin') return answer;
      this.dropSession(session);
      if (attempt === 2) return { outcome: 'retry', reason: 'portal session expired again right after a new login' };
    }
  }

  /** Releases the keep-alive sockets. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** The cached session, or one login shared by every concurrent caller. */
  private currentSession(): Promise<string | Failure> {
    this.session ??= this.login().then((result) => {
      if (typeof result === 'string') this.sessionValue = result;
      else this.session = undefined; // failures are not cached
      return result;
    });
    return this.session;
  }

  /** Forgets `used` if it is still the cached session (a concurrent caller may have replaced it). */
  private dropSession(used: string): void {
    if (this.sessionValue !== used) return;
    this.session = undefined;
    this.sessionValue = undefined;
  }

  private async login(): Promise<string | Failure> {
    const { username, password, dstcode } = this.settings;
    const posted = await this.post(this.settings.authPath ?? '/auth', { username, password }, { dstcode });
    if (!('answered' in posted)) return posted;
    const answer = classify(posted.answered);
    if (answer === 'relogin') return { outcome: 'retry', reason: 'portal login answered session expired' };
    if (answer.outcome !== 'delivered') return { ...answer, reason: `login: ${answer.reason}` };
    const session = (posted.answered.body as { session?: unknown }).session;
    if (typeof session !== 'string' || session === '') return { outcome: 'retry', reason: 'login answered no session' };
    return session;
  }

  private async post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Posted> {
    try {
      const res = await this.http.post<unknown>(path, body, { headers });
      const header = res.headers['retry-after'];
      const retryAfterMs = parseRetryAfter(typeof header === 'string' ? header : undefined);
      const response = { status: res.status, body: res.data };
      if (res.status === 408 || res.status === 429 || res.status >= 500) {
        return { outcome: 'retry', reason: `HTTP ${res.status}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
      }
      if (res.status < 200 || res.status >= 300) return { outcome: 'refused', reason: `HTTP ${res.status}`, response };
      return { answered: response };
    } catch (err) {
      if (!isAxiosError(err)) throw err; // a programmer error, never retried
      const timedOut = err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT';
      return { outcome: 'retry', reason: timedOut ? `timeout after ${this.http.defaults.timeout} ms` : `connection error: ${err.code ?? err.message}` };
    }
  }
}

/** A 2xx answer by its `error_code` (table in `error-codes.ts`). */
function classify(response: PortalResponse): DeliveryOutcome | 'relogin' {
  const body = response.body;
  const code = typeof body === 'object' && body !== null ? (body as { error_code?: unknown }).error_code : undefined;
  if (typeof code !== 'number') return { outcome: 'retry', reason: 'portal answer without a numeric error_code' };
  const message = (body as { message?: unknown }).message;
  const reason = `${portalErrorName(code)} (error_code ${code})${typeof message === 'string' ? `: ${message}` : ''}`;
  switch (portalErrorAction(code)) {
    case 'success':
      return { outcome: 'delivered' };
    case 'relogin':
      return 'relogin';
    case 'retry':
      return { outcome: 'retry', reason };
    case 'refuse':
      return { outcome: 'refused', reason, response };
  }
}
