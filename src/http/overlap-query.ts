/**
 * The `overlap` query parameter of a token rotation, for connectors and operators alike: how long
 * the replaced token keeps working beside the new one, so its holder can switch without a gap.
 * `0s` stops it at once (after a leak). Declared once; both rotation routes use it.
 */
import { Type } from '@sinclair/typebox';
import { formatDuration, parseDuration } from '../config/duration.ts';
import { HubError } from '../contract/problems.ts';

/** A longer overlap would keep a stolen token alive for longer than a rotation is meant to allow. */
const MAX_OVERLAP_MS = 30 * 24 * 3_600_000;

/** The query schema, with LGSP_TOKEN_OVERLAP (`defaultMs`) as its default. */
export function overlapQuery(defaultMs: number) {
  return Type.Object(
    {
      overlap: Type.String({
        default: formatDuration(defaultMs),
        description: `How long the replaced token keeps working: 500ms, 30s, 15m, 1h (at most ${formatDuration(MAX_OVERLAP_MS)}); 0s stops it at once. Default: LGSP_TOKEN_OVERLAP.`,
        examples: ['1h', '0s'],
      }),
    },
    { additionalProperties: false },
  );
}

/** The overlap in milliseconds, or `validation-failed` at `/overlap`. */
export function overlapOf(text: string): number {
  let ms;
  try {
    ms = parseDuration(text);
  } catch (err) {
    throw new HubError('validation-failed', 'The query parameter overlap is not a duration; nothing was rotated.', {
      errors: [{ path: '/overlap', message: (err as Error).message }],
    });
  }
  if (ms > MAX_OVERLAP_MS) {
    throw new HubError('validation-failed', 'The overlap is too long; nothing was rotated.', {
      errors: [{ path: '/overlap', message: `must be at most ${formatDuration(MAX_OVERLAP_MS)}` }],
    });
  }
  return ms;
}
