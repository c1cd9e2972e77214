/**
 * The outbound side of the dvcqg connector: delivers `vn.gov.dossier.status` events to the national
 * portal's adapter (domain/dvcqg.md) through the kit transport, and says what happened as a
 * `DeliveryOutcome`. HTTP itself (timeouts, statuses, redirects, size) is classified by the kit
 * (`kit/classify.ts`); this module adds only the portal's protocol. A delivery is one attempt under
 * one deadline, covering every request it makes:
 * 1. a login when no session is cached (`POST {authPath}` `{username, password}`);
 * 2. `LayThuTuc` when the dossier lacks its procedure or field names (answers cached per MaTTHC);
 * 3. `TraCuuHoSo` unless the dossier is known to be at the portal (cached per MaHoSo): it decides
 *    `isUpdating` ("False" for a dossier the portal does not hold yet, "True" after);
 * 4. `DongBoHoSoMC`, then `CapNhatTienDoHoSoMC` when the event has `progress`.
 * Every request carries the `dstcode` header. `error_code` is read as a number or a string ("0" and
 * "00" are success, `error-codes.ts`). Any refusal of a call made with a session this call did not
 * just log in for is treated as a possible authentication failure, whatever its code: the client
 * logs in again once and repeats the call (public clients log in before calls rather than trust a
 * cached session). A refusal then is classified by the table: `retry` or `refused` (`application`).
 * Every failure keeps `status` and `response` (`{ status, body }`): dead letters show them.
 * The session is cached and one login is shared by concurrent deliveries.
 */
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import type { DeliveryOutcome, KindLogger } from '../kit/adapter.ts';
import { classify, jsonOrExcerpt, readJson, type Failure } from '../kit/classify.ts';
import type { Answer, AttemptScope, Transport } from '../kit/transport.ts';
import { portalErrorAction, portalErrorName, readErrorCode } from './error-codes.ts';
import { dongBoHoSoMC, needsProcedure, toCapNhatTienDo, toHoSoMC, withProcedure } from './mapping.ts';
import type { IntegrationRequest, ThuTuc } from './portal-types.ts';
import type { DvcqgSettings } from './settings.ts';
import { statusTableOf, type StatusTable } from './status.ts';

/** What the portal answered, kept with a failure for the dead letter. */
export interface PortalResponse {
  status: number;
  body: unknown;
}

export interface DvcqgClientOptions {
  readonly logger?: KindLogger;
  /** The clock of the caches (tests move it). */
  readonly now?: () => number;
}

/** Most dossiers and procedures remembered; the oldest are forgotten first. */
const MAX_CACHED = 50_000;
const DEFAULT_TTL_SECONDS = 86_400;

const portalResponse = (answer: Answer): PortalResponse => ({ status: answer.status, body: jsonOrExcerpt(answer) });

type Posted = { json: unknown; response: PortalResponse };

export class DvcqgClient {
  private session: Promise<string | Failure> | undefined;
  private sessionValue: string | undefined;
  private readonly table: StatusTable;
  /** MaHoSo → until when the portal is taken to hold it. */
  private readonly known = new Map<string, number>();
  /** MaTTHC → the catalogue entry and until when it is kept. */
  private readonly procedures = new Map<string, { thuTuc: ThuTuc; until: number }>();
  private readonly now: () => number;
  private readonly logger: KindLogger | undefined;
  private readonly settings: DvcqgSettings;
  private readonly transport: Transport;
  /** The deadline of one delivery, login, lookups and calls together (`manifest.delivery.timeoutMs`). */
  private readonly timeoutMs: number;

  constructor(settings: DvcqgSettings, transport: Transport, timeoutMs: number, options: DvcqgClientOptions = {}) {
    this.settings = settings;
    this.transport = transport;
    this.timeoutMs = timeoutMs;
    this.table = statusTableOf(settings.statusTable);
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
  }

  /**
   * Delivers one event (steps in the module comment). A retry repeats every step (DongBoHoSoMC is an
   * upsert). Throws `DvcqgMappingError` (encode stage, never retriable) when the event cannot be
   * mapped, before any request; network and portal trouble are outcomes, not throws.
   */
  async deliver(event: CloudEvent): Promise<DeliveryOutcome> {
    const mapped = toHoSoMC(event, this.table);
    const progress = toCapNhatTienDo(event, this.table);
    return this.transport.attempt(this.timeoutMs, async (scope) => {
      let hoSo = mapped;
      if (needsProcedure(hoSo)) {
        const thuTuc = await this.procedure(scope, hoSo.MaTTHC);
        if (isFailure(thuTuc)) return thuTuc;
        hoSo = withProcedure(hoSo, thuTuc);
      }
      const held = await this.portalHolds(scope, hoSo.MaHoSo);
      if (isFailure(held)) return held;
      const synced = await this.call(scope, dongBoHoSoMC([hoSo], held, this.settings.isUpdatingAs ?? 'string'));
      if (isFailure(synced)) return synced;
      this.remember(this.known, hoSo.MaHoSo, this.ttl(this.settings.knownDossierTtlSeconds));
      if (!progress) return { outcome: 'delivered' };
      const stepped = await this.call(scope, progress);
      return isFailure(stepped) ? stepped : { outcome: 'delivered' };
    });
  }

  /** One integration call (the client adds `session` and `madonvi`) as an attempt of its own: its outcome. */
  async send(request: IntegrationRequest): Promise<DeliveryOutcome> {
    const result = await this.transport.attempt(this.timeoutMs, (scope) => this.call(scope, request));
    return isFailure(result) ? result : { outcome: 'delivered' };
  }

  /** TraCuuHoSo, unless cached: does the portal hold `maHoSo`? A refusal or an empty `result` means no. */
  private async portalHolds(scope: AttemptScope, maHoSo: string): Promise<boolean | Failure> {
    const until = this.known.get(maHoSo);
    if (until !== undefined && until > this.now()) return true;
    const found = await this.call(scope, { service: 'TraCuuHoSo', mahoso: maHoSo }, { refusalIsAnswer: true });
    if (isFailure(found)) return found;
    const held = found !== 'refused' && resultOf(found.json).length > 0;
    if (held) this.remember(this.known, maHoSo, this.ttl(this.settings.knownDossierTtlSeconds));
    return held;
  }

  /** LayThuTuc, unless cached: the catalogue entry of `maTTHC`, undefined when the portal has none. */
  private async procedure(scope: AttemptScope, maTTHC: string): Promise<ThuTuc | undefined | Failure> {
    const cached = this.procedures.get(maTTHC);
    if (cached && cached.until > this.now()) return cached.thuTuc;
    const answer = await this.call(scope, { service: 'LayThuTuc', maTTHC }, { refusalIsAnswer: true });
    if (isFailure(answer)) return answer;
    const thuTuc = answer === 'refused' ? undefined : thuTucOf(resultOf(answer.json)[0]);
    if (thuTuc) this.remember(this.procedures, maTTHC, { thuTuc, until: this.now() + this.ttl(this.settings.procedureTtlSeconds) });
    else this.logger?.debug({ maTTHC }, 'LayThuTuc: the portal has no such procedure; names stay empty');
    return thuTuc;
  }

  /**
   * One integration call under the attempt's deadline: the success answer, `'refused'` when the
   * portal refused it and `refusalIsAnswer` (a lookup that found nothing), or the failure. A refusal
   * (or HTTP 401/403) with a session this call did not just log in for: log in again once, repeat.
   */
  private async call(scope: AttemptScope, request: IntegrationRequest, options: { refusalIsAnswer?: boolean } = {}): Promise<Posted | 'refused' | Failure> {
    for (let attempt = 1; ; attempt++) {
      const session = await this.currentSession(scope);
      if (isFailure(session)) return session;
      const posted = await this.post(scope, this.settings.integrationPath ?? '/integration', {
        ...request,
        session: session.value,
        madonvi: this.settings.madonvi,
      });
      const again = attempt === 1 && !session.fresh;
      if ('outcome' in posted) {
        if (!(again && (posted.status === 401 || posted.status === 403))) return posted;
      } else {
        const code = readErrorCode((posted.json as { error_code?: unknown } | null)?.error_code);
        if (code === 0) return posted;
        if (code !== undefined && !again) {
          if (options.refusalIsAnswer && portalErrorAction(code) === 'refuse') return 'refused';
          return byErrorCode(code, posted, request.service);
        }
        if (code === undefined)
          return {
            outcome: 'retry',
            failure: 'protocol',
            reason: `${request.service}: portal answer without an error_code`,
            status: posted.response.status,
            response: posted.response,
          };
      }
      this.dropSession(session.value);
      this.logger?.debug({ service: request.service }, 'portal refused a call with a reused session; logging in again');
    }
  }

  /**
   * The cached session (`fresh` false), or one login shared by every concurrent caller, each waiting
   * within its own deadline (`fresh` true). A shared login that ran out of its owner's time is not
   * ours to fail: log in again.
   */
  private async currentSession(scope: AttemptScope): Promise<{ value: string; fresh: boolean } | Failure> {
    if (this.sessionValue !== undefined) return { value: this.sessionValue, fresh: false };
    const shared = this.session;
    if (shared) {
      const result = await this.waitFor(scope, shared);
      if (typeof result === 'string') return { value: result, fresh: true };
      if (result.failure !== 'timeout' || scope.expired()) return result;
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
    const result = await this.waitFor(scope, this.session);
    return typeof result === 'string' ? { value: result, fresh: true } : result;
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
    const { username, password } = this.settings;
    const posted = await this.post(scope, this.settings.authPath ?? '/auth', { username, password });
    // A timeout is the attempt's (login and calls share one deadline), not the login's.
    if ('outcome' in posted) return posted.failure === 'timeout' ? posted : { ...posted, reason: `login: ${posted.reason}` };
    const json = posted.json as { error_code?: unknown; session?: unknown } | null;
    const code = readErrorCode(json?.error_code);
    if (code === undefined)
      return {
        outcome: 'retry',
        failure: 'protocol',
        reason: 'login: portal answer without an error_code',
        status: posted.response.status,
        response: posted.response,
      };
    if (code !== 0) {
      const outcome = byErrorCode(code, posted, 'login');
      return portalErrorAction(code) === 'relogin' ? { ...outcome, outcome: 'retry' } : outcome;
    }
    const session = typeof json?.session === 'number' ? String(json.session) : json?.session;
    if (typeof session !== 'string' || session === '')
      return { outcome: 'retry', failure: 'protocol', reason: 'login answered no session', status: posted.response.status, response: posted.response };
    return session;
  }

  /** A JSON POST with the `dstcode` header under the attempt's deadline: the 2xx answer's JSON, or the kit's failure. */
  private async post(scope: AttemptScope, path: string, json: unknown): Promise<Failure | Posted> {
    const url = `${this.settings.adapterUrl.replace(/\/+$/, '')}${path}`;
    const classified = classify(await scope.send({ method: 'POST', url, json, headers: { dstcode: this.settings.dstcode } }), { response: portalResponse });
    if (!('ok' in classified)) return classified;
    const read = readJson(classified.ok, { response: portalResponse });
    if ('outcome' in read) return read;
    return { json: read.json, response: portalResponse(classified.ok) };
  }

  private ttl(seconds: number | undefined): number {
    return (seconds ?? DEFAULT_TTL_SECONDS) * 1000;
  }

  private remember<V>(cache: Map<string, V | number>, key: string, value: V | number): void {
    const entry = typeof value === 'number' ? this.now() + value : value;
    cache.delete(key);
    cache.set(key, entry);
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
  }
}

function isFailure(value: unknown): value is Failure {
  return typeof value === 'object' && value !== null && 'outcome' in value;
}

/** A refusal by its `error_code` (table in `error-codes.ts`); a code the table says is a session's is retried. */
function byErrorCode(code: number, { json, response }: Posted, what: string): Failure {
  const message = (json as { message?: unknown } | null)?.message;
  const reason = `${what}: ${portalErrorName(code)} (error_code ${code})${typeof message === 'string' ? `: ${message}` : ''}`;
  const action = portalErrorAction(code);
  if (action === 'refuse') return { outcome: 'refused', failure: 'application', reason, status: response.status, response };
  const why = action === 'relogin' ? `${reason} (session refused right after a new login)` : reason;
  return { outcome: 'retry', failure: 'application', reason: why, status: response.status, response };
}

/** An answer's `result` list, or [] when it has none. */
function resultOf(json: unknown): unknown[] {
  const result = (json as { result?: unknown } | null)?.result;
  return Array.isArray(result) ? result : [];
}

/** A LayThuTuc `result[]` item as a catalogue entry, or undefined when it has no name. */
function thuTucOf(item: unknown): ThuTuc | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const { MATTHC, TENTTHC, LINHVUCTHUCHIEN } = item as Record<string, unknown>;
  if (typeof TENTTHC !== 'string') return undefined;
  const fields = (Array.isArray(LINHVUCTHUCHIEN) ? LINHVUCTHUCHIEN : [])
    .map((f) => f as Record<string, unknown>)
    .filter((f) => typeof f?.MALINHVUC === 'string')
    .map((f) => ({ MALINHVUC: f.MALINHVUC as string, TENLINHVUC: typeof f.TENLINHVUC === 'string' ? f.TENLINHVUC : '' }));
  return { MATTHC: typeof MATTHC === 'string' ? MATTHC : '', TENTTHC, LINHVUCTHUCHIEN: fields };
}
