/**
 * edXML as the hub takes it on the inbound route, for every kind that receives edXML packages
 * (`edxml` pushed by e-office systems, `vdxp` pushed by an SDK bridge): the codec's decoding, its
 * refusals turned into the kit's decode error. Part of the format's public API beside
 * `delivery-encoding.ts`; a kind imports this, never another kind's adapter.
 */
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { AdapterError, type InboundRequest } from '../kit/adapter.ts';
import { decodeEdxml, EdxmlError } from './codec.ts';

/**
 * `decode` for every kind that takes edXML packages on the inbound route (`edxml`, `vdxp`): bare,
 * SOAP 1.1 or multipart/related; a refusal is `adapter-decode-failed` with the codec's path, the
 * codec's code leading the message.
 */
export function decodeInbound(request: InboundRequest, settings: unknown): CloudEvent[] {
  const refuse = typeof settings === 'object' && settings !== null && (settings as { refuseInvalidSignatures?: unknown }).refuseInvalidSignatures === true;
  try {
    return decodeEdxml(request.body, { contentType: request.contentType, refuseInvalidSignatures: refuse });
  } catch (err) {
    if (err instanceof EdxmlError) throw new AdapterError('adapter-decode-failed', `${err.code}: ${err.message}`, err.path, { cause: err });
    throw err;
  }
}
