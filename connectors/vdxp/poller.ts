/**
 * Polls the hub's mailbox on the national axis (VDXP) and hands each package to the hub.
 *
 * A round lists the mailbox of `manifest.agency` and takes the packages in the listed order, one at
 * a time: `getEdoc`, then `decodeEdxml` (bare, SOAP 1.1 or multipart/related packages);
 * - decoded: `await sink.accept(events)` and only then `updateStatus(docId, 'done')`;
 * - refused by the codec (`EdxmlError`), or naming in its From/OrganId another organ than the
 *   sender the axis lists (a package in someone else's name): `await sink.reject(reason,
 *   originalBytes)` (a dead letter, stage `decode`; nothing reaches the dedupe store, so it cannot
 *   pre-empt the real document's id), then `updateStatus(docId, 'fail')`;
 * - anything else (the axis unreachable or refusing a call, `sink.accept` or `sink.reject` throwing
 *   because Kafka is down): nothing more is acknowledged and the round ends; the package stays in
 *   the mailbox and the next round, `intervalMs` later, starts again from the listing. Later
 *   packages wait behind it, so the mailbox order is kept.
 * Errors go to `onError` and never stop the poller.
 *
 * Why this is neither lossy nor duplicating: a package is acknowledged only after the hub holds its
 * events in Kafka, with their dedupe marks. If the hub crashes between `accept` and `updateStatus`
 * (or the acknowledgement is lost), the package is still pending; the next round fetches it again
 * and decodes it to the same event ids (derived from the edXML DocumentId, not from the fetch), so
 * the hub's dedupe answers them as duplicates, and the acknowledgement then goes through. The
 * package is neither lost nor produced twice. (A crash inside `accept`, after its events were
 * written and before their marks were, writes them again under the same hub ids, which the
 * delivery stage sends once: docs/design.md, "Ingest without a transaction".)
 *
 * `stop()` lets the package in progress finish (accept and acknowledge, or fail), starts no other,
 * and resolves when the round has ended; an acknowledgement the axis holds is awaited up to the
 * call's deadline (`delivery.timeoutMs`).
 */
import { sourceAgency, type CloudEvent } from '../../src/contract/cloud-event.ts';
import type { ConnectorManifest } from '../../src/contract/schema-set.ts';
import { decodeEdxml, EdxmlError } from '../edxml/codec.ts';
import type { KindContext, Poller, PollSink } from '../kit/adapter.ts';
import { VdxpClient, type ReceivedEdoc, type VdxpAnswer } from './client.ts';
import { VdxpCallError } from './errors.ts';
import { DEFAULT_POLL_INTERVAL_MS, type VdxpSettings } from './settings.ts';

export interface VdxpPollerOptions {
  /** Pause between the end of a round and the start of the next; default `settings.pollIntervalMs` (2000). */
  readonly intervalMs?: number;
  /** Called with each error that ended a round (or failed an acknowledgement); default: ignored. */
  readonly onError?: (error: Error) => void;
}

export { VdxpCallError } from './errors.ts';

/** The poller of one vdxp connector; its calls go through `ctx.transport`, each under `delivery.timeoutMs`. */
export function createVdxpPoller(manifest: ConnectorManifest, ctx: KindContext<VdxpSettings>, sink: PollSink, options: VdxpPollerOptions = {}): Poller {
  const { settings } = ctx;
  const intervalMs = options.intervalMs ?? settings.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const onError = options.onError ?? (() => {});
  const client = new VdxpClient(
    { baseUrl: settings.baseUrl, systemId: settings.systemId, secret: settings.secret, timeoutMs: manifest.delivery.timeoutMs },
    ctx.transport,
  );
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> | undefined;

  const ok = <T>(call: string, answer: VdxpAnswer<T>): T => {
    if (answer.outcome !== 'ok') throw new VdxpCallError(call, answer);
    return answer.value;
  };

  async function runRound(axis: VdxpClient): Promise<void> {
    const list = ok('getReceivedEdocList', await axis.getReceivedEdocList(manifest.agency));
    for (const entry of list) {
      if (!running) return;
      const original = ok(`getEdoc ${entry.docId}`, await axis.getEdoc(entry.docId));
      const decoded = decodeListed(entry, original, settings.refuseInvalidSignatures === true);
      if ('refusal' in decoded) await sink.reject(decoded.refusal, original);
      else await sink.accept(decoded.events);
      ok(`updateStatus ${entry.docId}`, await axis.updateStatus(entry.docId, 'refusal' in decoded ? 'fail' : 'done'));
    }
  }

  function schedule(delayMs: number): void {
    timer = setTimeout(() => {
      timer = undefined;
      if (!running) return;
      round = runRound(client)
        .catch((err: unknown) => onError(err instanceof Error ? err : new Error(String(err))))
        .finally(() => {
          round = undefined;
          if (running) schedule(intervalMs);
        });
    }, delayMs);
  }

  return {
    start() {
      if (running) return;
      running = true;
      if (!round) schedule(0);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await round; // the transport belongs to the kind context: the hub closes it after stop
    },
  };
}

/**
 * The events of a listed package, or why it is refused: the codec's refusal, or a From/OrganId
 * (each event's `source`) that is not the sender the axis lists, who is the one the axis
 * authenticated. Thrown errors other than the codec's are the poller's own trouble.
 */
function decodeListed(entry: ReceivedEdoc, original: Buffer, refuseInvalidSignatures: boolean): { events: CloudEvent[] } | { refusal: string } {
  let events: CloudEvent[];
  try {
    // The axis hands bytes without a content type: a multipart/related package is sniffed.
    events = decodeEdxml(original, { refuseInvalidSignatures });
  } catch (err) {
    if (!(err instanceof EdxmlError)) throw err;
    return { refusal: `${err.code} at ${err.path}: ${err.message}` };
  }
  const named = events.map((e) => sourceAgency(e.source) ?? e.source).find((agency) => agency !== entry.from);
  if (named === undefined) return { events };
  return {
    refusal: `sender mismatch: the axis lists package ${entry.docId} as sent by ${entry.from}, but its From/OrganId is ${named}; a package in another organ's name is refused. Ask ${entry.from} to send as itself.`,
  };
}
