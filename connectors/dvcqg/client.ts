/**
 * The outbound side of the dvcqg connector: delivers `vn.gov.dossier.status` events to the national
 * portal's adapter (domain/dvcqg.md) through the kit transport, and says what happened as a
 * `DeliveryOutcome`. HTTP itself (timeouts, statuses, redirects, size) is classified by the kit
 * (`kit/classify.ts`); this module adds only the portal's protocol:
 * - a delivery is one attempt under one deadline: the login when no session is cached, then
 *   DongBoHoSoMC, then CapNhatTienDoHoSoMC when the event has `progress`;
 * - a 2xx answer is read by its `error_code` (`error-codes.ts`): `delivered`, `retry` or `refused`
 *   (failure `application`); an answer without one is a `retry` (`protocol`);
 * - when the portal says the session expired, the client logs in again once and retries the call.
 * Every failure keeps `status` and `response` (`{ status, body }`): dead letters show them.
 * The session is cached and one login is shared by concurrent deliveries.
 */
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import type { DeliveryOutcome, KindLogger } from '../kit/adapter.ts';
import { classify, jsonOrExcerpt, readJson, type Failure } from '../kit/classify.ts';
import type { Answer, AttemptScope, Transport } from '../kit/transport.ts';
import { portalErrorAction, portalErrorName } from './error-codes.ts';
import { toCapNhatTienDo, toDongBoHoSoMC } from './mapping.ts';
import type { CapNhatTienDoRequest, DongBoHoSoMCRequest } from './portal-types.ts';
import type { DvcqgSettings } from './settings.ts';

/** What the portal answered, kept with a failure for the dead letter. */
export interface PortalResponse {
  status: number;
  body: unknown;
}

const portalResponse = (answer: Answer): PortalResponse => ({ status: answer.status, body: jsonOrExcerpt(answer) });

export class DvcqgClient {
  private session: Promise<string | Failure> | undefined;
  private sessionValue: string | undefined;

  constructor(
    private readonly settings: DvcqgSettings,
    private readonly transport: Transport,
    /** The deadline of one delivery, login and calls together (`manifest.delivery.timeoutMs`). */
    private readonly timeoutMs: number,
    private readonly logger?: KindLogger,
  ) {}

  /**
   * Delivers one event: DongBoHoSoMC, then CapNhatTienDoHoSoMC when the event has `progress`. A
   * retry re-sends both (DongBoHoSoMC is an upsert). Throws `DvcqgMappingError` (encode stage, never
   * retriable) when the event cannot be mapped; network and portal trouble are outcomes, not throws.
   */
  async deliver(event: CloudEvent): Promise<DeliveryOutcome> {
    const dossier = toDongBoHoSoMC(event, { madonvi: this.settings.madonvi });
    const progress = toCapNhatTienDo(event);
    return this.transport.attempt(this.timeoutMs, async (scope) => {
      const first = await this.call(scope, dossier);
      if (first.outcome !== 'delivered' || !progress) return first;
      return this.call(scope, progress);
    });
  }

  /** One integration call (the client adds `session` and `madonvi`), as an attempt of its own. */
  send(request: DongBoHoSoMCRequest | CapNhatTienDoRequest): Promise<DeliveryOutcome> {
    return this.transport.attempt(this.timeoutMs, (scope) => this.call(scope, request));
  }

  private async call(scope: AttemptScope, request: DongBoHoSoMCRequest | CapNhatTienDoRequest): Promise<DeliveryOutcome> {
    for (let attempt = 1; ; attempt++) {
      const session = await this.currentSession(scope);
      if (typeof session !== 'string') return session;
      const posted = await this.post(scope, this.settings.integrationPath ?? '/integration', { ...request, session, madonvi: this.settings.madonvi });
      if ('outcome' in posted) return posted;
      const answer = byErrorCode(posted);
      if (answer !== 'relogin') return answer;
      this.dropSession(session);
      this.logger?.debug({ service: request.service }, 'portal session expired; logging in again');
      if (attempt === 2)
        return { outcome: 'retry', failure: 'application', reason: 'portal session expired again right after a new login', response: posted.response };
    }
  }

  /**
   * The cached session, or one login shared by every concurrent caller, each waiting within its own
   * deadline. A shared login that ran out of its owner's time is not ours to fail: log in again.
   */
  private async currentSession(scope: AttemptScope): Promise<string | Failure> {
    const shared = this.session;
    if (shared) {
      const result = await this.waitFor(scope, shared);
      if (typeof result === 'string' || result.failure !== 'timeout' || scope.expired()) return result;
    }
    // Unless another caller has started a new login meanwhile, this one starts it.
    if (this.session === undefined || this.session === shared) {
      const login = this.login(scope).then((result) => {
        if (typeof result === 'string') this.sessionValue = result;
        else if (this.session === login) this.session = undefined; // failures are not cached
        return result;
      });
      this.session = login;
    }
    return this.waitFor(scope, this.session);
  }

  private async waitFor(scope: AttemptScope, login: Promise<string | Failure>): Promise<string | Failure> {
    const waited = await scope.wait(login);
    return typeof waited === 'object' && 'failed' in waited ? (classify(waited) as Failure) : waited;
  }

  /** Forgets `used` if it is still the cached session (a concurrent caller may have replaced it). */
  private dropSession(used: string): void {
    if (this.sessionValue !== used) return;
    this.session = undefined;
    this.sessionValue = undefined;
  }

  private async login(scope: AttemptScope): Promise<string | Failure> {
    const { username, password, dstcode } = this.settings;
    const posted = await this.post(scope, this.settings.authPath ?? '/auth', { username, password }, { dstcode });
    // A timeout is the attempt's (login and calls share one deadline), not the login's.
    if ('outcome' in posted) return posted.failure === 'timeout' ? posted : { ...posted, reason: `login: ${posted.reason}` };
    const answer = byErrorCode(posted);
    if (answer === 'relogin') return { outcome: 'retry', failure: 'application', reason: 'portal login answered session expired', response: posted.response };
    if (answer.outcome !== 'delivered') return { ...answer, reason: `login: ${answer.reason}` };
    const session = (posted.json as { session?: unknown }).session;
    if (typeof session !== 'string' || session === '')
      return { outcome: 'retry', failure: 'protocol', reason: 'login answered no session', response: posted.response };
    return session;
  }

  /** A JSON POST under the attempt's deadline: the 2xx answer's JSON, or the kit's failure. */
  private async post(
    scope: AttemptScope,
    path: string,
    json: unknown,
    headers: Record<string, string> = {},
  ): Promise<Failure | { json: unknown; response: PortalResponse }> {
    const url = `${this.settings.adapterUrl.replace(/\/+$/, '')}${path}`;
    const classified = classify(await scope.send({ method: 'POST', url, json, headers }), { response: portalResponse });
    if (!('ok' in classified)) return classified;
    const read = readJson(classified.ok, { response: portalResponse });
    if ('outcome' in read) return read;
    return { json: read.json, response: portalResponse(classified.ok) };
  }
}

/** A 2xx answer by its `error_code` (table in `error-codes.ts`). */
function byErrorCode({ json, response }: { json: unknown; response: PortalResponse }): DeliveryOutcome | 'relogin' {
  const code = typeof json === 'object' && json !== null ? (json as { error_code?: unknown }).error_code : undefined;
  if (typeof code !== 'number')
    return { outcome: 'retry', failure: 'protocol', reason: 'portal answer without a numeric error_code', status: response.status, response };
  const message = (json as { message?: unknown }).message;
  const reason = `${portalErrorName(code)} (error_code ${code})${typeof message === 'string' ? `: ${message}` : ''}`;
  switch (portalErrorAction(code)) {
    case 'success':
      return { outcome: 'delivered' };
    case 'relogin':
      return 'relogin';
    case 'retry':
      return { outcome: 'retry', failure: 'application', reason, status: response.status, response };
    case 'refuse':
      return { outcome: 'refused', failure: 'application', reason, status: response.status, response };
  }
}
