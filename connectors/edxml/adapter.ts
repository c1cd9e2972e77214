/**
 * The `edxml` connector kind: e-office systems that speak edXML (QCVN 102:2016) over HTTP push.
 * - `decode`: a package POSTed to `/v1/connectors/{id}/inbound` → the events it carries
 *   (`decodeEdxml`); a refused package throws `AdapterError` `ADAPTER_DECODE_FAILED` whose `path`
 *   is the edXML path of the problem and whose message says what the sender must fix (the codec's
 *   code leads the message).
 * - `createSender`: POSTs `encodeEdxml(event)` as `application/xml; charset=utf-8` to
 *   `manifest.endpoint` through the kit's HTTP sender (outcomes, `Idempotency-Key` and
 *   `X-LGSP-Signature` as `kit/http-sender.ts` says), signed with `settings.signingKey`, which the
 *   hub injects from the connector's token. An event with no edXML form throws `AdapterError`
 *   `ADAPTER_ENCODE_FAILED` with the event path.
 */
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { AdapterError, type ConnectorAdapter } from '../kit/adapter.ts';
import { createHttpSender } from '../kit/http-sender.ts';
import { decodeEdxml, EdxmlError, encodeEdxml } from './codec.ts';

export const EDXML_CONTENT_TYPE = 'application/xml; charset=utf-8';

export const edxmlAdapter: ConnectorAdapter = {
  kind: 'edxml',
  summary: 'E-office systems exchanging edXML (QCVN 102:2016) packages over HTTP push.',
  endpointRequired: true,
  settingsSchema: Object.freeze({
    type: 'object',
    properties: {
      signingKey: { type: 'string', description: 'Injected by the hub from the connector token; not set by operators.' },
    },
    additionalProperties: false,
  }),

  decode(request) {
    try {
      return decodeEdxml(request.body);
    } catch (err) {
      if (err instanceof EdxmlError) throw new AdapterError('ADAPTER_DECODE_FAILED', `${err.code}: ${err.message}`, err.path, { cause: err });
      throw err;
    }
  },

  /** Throws when the manifest has no `endpoint` or no injected `signingKey` (a hub wiring error). */
  createSender(manifest) {
    const signingKey = manifest.settings?.signingKey;
    if (typeof signingKey !== 'string' || signingKey === '') throw new Error(`connector ${manifest.id}: settings.signingKey missing (the hub injects it before creating a sender)`);
    if (manifest.endpoint === undefined) throw new Error(`connector ${manifest.id}: an edxml sender needs an endpoint`);
    return createHttpSender({
      endpoint: manifest.endpoint,
      timeoutMs: manifest.delivery.timeoutMs,
      signingKey,
      encode: ({ event }) => ({ headers: { 'content-type': EDXML_CONTENT_TYPE }, body: Buffer.from(encodeForDelivery(event), 'utf8') }),
    });
  },
};

/** edXML for an outbound event; a codec refusal becomes the kit's encode error (dead letter, stage encode). */
export function encodeForDelivery(event: CloudEvent): string {
  try {
    return encodeEdxml(event);
  } catch (err) {
    if (err instanceof EdxmlError) throw new AdapterError('ADAPTER_ENCODE_FAILED', `${err.code}: ${err.message}`, err.path, { cause: err });
    throw err;
  }
}
