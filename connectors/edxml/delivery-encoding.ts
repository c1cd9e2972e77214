/**
 * edXML as the hub delivers it, for every kind that sends edXML packages (`edxml` pushes them,
 * `vdxp` hands them to the national axis): the codec's package, its refusals turned into the kit's
 * encode error (a dead letter, stage encode, with the event path). Part of the format's public
 * API beside `codec.ts`; a kind that sends edXML imports this, never another kind's adapter.
 */
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { AdapterError } from '../kit/adapter.ts';
import { EdxmlError, encodeEdxml } from './codec.ts';

export const EDXML_CONTENT_TYPE = 'application/xml; charset=utf-8';

/** The package text for `event`; throws `AdapterError` (`adapter-encode-failed`) when it has no edXML form. */
export function encodeForDelivery(event: CloudEvent): string {
  try {
    return encodeEdxml(event);
  } catch (err) {
    if (err instanceof EdxmlError) throw new AdapterError('adapter-encode-failed', `${err.code}: ${err.message}`, err.path, { cause: err });
    throw err;
  }
}
