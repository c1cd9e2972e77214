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
 * Every call is one attempt of the kit transport (`kit/transport.ts`: its own deadline, no
 * redirects, a size cap, the connector's TLS) and resolves to a `VdxpAnswer`, never throws for the
 * axis's trouble: `ok` with the parsed body, or the kit's classification (`kit/classify.ts`); this
 * module adds only the axis's own reading: a refusal's `errorDesc` in the reason, and a 2xx without
 * the documented body as a `retry` (`protocol`). Failures keep the status and the axis's answer.
 */
import type { RetryOutcome } from '../kit/adapter.ts';
import { classify, jsonOrExcerpt, readJson, type Failure } from '../kit/classify.ts';
import type { Transport } from '../kit/transport.ts';

export interface VdxpClientSettings {
  readonly baseUrl: string;
  /** The SDK's system id for this LGSP. */
  readonly systemId: string;
  readonly secret: string;
  /** The deadline of each call (`manifest.delivery.timeoutMs`). */
  readonly timeoutMs: number;
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

export type VdxpFailure = Failure;
export type VdxpAnswer<T> = { readonly outcome: 'ok'; readonly value: T; readonly status: number } | VdxpFailure;

export class VdxpClient {
  private readonly baseUrl: string;
  private readonly settings: VdxpClientSettings;
  private readonly transport: Transport;

  constructor(settings: VdxpClientSettings, transport: Transport) {
    this.settings = settings;
    this.transport = transport;
    this.baseUrl = settings.baseUrl.replace(/\/+$/, '');
  }

  /** Sends one edXML package; `idempotencyKey` (the hub id) makes a re-send answer the first docId. */
  async sendEdoc(header: SendEdocHeader, edxml: Buffer | string, idempotencyKey?: string): Promise<VdxpAnswer<{ docId: string }>> {
    const file = Buffer.from(edxml).toString('base64');
    return this.call('POST', '/sendEdoc', { header, file }, idempotencyKey, (body) => {
      const docId = isOk(body) ? body.docId : undefined;
      return typeof docId === 'string' && docId !== '' ? { docId } : undefined;
    });
  }

  /** The packages waiting in `organId`'s mailbox, in the axis's order. */
  async getReceivedEdocList(organId: string): Promise<VdxpAnswer<ReceivedEdoc[]>> {
    return this.call('GET', `/getReceivedEdocList?organId=${encodeURIComponent(organId)}`, undefined, undefined, (body) => {
      const docs = record(body).docs;
      if (!Array.isArray(docs)) return undefined;
      const list = docs.map(readReceived);
      return list.every((d): d is ReceivedEdoc => d !== undefined) ? list : undefined;
    });
  }

  /** One package's bytes (the edXML as the sender wrote it). */
  async getEdoc(docId: string): Promise<VdxpAnswer<Buffer>> {
    return this.call('GET', `/getEdoc/${encodeURIComponent(docId)}`, undefined, undefined, (body) => {
      const file = record(body).file;
      return typeof file === 'string' ? Buffer.from(file, 'base64') : undefined;
    });
  }

  /** The transport acknowledgement: the package leaves the mailbox as `done` or `fail`. */
  async updateStatus(docId: string, status: 'done' | 'fail'): Promise<VdxpAnswer<null>> {
    return this.call('POST', '/updateStatus', { docId, status }, undefined, (body) => (isOk(body) ? null : undefined));
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    json: unknown,
    idempotencyKey: string | undefined,
    read: (body: unknown) => T | undefined,
  ): Promise<VdxpAnswer<T>> {
    const { systemId, secret, timeoutMs } = this.settings;
    const exchange = await this.transport.attempt(timeoutMs, (scope) =>
      scope.send({
        method,
        url: `${this.baseUrl}${path}`,
        headers: { systemId, secret },
        ...(json === undefined ? {} : { json }),
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      }),
    );
    const classified = classify(exchange, { response: jsonOrExcerpt });
    if (!('ok' in classified)) {
      const desc = record(classified.response).errorDesc;
      return classified.failure === 'http-status' && typeof desc === 'string' ? { ...classified, reason: `${classified.reason}: ${desc}` } : classified;
    }
    const body = readJson(classified.ok, { response: jsonOrExcerpt });
    if ('outcome' in body) return body;
    const value = read(body.json);
    if (value === undefined) return undocumented(path, classified.ok.status, body.json);
    return { outcome: 'ok', value, status: classified.ok.status };
  }
}

function undocumented(path: string, status: number, response: unknown): RetryOutcome {
  return { outcome: 'retry', failure: 'protocol', reason: `${path.split('?')[0]} answered ${status} without the documented body`, status, response };
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
