/**
 * The `edxml` connector kind: e-office systems that speak edXML (QCVN 102:2016) over HTTP push.
 * - `decode`: a package POSTed to `/v1/connectors/{id}/inbound` (bare, SOAP 1.1, or
 *   multipart/related with its files as parts) → the events it carries (`decodeEdxml`); a
 *   signature that does not verify is recorded, or refused when `refuseInvalidSignatures`; a refused package throws `AdapterError` `adapter-decode-failed` whose `path`
 *   is the edXML path of the problem and whose message says what the sender must fix (the codec's
 *   code leads the message).
 * - `createSender`: POSTs `encodeForDelivery(event)` (the sender's own bytes for a signed package) as `application/xml; charset=utf-8` to
 *   `manifest.endpoint` through the kit's push sender (outcomes, `Idempotency-Key` and
 *   `X-LGSP-Signature` as `kit/push-sender.ts` says). An event with no edXML form throws
 *   `AdapterError` `adapter-encode-failed` with the event path.
 */
import { Type } from '@sinclair/typebox';
import type { ConnectorAdapter } from '../kit/adapter.ts';
import { pushSender } from '../kit/push-sender.ts';
import { EDXML_CONTENT_TYPE, encodeForDelivery } from './delivery-encoding.ts';
import { decodeInbound } from './inbound-decoding.ts';
import { STATUS_NAMES } from './decode-status.ts';
import { DOCUMENT_TYPES } from './package.ts';

export { EDXML_CONTENT_TYPE } from './delivery-encoding.ts';

/** What an edxml connector decides for itself (the transport's TLS settings apply too). */
export const EDXML_SETTINGS = Type.Object(
  {
    refuseInvalidSignatures: Type.Optional(
      Type.Boolean({
        description:
          'Refuse (422 decode-failed, edxml-signature-invalid) a package whose XML-DSig signature does not verify. Absent or false: accept it and record "invalid" in data.edxml.signature.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const edxmlAdapter: ConnectorAdapter<typeof EDXML_SETTINGS> = {
  kind: 'edxml',
  summary: 'E-office systems exchanging edXML (QCVN 102:2016) packages over HTTP push.',
  endpointRequired: true,
  settingsSchema: EDXML_SETTINGS,
  naturalTypes: ['vn.gov.document.*'],
  /** The edoc status table of QCVN 102:2016: how edXML names the codes of `vn.gov.document.status`. */
  statusNames: { [DOCUMENT_TYPES.status]: STATUS_NAMES },
  simulator: async ({ schemas }) => {
    const { startEofficeSimulator } = await import('./simulator.ts');
    const sim = await startEofficeSimulator({ schemas });
    return { endpoint: sim.endpoint, misbehave: (modes) => sim.misbehave(modes), close: () => sim.close() };
  },
  conformance: {
    gaps: { 'vn.gov.document.sent': 'edXML carries attachments inline; the examples reference them by href (docs/conformance.md, "Known gap")' },
  },

  decode: (request, manifest) => decodeInbound(request, manifest.settings),

  /** Throws (a programmer error: registration checks it) when the manifest has no http(s) `endpoint`. */
  createSender(manifest, ctx) {
    // A document addressed by a selector (subtree, children) names no agency: it is addressed to this connector's.
    return pushSender(manifest, ctx, ({ event }) => ({
      headers: { 'content-type': EDXML_CONTENT_TYPE },
      body: encodeForDelivery(event, { recipient: manifest.agency }),
    }));
  },
};
