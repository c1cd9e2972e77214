/**
 * edXML as the hub delivers it, for every kind that sends edXML packages (`edxml` pushes them,
 * `vdxp` hands them to the national axis): the sender's own package bytes when the event carries
 * them (`data.edxml.original`, kept for signed packages so that their XML-DSig stays valid), else
 * the codec's package; refusals turned into the kit's encode error (a dead letter, stage encode,
 * with the event path). Part of the format's public API beside `codec.ts`; a kind that sends edXML
 * imports this, never another kind's adapter.
 */
import { createHash } from 'node:crypto';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { AdapterError } from '../kit/adapter.ts';
import { EdxmlError, encodeEdxml } from './codec.ts';

export const EDXML_CONTENT_TYPE = 'application/xml; charset=utf-8';

/**
 * The package bytes for `event`; `recipient` (the agency of the connector delivered to) is the To
 * of a document addressed by a selector only. Throws `AdapterError` (`adapter-encode-failed`) when
 * the event has no edXML form.
 */
export function encodeForDelivery(event: CloudEvent, options: { readonly recipient?: string } = {}): Buffer {
  const original = originalPackage(event);
  if (original) return original;
  try {
    return Buffer.from(encodeEdxml(event, options), 'utf8');
  } catch (err) {
    if (err instanceof EdxmlError) throw new AdapterError('adapter-encode-failed', `${err.code}: ${err.message}`, err.path, { cause: err });
    throw err;
  }
}

/**
 * The sender's package as received, when the event carries it as a bare edXML package
 * (`data.edxml.original`, media type application/xml) and it still matches its SHA-256; else
 * undefined (the package is written again from the data).
 */
export function originalPackage(event: CloudEvent): Buffer | undefined {
  const data = event.data as { edxml?: { original?: { mediaType?: unknown; sha256?: unknown; contentBase64?: unknown } } } | undefined;
  const original = data?.edxml?.original;
  if (!original || original.mediaType !== 'application/xml' || typeof original.contentBase64 !== 'string') return undefined;
  const bytes = Buffer.from(original.contentBase64, 'base64');
  return createHash('sha256').update(bytes).digest('hex') === original.sha256 ? bytes : undefined;
}
