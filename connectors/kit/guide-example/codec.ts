/**
 * The ndjson kind's mapping (the example kind of docs/connectors.md): a records office whose system
 * keeps a log of one JSON object per line, in its own words:
 * `{"msg": id, "kind": type, "ref": subject, "from": agency code, "at": time, "body": data}`.
 */
import { agencySource, sourceAgency, type CloudEvent } from '../../../src/contract/cloud-event.ts';
import { AdapterError } from '../adapter.ts';

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';

/** One event as one log line, newline included. */
export function encodeLine(event: CloudEvent): Buffer {
  const line = { msg: event.id, kind: event.type, ref: event.subject, from: sourceAgency(event.source), at: event.time, body: event.data };
  return Buffer.from(`${JSON.stringify(line)}\n`, 'utf8');
}

/**
 * Log lines → events from `agency` (the connector's own: a system speaks only for itself). Throws
 * `AdapterError` `adapter-decode-failed` at `/<line index>` for a line that is not a log entry; the
 * hub then checks each event against its type's schema.
 */
export function decodeLines(body: Buffer, agency: string): CloudEvent[] {
  const lines = body
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  return lines.map((line, i) => {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new AdapterError('adapter-decode-failed', `line ${i + 1} is not JSON`, `/${i}`);
    }
    const { msg, kind, ref, at, body: data } = entry ?? {};
    if (typeof msg !== 'string' || typeof kind !== 'string' || typeof ref !== 'string' || typeof data !== 'object' || data === null) {
      throw new AdapterError('adapter-decode-failed', `line ${i + 1} needs msg, kind and ref (strings) and body (an object)`, `/${i}`);
    }
    const time = typeof at === 'string' ? { time: at } : {};
    return { specversion: '1.0', id: msg, source: agencySource(agency), type: kind, subject: ref, ...time, data: data as Record<string, unknown> };
  });
}
