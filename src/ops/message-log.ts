/**
 * The fields every log line about a message carries, so one grep finds its whole story: the
 * hub id (also the trace URL and the Idempotency-Key), the sender's id, the correlation id and the
 * connector concerned. Never the body: `data` may hold personal data of citizens.
 */
import type { AcceptedMessage } from '../contract/kafka-binding.ts';

export function messageFields({ event, hubId }: AcceptedMessage, connector: string): Record<string, string> {
  return { hubId, messageId: event.id, type: event.type, connector, ...(event.correlationid ? { correlationid: event.correlationid } : {}) };
}
