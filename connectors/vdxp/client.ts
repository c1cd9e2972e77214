/**
 * The national document exchange axis (VDXP, domain/levels.md) as the hub calls it. The real SDK is
 * Java/.NET (`sendEdoc`, `getReceivedEdocList`, `getEdoc`, `updateStatus`); the hub speaks a plain
 * HTTP/JSON shape that mirrors it call for call, so an operator can put a thin SDK bridge in front
 * of the real axis. The shape (also what `simulator.ts` serves):
 * - `POST {baseUrl}/sendEdoc` `{ header: { from, to?, servicetype: 'eDoc', messagetype: 'edoc'|'status' }, file }`
 *   (`file`: the edXML package, base64) → `{ status: 'OK', docId }`;
 * - `GET {baseUrl}/getReceivedEdocList?organId=` → `{ docs: [{ docId, from, messagetype, created }] }`
 *   (the packages not yet acknowledged, oldest first);
 * - `GET {baseUrl}/getEdoc/{docId}` → `{ docId, file }` (base64);
 * - `POST {baseUrl}/updateStatus` `{ docId, status: 'done'|'fail' }` → `{ status: 'OK' }`.
 * Every call carries the SDK credentials as the `systemId` and `secret` headers. A refusal answers
 * 4xx with `{ status: 'FAIL', errorCode, errorDesc }`.
 *
 * Every call resolves to a `VdxpAnswer`, never throws for the axis's trouble: `ok` with the parsed
 * body, or a failure classified as dvcqg's are: `retry` for HTTP 408/429/5xx (`Retry-After`
 * honoured), timeouts, connection errors and 2xx answers that do not have the documented shape;
 * `refused` for any other 4xx, with the axis's response. Keep-alive agents live as long as the
 * client: call `close()` at the end.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { isAxiosError, type AxiosInstance } from 'axios';
import type { DeliveryOutcome } from '../kit/adapter.ts';
import { parseRetryAfter } from '../kit/http-sender.ts';

export interface VdxpClientSettings {
  readonly baseUrl: string;
  /** The SDK's system id for this LGSP. */
  readonly systemId: string;
  readonly secret: string;
  /** Per HTTP call; default 10 000 ms. */
  readonly timeoutMs?: number;
}

export type VdxpMessageType = 'edoc' | 'status';

export interface SendEdocHeader {
  /** The sending organ's id on the axis. */
  readonly from: string;
  /** Recipient organ ids; the edXML `To` elements name them too. */
  readonly to?: readonly string[];
  readonly servicetype: 'eDoc';
  readonly messagetype: VdxpMessageType;
}

/** One entry of the mailbox listing. */
export interface ReceivedEdoc {
  readonly docId: string;
  readonly from: string;
  readonly messagetype: VdxpMessageType;
  readonly created: string;
}

export type VdxpFailure = Extract<DeliveryOutcome, { outcome: 'retry' | 'refused' }>;
export type VdxpAnswer<T> = { readonly outcome: 'ok'; readonly value: T; readonly status: number } | VdxpFailure;

type Answered = { readonly status: number; readonly body: unknown };

export class VdxpClient {
  private readonly http: AxiosInstance;
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true });

  constructor(private readonly settings: VdxpClientSettings) {
    this.http = axios.create({
      baseURL: settings.baseUrl.replace(/\/+$/, ''),
      timeout: settings.timeoutMs ?? 10_000,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      validateStatus: () => true, // every status is classified below
      headers: { systemId: settings.systemId, secret: settings.secret },
    });
  }

  /** Sends one edXML package; `headers` go with the request (e.g. `Idempotency-Key`). */
  async sendEdoc(header: SendEdocHeader, edxml: Buffer | string, headers: Record<string, string> = {}): Promise<VdxpAnswer<{ docId: string }>> {
    const file = Buffer.from(edxml).toString('base64');
    return this.call('POST', '/sendEdoc', { header, file }, headers, (body) => {
      const docId = isOk(body) ? body.docId : undefined;
      return typeof docId === 'string' && docId !== '' ? { docId } : undefined;
    });
  }

  /** The packages waiting in `organId`'s mailbox, in the axis's order. */
  async getReceivedEdocList(organId: string): Promise<VdxpAnswer<ReceivedEdoc[]>> {
    return this.call('GET', `/getReceivedEdocList?organId=${encodeURIComponent(organId)}`, undefined, {}, (body) => {
      const docs = record(body).docs;
      if (!Array.isArray(docs)) return undefined;
      const list = docs.map(readReceived);
      return list.every((d): d is ReceivedEdoc => d !== undefined) ? list : undefined;
    });
  }

  /** One package's bytes (the edXML as the sender wrote it). */
  async getEdoc(docId: string): Promise<VdxpAnswer<Buffer>> {
    return this.call('GET', `/getEdoc/${encodeURIComponent(docId)}`, undefined, {}, (body) => {
      const file = record(body).file;
      return typeof file === 'string' ? Buffer.from(file, 'base64') : undefined;
    });
  }

  /** The transport acknowledgement: the package leaves the mailbox as `done` or `fail`. */
  async updateStatus(docId: string, status: 'done' | 'fail'): Promise<VdxpAnswer<null>> {
    return this.call('POST', '/updateStatus', { docId, status }, {}, (body) => (isOk(body) ? null : undefined));
  }

  /** Releases the keep-alive sockets. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async call<T>(
    method: 'GET' | 'POST',
    url: string,
    data: unknown,
    headers: Record<string, string>,
    read: (body: unknown) => T | undefined,
  ): Promise<VdxpAnswer<T>> {
    let answered: Answered;
    try {
      const res = await this.http.request<unknown>({ method, url, data, headers });
      const retryAfter: unknown = res.headers['retry-after'];
      const retryAfterMs = parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined);
      answered = { status: res.status, body: res.data };
      if (res.status === 408 || res.status === 429 || res.status >= 500) {
        return { outcome: 'retry', reason: `HTTP ${res.status}`, status: res.status, response: res.data, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
      }
    } catch (err) {
      if (!isAxiosError(err)) throw err; // a programmer error, never retried
      const timedOut = err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT';
      return { outcome: 'retry', reason: timedOut ? `timeout after ${this.http.defaults.timeout} ms` : `connection error: ${err.code ?? err.message}` };
    }
    const { status, body } = answered;
    if (status < 200 || status >= 300) {
      const desc = record(body).errorDesc;
      return { outcome: 'refused', reason: `HTTP ${status}${typeof desc === 'string' ? `: ${desc}` : ''}`, status, response: body };
    }
    const value = read(body);
    if (value === undefined) return { outcome: 'retry', reason: `${url.split('?')[0]} answered ${status} without the documented body`, status, response: body };
    return { outcome: 'ok', value, status };
  }
}

function isOk(body: unknown): body is { status: 'OK'; docId?: unknown } {
  return record(body).status === 'OK';
}

function readReceived(value: unknown): ReceivedEdoc | undefined {
  const { docId, from, messagetype, created } = record(value);
  if (typeof docId !== 'string' || typeof from !== 'string' || typeof created !== 'string') return undefined;
  if (messagetype !== 'edoc' && messagetype !== 'status') return undefined;
  return { docId, from, messagetype, created };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
