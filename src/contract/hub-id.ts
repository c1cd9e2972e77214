/**
 * The hub's own message id. Derived from `source` + `id` (which CloudEvents makes unique), so the
 * same message always gets the same hub id: the trace URL and the recipients' Idempotency-Key
 * stay the same even if two hub instances accept one message at the same instant.
 */
import { createHash } from 'node:crypto';

export function hubIdOf(source: string, id: string): string {
  const h = createHash('sha256').update(source).update('\u0000').update(id).digest('hex');
  // Shaped as a UUID (version nibble 8: "custom") so it reads like the ids people expect.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
